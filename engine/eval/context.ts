/**
 * The variables a template sees (pkgs/README.md §3), built from the package name, its flags and
 * the host/target records. Later entries override earlier ones; flags are merged last.
 *
 * Must not depend on: Node, host modules, anything of the machine the engine runs on.
 */
import type { Flags } from '../api';
import type { ArchRecord } from '../targets';
import { defaultKind, uniqId } from './names';
import { ixObject } from './filters';

export interface ContextInput {
  name: string;
  flags: Flags;
  host: ArchRecord;
  target: ArchRecord;
}

/** The render context of one package. `flags.kind` wins over the name's default kind. */
export function renderContext(input: ContextInput): Record<string, unknown> {
  const { name, flags, host, target } = input;
  const kind = flags.kind ?? defaultKind(name);
  const ctx: Record<string, unknown> = Object.create(null);
  ctx.ix = ixObject(name);
  ctx.host = host;
  ctx.target = target;
  ctx.native = host.id === target.id;
  ctx.tool = name.startsWith('bld/');
  ctx.boot = name.startsWith('bld/boot/');
  ctx.name = name;
  ctx.basename = name.slice(name.lastIndexOf('/') + 1);
  ctx.uniq_id = uniqId(name, kind);
  ctx[kind] = true;
  ctx[target.os] = true;
  ctx[target.arch] = true;
  // `target` (and `host`) flags name the platform; templates see the records instead (as in IX,
  // where the target flag holds the record itself).
  for (const k of Object.keys(flags).sort()) if (k !== 'target' && k !== 'host') ctx[k] = flags[k];
  return ctx;
}
