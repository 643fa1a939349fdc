import type { Parameters } from 'fast-check';

/** The seed CI runs with, so that a green run stays green; FC_SEED=random explores new seeds. */
export const DEFAULT_FC_SEED = 20261126;

/**
 * fast-check parameters shared by the property tests. FC_SEED / FC_PATH replay a reported
 * counterexample (FC_SEED=random draws a fresh seed); FC_RUNS scales the number of runs
 * (default 100; CI uses the defaults, so CI is deterministic).
 */
export function fcParams<T>(overrides: Parameters<T> = {}): Parameters<T> {
  const p: Parameters<T> = { numRuns: Number(process.env['FC_RUNS'] ?? 100), ...overrides };
  const seed = process.env['FC_SEED'];
  if (seed !== 'random') p.seed = seed ? Number(seed) : DEFAULT_FC_SEED;
  if (process.env['FC_PATH']) p.path = process.env['FC_PATH'];
  return p;
}
