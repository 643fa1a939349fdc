/**
 * The bench's acceptance targets (issue #15): fast's speed ÷ each peer's, per workload.
 */
import type { ImplId } from './impls.js';
import { WORKLOADS, type WorkloadId } from './workloads.js';

/** The peers fast is paired with, and the acceptance target of fast's speed ÷ the peer's (if any). */
export const PAIR_PEERS: readonly ImplId[] = ['ort', 'ort-web', 'tfjs-wasm', 'tflite'];
/**
 * Issue #15's targets: ≥ 50% of ORT native on W1, W2np, W3; streaming ≥ 1.5× ORT native and ≥ 3×
 * onnxruntime-web per call; on every workload a peer can express ≥ 1.2× onnxruntime-web, ≥ 1.5×
 * tfjs-wasm, ≥ 3× TFLite WASM.
 */
export function targetOf(peer: ImplId, w: WorkloadId): { min: number; style: '%' | '×' } | undefined {
  const stream = WORKLOADS[w].stream === true;
  if (peer === 'ort') return stream ? { min: 1.5, style: '×' } : w === 'W1' || w === 'W3' || w === 'W2np' ? { min: 0.5, style: '%' } : undefined;
  if (peer === 'ort-web') return { min: stream ? 3 : 1.2, style: '×' };
  if (peer === 'tfjs-wasm') return { min: 1.5, style: '×' };
  if (peer === 'tflite') return { min: 3, style: '×' };
  return undefined;
}

/** Workloads of the thread-scaling pairs. */
export const THREAD_WORKLOADS: readonly WorkloadId[] = ['W2np', 'W3'];

/** The target of A's speed ÷ B's in a paired child: fast against a peer, or 2 threads against 1 (≥ 1.7× on W2np and W3). */
export function pairTarget(a: ImplId, b: ImplId, w: WorkloadId): { min: number; style: '%' | '×' } | undefined {
  if (a === 'fast') return targetOf(b, w);
  if (a === 'fast-t2' && b === 'fast' && THREAD_WORKLOADS.includes(w)) return { min: 1.7, style: '×' };
  return undefined;
}
