/**
 * fast-check's seed for a test run. Under CI the generated cases are the same on every run
 * (FC_SEED, default below), so a red CI is reproducible and never depends on luck; on a
 * developer's machine every run draws new cases, which is where new counterexamples come from.
 * Either way a failing property prints its seed, and FC_SEED=<seed> replays it.
 *
 * Must not depend on: anything but fast-check.
 */
import fc from 'fast-check';

const given = process.env.FC_SEED;
if (given !== undefined && given !== '') fc.configureGlobal({ seed: Number(given) });
else if (process.env.CI) fc.configureGlobal({ seed: 20261206 });
