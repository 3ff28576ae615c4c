/**
 * The store's layout as the store sees it: the definitions live in hosts/common/layout.ts, which
 * the Linux sandbox host shares; this name keeps the store's own imports short.
 *
 * Must not depend on: anything but hosts/common.
 */
export {
  STORE_PREFIX, ID_CHARS, BUILD_ENTRY, STORE_ENTRY, parseStorePath, storeBase, resolveRoot, Layout, declaredRefs, type ParsedStorePath,
} from '../../common';
