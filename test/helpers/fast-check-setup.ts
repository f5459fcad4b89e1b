import fc from 'fast-check';

/**
 * Property tests draw new random inputs on every local run, so each run explores cases the last
 * did not. In CI (CI=true) they replay one fixed seed, so a CI run can be repeated exactly and a
 * landing does not hang on a draw no one has seen; FC_SEED=N replays the seed a failure printed.
 * (Hypothesis' "derandomize" CI profile does the same.)
 */
const seed = process.env.FC_SEED ?? (process.env.CI === 'true' ? '20261127' : undefined);
if (seed !== undefined) fc.configureGlobal({ seed: Number(seed) });
