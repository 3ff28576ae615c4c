/**
 * Stalix images: a realm's closure as a bootable initramfs (object.ts: the content-addressed
 * image store object and its metadata; cpio.ts: the reproducible newc archive; qemu.ts: booting
 * one under QEMU to a marker line).
 *
 * Must not depend on: the CLI, the planner (callers plan the realm and pass its paths in).
 */
export {
  IMAGE_META_FORMAT, IMAGE_STORE_NAME, INIT_PROGRAM, imagePath, kernelFile, imageEntries, realiseImage, readImageMeta,
  type ImageInputs, type ImageMeta,
} from './object';
export { writeCpio, readCpio, comparePaths, hasSpecialBits, type CpioEntry, type CpioMember } from './cpio';
export { START_LINE, KVM_PROBE_SECONDS, kernelArch, onPath, qemuCommand, boot, type BootRequest, type BootResult } from './qemu';
