/**
 * What other folders may use of the language server: its pure helpers, the core's errors as
 * editor diagnostics (errors.ts) and the outline of a recipe template (template.ts). The server
 * itself is a program, bundled from main.ts and loaded by `ix lsp` at run time, never imported.
 *
 * Must not depend on: Node, the LSP library, the server's modules (server, workspace, checker,
 * main): the browser playground imports this index.
 */
export { fromRecord, parseCoreMessage, quotedPackage, locate, type CoreMessage } from './errors';
export { outline, enclosingBlock, resolveTemplate, within, DEP_BLOCKS, type Outline, type Span, type BlockInfo, type TemplateRef, type DepRef, type CallRef } from './template';
