/**
 * rt/: values and everything the evaluator does with them. Import from here.
 *
 * Must not depend on: anything of the core but errors.ts.
 */
export * from './value';
export * from './state';
export * from './strbuf';
export * from './numfmt';
export * from './pystr';
export * from './jsconv';
export * from './ops';
export * from './methods';
export * from './filters';
export * from './tests';
export * from './globals';
export { ixObject, FileLoader, setFileLoader, pyStrip, isJsonFilter, jsonFilterInto, JD_FILTER } from './ixfilters';
