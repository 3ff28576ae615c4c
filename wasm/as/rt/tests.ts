/**
 * Tests (`x is NAME(args)`): nunjucks 3.2.4's set, as the oracle uses it.
 *
 * Must not depend on: anything of the core but rt/ and errors.ts.
 */
import { Value, err } from './value';

/** Is `name` a test? (`unknown test 'NAME'` otherwise.) */
export function hasTest(name: string): bool { return false; }

/** Run test `name`: args[0] is the tested value. TRUE, FALSE or an Err. */
export function test(name: string, args: Array<Value>): Value { return err("unknown test '" + name + "'"); }
