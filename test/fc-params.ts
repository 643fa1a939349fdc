import type { Parameters } from 'fast-check';

/**
 * fast-check parameters shared by the property tests. FC_SEED / FC_PATH replay a reported
 * counterexample; FC_RUNS scales the number of runs (default 100; CI uses the default).
 */
export function fcParams<T>(overrides: Parameters<T> = {}): Parameters<T> {
  const p: Parameters<T> = { numRuns: Number(process.env['FC_RUNS'] ?? 100), ...overrides };
  if (process.env['FC_SEED']) p.seed = Number(process.env['FC_SEED']);
  if (process.env['FC_PATH']) p.path = process.env['FC_PATH'];
  return p;
}
