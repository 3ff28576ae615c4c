/**
 * The config files (subst/config.ts) as the commands read them: each file once per invocation,
 * however many settings (caches, builders) a command asks for.
 *
 * Must not depend on: the executor, the store, the core.
 */
import { once, type Context } from '../context';
import { readConfigFile, type ConfigReader } from '../subst';

/** A config file's settings, read once per invocation. */
export function configReader(ctx: Pick<Context, 'memo'>): ConfigReader {
  return (file) => once(ctx, `config ${file}`, () => readConfigFile(file));
}
