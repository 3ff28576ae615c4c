/**
 * Filters a template may use: nunjucks 3.2.4's pure stock filters (engine/eval/runtime.ts
 * STOCK_FILTERS, as nunjucks implements them) and IX's filters (engine/eval/filters.ts).
 *
 * Must not depend on: anything of the core but rt/ and errors.ts.
 */
import { Value, err } from './value';

/** Is `name` a filter? (`unknown filter 'NAME'` otherwise.) */
export function hasFilter(name: string): bool { return false; }

/** Apply filter `name`: args[0] is the filtered value, then the filter's arguments (kwargs as a trailing kwargs dict). */
export function filter(name: string, args: Array<Value>): Value { return err("unknown filter '" + name + "'"); }
