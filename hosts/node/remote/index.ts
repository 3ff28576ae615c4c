/**
 * Remote builders over SSH: builder specs (spec.ts), the ix-remote/1
 * protocol (frames.ts, protocol.ts), the ssh client side (ssh.ts, session.ts), the executor's
 * remote Builder (builder.ts), archives in transit (transfer.ts, the binary cache's format),
 * signatures (trust.ts), the builder side `ix store serve --stdio` (serve.ts) and `ix copy --to
 * ssh://` (copy.ts). See ARCHITECTURE.md, "Remote builders".
 *
 * Must not depend on: the CLI.
 */
export { parseBuilder, parseBuilders, splitBuilders, resolveBuilders, type BuilderSpec } from './spec';
export { MAGIC, MAX_FRAME, FrameDecoder, FrameError, FramedConnection, encodeJson, encodeBytes, type Frame } from './frames';
export { PROTOCOL, versionMismatch } from './protocol';
export { sshCommand, sshCause, remoteCommand } from './ssh';
export { Session, BuilderDown } from './session';
export { RemoteBuilder, type RemoteOptions } from './builder';
export { packForWire, receiveOutput, importInput, checkRecord, wireRecord, TRANSFER_RECORD, type TransferRecord } from './transfer';
export { copyToSsh, closureOf, type CopyReport } from './copy';
export { serve, type ServeOptions } from './serve';
