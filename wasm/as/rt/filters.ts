/**
 * Filters a template may use: nunjucks 3.2.4's pure stock filters (engine/eval/runtime.ts
 * STOCK_FILTERS, as nunjucks implements them: stockstr.ts, stocklist.ts) and IX's filters
 * (ixfilters.ts), which win where both have a name.
 *
 * Must not depend on: anything of the core but rt/ and errors.ts.
 */
import { Value, UNDEF, err } from './value';
import { ixFilter, ixFilterIndex, ixFilterNames } from './ixfilters';
import {
  fAbs, fCapitalize, fDefault, fFloat, fInt, fLower, fRound, fSafe, fString, fStriptags, fTitle, fTrim,
  fTruncate, fUpper, fUrlencode, fWordcount,
} from './stockstr';
import {
  fBatch, fDictsort, fFirst, fGroupby, fJoin, fLast, fLength, fList, fReverse, fSelect, fSelectAttr, fSort, fSum,
} from './stocklist';

const STOCK: StaticArray<string> = [
  'abs', 'batch', 'capitalize', 'default', 'd', 'dictsort', 'first', 'groupby', 'int', 'float', 'join',
  'last', 'length', 'list', 'lower', 'reject', 'rejectattr', 'reverse', 'round', 'safe', 'select', 'selectattr', 'sort',
  'string', 'striptags', 'sum', 'title', 'trim', 'truncate', 'upper', 'urlencode', 'wordcount',
];

function stockIndex(name: string): i32 {
  for (let i = 0; i < STOCK.length; i++) if (unchecked(STOCK[i]) == name) return i;
  return -1;
}

/** A resolved filter: IX filters are 0..99, stock filters 100 + their index; -1 when unknown. */
export function filterId(name: string): i32 {
  const ix = ixFilterIndex(name);
  if (ix >= 0) return ix;
  const st = stockIndex(name);
  return st >= 0 ? 100 + st : -1;
}

/** Is `name` a filter? (`unknown filter 'NAME'` otherwise.) */
export function hasFilter(name: string): bool {
  return filterId(name) >= 0;
}

/** Filter names a template may use, sorted. */
export function filterNames(): Array<string> {
  const out = ixFilterNames();
  for (let i = 0; i < STOCK.length; i++) if (ixFilterIndex(STOCK[i]) < 0) out.push(STOCK[i]);
  out.sort((a: string, b: string): i32 => (a < b ? -1 : a > b ? 1 : 0));
  return out;
}

@inline function arg(args: Array<Value>, i: i32): Value {
  return i < args.length ? unchecked(args[i]) : UNDEF;
}

/** Apply the filter `id` (filterId): args[0] is the filtered value, then its arguments (kwargs as a trailing kwargs dict). */
export function applyFilter(id: i32, args: Array<Value>): Value {
  if (id < 100) return ixFilter(id, args);
  const v = arg(args, 0);
  const a1 = arg(args, 1);
  const a2 = arg(args, 2);
  switch (id - 100) {
    case 0: return fAbs(v);
    case 1: return fBatch(v, a1, a2);
    case 2: return fCapitalize(v);
    case 3:
    case 4: return fDefault(v, a1, a2);
    case 5: return fDictsort(v, a1, a2);
    case 6: return fFirst(v);
    case 7: return fGroupby(v, a1);
    case 8: return fInt(args);
    case 9: return fFloat(v, a1);
    case 10: return fJoin(v, a1, a2);
    case 11: return fLast(v);
    case 12: return fLength(v);
    case 13: return fList(v);
    case 14: return fLower(v);
    case 15: return fSelect(v, a1, a2, false);
    case 16: return fSelectAttr(v, a1, false);
    case 17: return fReverse(v);
    case 18: return fRound(v, a1, a2);
    case 19: return fSafe(v);
    case 20: return fSelect(v, a1, a2, true);
    case 21: return fSelectAttr(v, a1, true);
    case 22: return fSort(args);
    case 23: return fString(v);
    case 24: return fStriptags(v, a1);
    case 25: return fSum(v, a1, a2);
    case 26: return fTitle(v);
    case 27: return fTrim(v);
    case 28: return fTruncate(v, a1, a2, arg(args, 3));
    case 29: return fUpper(v);
    case 30: return fUrlencode(v);
    case 31: return fWordcount(v);
    default: return UNDEF;
  }
}

/** Apply filter `name`: args[0] is the filtered value, then the filter's arguments. */
export function filter(name: string, args: Array<Value>): Value {
  const id = filterId(name);
  if (id < 0) return err("unknown filter '" + name + "'");
  return applyFilter(id, args);
}
