import { renderText, RenderInput } from '../index';
export function t(): string { const r = renderText(new RenderInput()); return r.err!.format(); }
