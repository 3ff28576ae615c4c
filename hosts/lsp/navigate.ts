/**
 * Hover, go to definition and find references. What is under the cursor comes from the
 * template outline: a package (a dependency selector, or an extends/include of a recipe), a
 * template (an extends/include target), or a block (its tag, `self.NAME()`, `super()`). Package
 * facts (store path, flags, sources, dependencies) come from the core's plan for the current
 * target: the same bytes `ix plan NAME --target=T` prints.
 *
 * Must not depend on: the executor, the store, the sandbox.
 */
import type { Hover, Location, Position } from 'vscode-languageserver';
import type { Plan } from '../../engine/api';
import type { Checker } from './checker';
import type { Family } from './family';
import { resolveTemplate, within, type Span } from './template';
import { packageOfFile, type Workspace } from './workspace';

export type Target =
  | { kind: 'package'; name: string; selector: string; span: Span }
  | { kind: 'template'; path: string; span: Span }
  | { kind: 'block'; name: string; how: 'tag' | 'self' | 'super'; span: Span };

/** What the cursor is on, if anything this server knows about. */
export function targetAt(family: Family, file: string, pos: Position): Target | undefined {
  const o = family.outline(file);
  const { line, character } = pos;
  for (const d of o.deps) if (within(d.span, line, character)) return { kind: 'package', name: d.name, selector: d.selector, span: d.span };
  for (const r of o.refs) {
    if (!within(r.span, line, character)) continue;
    const path = resolveTemplate(file, r.name);
    if (path === undefined) return undefined;
    const pkg = packageOfFile(path);
    return pkg !== undefined ? { kind: 'package', name: pkg, selector: pkg, span: r.span } : { kind: 'template', path, span: r.span };
  }
  for (const b of o.blocks) if (within(b.nameSpan, line, character)) return { kind: 'block', name: b.name, how: 'tag', span: b.nameSpan };
  for (const c of o.calls) {
    if (within(c.span, line, character) && c.name) return { kind: 'block', name: c.name, how: c.kind, span: c.span };
  }
  return undefined;
}

const loc = (ws: Workspace, file: string, s?: Span): Location | undefined => {
  const uri = ws.uriOf(file);
  if (!uri) return undefined;
  const r = s ?? { line: 0, start: 0, end: 0 };
  return { uri, range: { start: { line: r.line, character: r.start }, end: { line: r.line, character: r.end } } };
};

/** The store path and facts of a package for the current target, as Markdown. */
export async function packageFacts(checker: Checker, selector: string): Promise<string> {
  const a = await checker.planOf(selector);
  if (a.error || !a.plan) return `**${selector}** (${checker.target})\n\n✗ ${a.error?.detail ?? 'cannot plan'}`;
  const plan: Plan = a.plan;
  const root = plan.roots[0];
  const byOut = new Map(plan.nodes.map((n) => [n.out, n]));
  const lines = [`**${root.name}** (${plan.target})`, ''];
  if (root.out) {
    const node = byOut.get(root.out)!;
    lines.push(`store path: \`${root.out}\``, '');
    const srcs = node.inputs.map((i) => byOut.get(i)).filter((n) => n?.fetch).map((n) => n!.fetch!.file);
    const version = srcs.map((s) => /(?:^|[-_])v?(\d+(?:\.\d+)+[a-z]?)/.exec(s)?.[1]).find(Boolean);
    if (version) lines.push(`version: ${version}`, '');
    if (srcs.length) lines.push(`sources: ${srcs.join(', ')}`, '');
    const flags = Object.entries(node.flags).map(([k, v]) => `${k}=${v}`).join(' ');
    lines.push(`flags: ${flags || '(none)'}`, '');
    const deps = [...new Set(node.inputs.map((i) => byOut.get(i)).filter((n) => n && !n.fetch).map((n) => n!.name))].sort();
    lines.push(`depends on: ${deps.join(', ') || '(nothing)'}`);
  } else {
    lines.push(`hub (no build of its own): ${(root.members ?? []).join(', ')}`);
  }
  return lines.join('\n');
}

