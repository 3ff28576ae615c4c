/**
 * The playground page: ix's recipe tree (pkgs/, loaded into memory from tree.json) in a
 * CodeMirror 6 editor, a package and a target picker, and live panes computed by the WASM core
 * in the page on every edit (debounced): the store paths of the plan, the rendered descriptor,
 * the dependency graph drawn as SVG, and errors at their file and line (also as lint marks in the
 * editor). Nothing leaves the page: no server code, the same component bytes as the CLI.
 *
 * Must not depend on: Node APIs, hosts/node, the engine's code (types only).
 */
import { basicSetup, EditorView } from 'codemirror';
import { EditorState } from '@codemirror/state';
import { lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { StreamLanguage } from '@codemirror/language';
import type { Plan, PlanWire } from '../../engine/api';
import { expandPlan } from '../../engine/plan/expand';
import { fromRecord, parseCoreMessage, type CoreMessage } from '../lsp';
import type { ErrorRecord } from '../../wasm/core';
import { loadCore, treeIO } from './core';
import { graphSvg } from './graph';

const TARGETS = ['linux-x86_64', 'linux-aarch64', 'freebsd-x86_64'];
const DEBOUNCE_MS = 120;

/** Jinja tags, expressions and comments over shell/JSON text: enough colour to read a recipe. */
const jinja = StreamLanguage.define<{ inside: string | null }>({
  startState: () => ({ inside: null }),
  token(stream, state) {
    if (state.inside) {
      if (stream.match(state.inside)) {
        const cls = state.inside === '#}' ? 'comment' : 'keyword';
        state.inside = null;
        return cls;
      }
      if (state.inside === '#}') {
        stream.next();
        return 'comment';
      }
      if (stream.match(/^\s*(block|endblock|extends|include|if|elif|else|endif|for|endfor|set|endset|in|not|and|or)\b/)) return 'keyword';
      if (stream.match(/^'[^']*'|^"[^"]*"/)) return 'string';
      if (stream.match(/^[A-Za-z_]\w*/)) return 'variableName';
      stream.next();
      return 'operator';
    }
    if (stream.match('{%') || stream.match('{{') || stream.match('{#')) {
      const open = stream.current();
      state.inside = open === '{%' ? '%}' : open === '{{' ? '}}' : '#}';
      return open === '{#' ? 'comment' : 'keyword';
    }
    if (stream.sol() && stream.match(/^\s*#.*/)) return 'comment';
    stream.next();
    return null;
  },
});

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

async function main(): Promise<void> {
  const t0 = performance.now();
  const files = new Map(Object.entries((await (await fetch('./tree.json')).json()) as Record<string, string>));
  let io = treeIO(files, (d) => d); // replaced once the digest is ready
  const { core, digest } = await loadCore('./', () => io);
  io = treeIO(files, digest);
  $('core').textContent = `core blake3:${core.coreHash.slice(0, 16)}…`;

  const fileList = $<HTMLSelectElement>('file');
  const pkgList = $<HTMLSelectElement>('package');
  const targetList = $<HTMLSelectElement>('target');
  for (const f of [...files.keys()].sort()) fileList.add(new Option(f, f));
  for (const p of core.listPackages()) pkgList.add(new Option(p, p));
  for (const t of TARGETS) targetList.add(new Option(t, t));
  let current = 'bin/zstd/ix.sh';
  fileList.value = current;
  pkgList.value = 'bin/zstd';

  const extensions = [basicSetup, jinja, lintGutter(), EditorView.updateListener.of((u) => {
    if (!u.docChanged) return;
    files.set(current, u.state.doc.toString());
    schedule();
  })];
  const view = new EditorView({ parent: $('editor'), state: EditorState.create({ doc: files.get(current) ?? '', extensions }) });

  const open = (path: string) => {
    if (!files.has(path)) return;
    current = path;
    fileList.value = path;
    view.setState(EditorState.create({ doc: files.get(path)!, extensions }));
    if (path.endsWith('/ix.sh') && !path.startsWith('die/')) pkgList.value = path.slice(0, -'/ix.sh'.length);
    update();
  };
  fileList.onchange = () => open(fileList.value);
  pkgList.onchange = () => update();
  targetList.onchange = () => update();

  let timer: number | undefined;
  const schedule = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = window.setTimeout(update, DEBOUNCE_MS);
  };

  let first = true;
  function update(): void {
    timer = undefined;
    const pkg = pkgList.value;
    const target = targetList.value;
    const started = performance.now();
    const errors: { text: string; m: CoreMessage }[] = [];
    const marks: Diagnostic[] = [];
    const fail = (e: unknown) => {
      // the core's errors carry the WIT record (hosts/browser/core.ts); read its fields
      const text = e instanceof Error ? e.message : String(e);
      const record = (e as { record?: ErrorRecord }).record;
      const m = record && !record.internal ? fromRecord(record) : parseCoreMessage(text);
      errors.push({ text, m });
      if (m.file === current) {
        const line = view.state.doc.line(Math.min(Math.max(1, m.line ?? 1), view.state.doc.lines));
        marks.push({ from: line.from, to: line.to, severity: 'error', message: m.detail });
      }
      return m;
    };
    let plan: Plan | undefined;
    try {
      plan = expandPlan(JSON.parse(core.plan({ packages: [pkg], target })) as PlanWire);
    } catch (e) {
      fail(e);
    }
    let descriptor = '';
    try {
      descriptor = core.render({ package: pkg, target });
    } catch (e) {
      if (plan) fail(e); // else the plan's error says it already
    }
    const ms = performance.now() - started;
    const root = plan?.roots[0];
    $('store-path').textContent = root?.out ?? (root ? `hub: ${(root.members ?? []).join(' ')}` : '✗ no plan');
    $('store-path').dataset.state = plan ? 'ok' : 'error';
    // the packages of the closure (sources left out), requested ones first
    const listed = plan ? plan.nodes.filter((n) => !n.fetch).sort((a, b) => Number(b.out === root?.out) - Number(a.out === root?.out)) : [];
    const width = Math.max(0, ...listed.map((n) => n.name.length));
    $('nodes').textContent = listed.map((n) => `${n.name.padEnd(width)}  ${n.out}`).join('\n');
    $('descriptor').textContent = descriptor;
    $('graph').innerHTML = plan ? graphSvg(plan) : '';
    $('errors').innerHTML = '';
    for (const { text, m } of errors) {
      const li = document.createElement('li');
      li.textContent = text;
      if (m.file && files.has(m.file)) {
        li.className = 'link';
        li.onclick = () => open(m.file!);
      }
      $('errors').append(li);
    }
    $('status').textContent = `${pkg} for ${target}: ${plan ? `${plan.nodes.length} nodes` : 'error'} in ${ms.toFixed(0)} ms`;
    view.dispatch(setDiagnostics(view.state, marks));
    if (first) {
      first = false;
      // since navigation started (performance's time origin): page load to first plan
      document.body.dataset.firstPlanMs = performance.now().toFixed(0);
      document.body.dataset.startMs = (performance.now() - t0).toFixed(0);
    }
    document.body.dataset.updates = String(Number(document.body.dataset.updates ?? 0) + 1);
  }
  update();
  // for tests and the console: the text the page plans with
  (window as unknown as { ixPlayground: object }).ixPlayground = { file: (p: string) => files.get(p) };
}

main().catch((e) => {
  document.body.dataset.error = String(e);
  $('status').textContent = `failed to start: ${e}`;
});
