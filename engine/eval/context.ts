/**
 * The variables a template sees (pkgs/README.md §3): the names IX's renderer gives its templates,
 * with the same meaning, built from the package name, its flags, the host/target records and the
 * request's boot environment (boot-env.ts; IX reads those from the machine, ix from the request).
 * Later entries override earlier ones; flags are merged last (a `target` flag is the record);
 * `setx` is "1" when `boot` ends up true.
 *
 * Must not depend on: Node, host modules, anything of the machine the engine runs on.
 */
import type { Flags } from '../api';
import type { ArchRecord } from '../targets';
import type { FullBootEnv } from './boot-env';
import { DEFAULT_BOOT_ENV } from './boot-env';
import { defaultKind, uniqId } from './names';
import { ixObject } from './filters';
import { IxError } from '../errors';
import { pyStr } from './pystr';

export interface ContextInput {
  name: string;
  flags: Flags;
  host: ArchRecord;
  target: ArchRecord;
  boot?: FullBootEnv;
  intro?: (selector: string) => Record<string, unknown>;
}

/** Compiler version and allocator IX's tree picks when a recipe names none (IX's constants). */
export const IX_DEFAULTS = { default_allocator: 'gperftools', default_clang: '21' };

/** The render context of one package. `flags.kind` wins over the name's default kind. */
export function renderContext(input: ContextInput): Record<string, unknown> {
  const { name, flags, host, target } = input;
  const boot = input.boot ?? DEFAULT_BOOT_ENV;
  const kind = flags.kind ?? defaultKind(name);
  const files = new Set(boot.files);
  const ctx: Record<string, unknown> = Object.create(null);
  ctx.ix = ixObject(name);
  ctx.ix_extract = boot.extract;
  ctx.ix_boot_path = boot.path;
  ctx.ix_boot_tool = (tool: unknown) => (typeof tool === 'string' && Object.prototype.hasOwnProperty.call(boot.tools, tool) ? boot.tools[tool] : null);
  ctx.host = host;
  ctx.tool = name.startsWith('bld/');
  ctx.boot = name.startsWith('bld/boot/');
  // IX's `name` is the template path of the package, `basename` the last component of its name
  ctx.name = `${name}/ix.sh`;
  ctx.basename = name.slice(name.lastIndexOf('/') + 1);
  ctx.uniq_id = uniqId(name, kind);
  ctx.native = host.id === target.id;
  ctx.ix_trash_dir = `${boot.ix_dir.replace(/\/+$/, '')}/trash`;
  ctx.ix_dir = boot.ix_dir;
  ctx.isfile = (p: unknown) => typeof p === 'string' && files.has(p);
  const intro = input.intro;
  ctx.intro = (sel: unknown) => {
    if (intro === undefined) throw new IxError('intro() is only available while planning');
    return intro(pyStr(sel));
  };
  Object.assign(ctx, IX_DEFAULTS);
  ctx[kind] = true;
  ctx[target.os] = true;
  ctx[target.arch] = true;
  for (const k of Object.keys(flags).sort()) if (k !== 'target' && k !== 'host') ctx[k] = flags[k];
  ctx.target = target;
  ctx.kind = kind;
  if (ctx.boot) ctx.setx = '1';
  return ctx;
}