/** Markdown for a block: which template defines it, what it overrides, who overrides it. */
function blockFacts(family: Family, checker: Checker, file: string, name: string): string {
  const defs = family.definitions(file, name);
  const lines = [`**block ${name}**`, ''];
  if (defs.length) lines.push(`defined by: ${defs[defs.length - 1].file}`, '');
  const above = defs.filter((d) => d.file !== file);
  if (defs.some((d) => d.file === file) && above.length) lines.push(`overrides: ${above[0].file}`, '');
  const over = family.descendants(file, checker.reachersOf(file)).filter((f) => family.blocks(f).some((b) => b.block.name === name));
  if (over.length) lines.push(`overridden by ${over.length}: ${over.slice(0, 12).join(', ')}${over.length > 12 ? ', …' : ''}`);
  if (!defs.length) lines.push('no template of this chain defines it');
  return lines.join('\n');
}

/** `target.gnu.three`, `host.arch`... under the cursor: its value for the current target. */
function contextHover(ws: Workspace, checker: Checker, file: string, pos: Position): Hover | undefined {
  const line = (ws.text(file) ?? '').split('\n')[pos.line] ?? '';
  for (const m of line.matchAll(/\b(target|host)((?:\.[A-Za-z_]\w*)*)/g)) {
    if (pos.character < m.index || pos.character > m.index + m[0].length) continue;
    const rec = checker.archRecords();
    if (!rec) return undefined;
    let v: unknown = rec[m[1] as 'target' | 'host'];
    for (const k of m[2].split('.').filter(Boolean)) v = (v as Record<string, unknown> | undefined)?.[k];
    if (v === undefined) return undefined;
    const shown = typeof v === 'object' ? `\n\n\`\`\`json\n${JSON.stringify(v, null, 2)}\n\`\`\`` : ` = \`${JSON.stringify(v)}\``;
    return {
      contents: { kind: 'markdown', value: `**${m[0]}** (target ${checker.target})${shown}` },
      range: { start: { line: pos.line, character: m.index }, end: { line: pos.line, character: m.index + m[0].length } },
    };
  }
  return undefined;
}

/** Package facts need a plan (the planning thread); everything else answers from the text at once. */
export async function hover(ws: Workspace, family: Family, checker: Checker, file: string, pos: Position): Promise<Hover | undefined> {
  const t = targetAt(family, file, pos);
  if (!t) return contextHover(ws, checker, file, pos);
  const range = { start: { line: t.span.line, character: t.span.start }, end: { line: t.span.line, character: t.span.end } };
  let value: string;
  if (t.kind === 'package') value = await packageFacts(checker, t.selector);
  else if (t.kind === 'template') value = `**template ${t.path}**\n\nused by ${checker.usersOf(t.path).length} packages`;
  else if (t.how === 'super') {
    const parent = family.definitions(file, t.name).find((d) => d.file !== file);
    value = `**super()** of block ${t.name}: ${parent ? parent.file : 'no parent defines it'}`;
  } else value = blockFacts(family, checker, file, t.name);
  return { contents: { kind: 'markdown', value }, range };
}

export function definition(ws: Workspace, family: Family, file: string, pos: Position): Location[] {
  const t = targetAt(family, file, pos);
  if (!t) return [];
  const one = (l: Location | undefined) => (l ? [l] : []);
  if (t.kind === 'package') return one(loc(ws, `${t.name}/ix.sh`));
  if (t.kind === 'template') return one(loc(ws, t.path));
  const defs = family.definitions(file, t.name);
  // a block tag and super() go to the parent's definition; self.NAME() to the nearest one
  const pick = t.how === 'self' ? defs[0] : defs.find((d) => d.file !== file) ?? defs[0];
  return pick ? one(loc(ws, pick.file, pick.block.nameSpan)) : [];
}

export function references(ws: Workspace, family: Family, file: string, pos: Position): Location[] {
  const t = targetAt(family, file, pos);
  // on nothing in particular: the references of the file's own package
  const pkg = t?.kind === 'package' ? t.name : t === undefined ? packageOfFile(file) : undefined;
  const out: Location[] = [];
  const push = (f: string, s: Span) => {
    const l = loc(ws, f, s);
    if (l) out.push(l);
  };
  for (const f of ws.templateFiles()) {
    const o = family.outline(f);
    if (t?.kind === 'block') {
      for (const b of o.blocks) if (b.name === t.name) push(f, b.nameSpan);
      for (const c of o.calls) if (c.kind === 'self' && c.name === t.name) push(f, c.span);
    } else if (pkg !== undefined || t?.kind === 'template') {
      const path = t?.kind === 'template' ? t.path : `${pkg}/ix.sh`;
      for (const d of o.deps) if (d.name === pkg) push(f, d.span);
      for (const r of o.refs) if (resolveTemplate(f, r.name) === path) push(f, r.span);
    }
  }
  return out;
}
