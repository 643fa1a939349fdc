/**
 * The "gate" a case did not get through, in a few words: the check that decided the verdict
 * (shown by the JUnit and HTML reports next to the case's feature group).
 */
import type { CaseResult } from './runner.js';

export interface Gate {
  /** Short machine-friendly kind: tolerance, dimensions, malformed-output, accepted-invalid, rejected-valid, fault:<kind>, driver-error, unsupported. */
  kind: string;
  /** One line for people. */
  label: string;
}

export function failingGate(r: CaseResult): Gate | null {
  switch (r.status) {
    case 'pass':
      return null;
    case 'unsupported':
      return { kind: 'unsupported', label: 'unsupported by the driver' };
    case 'rejected':
      return { kind: 'rejected-valid', label: r.reason?.startsWith('execute') ? 'valid model failed at execute' : 'valid model rejected at prepare' };
    case 'error':
      if (r.fault) return { kind: `fault:${r.fault.kind}`, label: `driver ${r.fault.kind === 'timeout' ? 'timed out' : r.fault.kind === 'crash' ? 'crashed' : r.fault.kind} during ${r.fault.phase}${r.fault.signal ? ` (${r.fault.signal})` : r.fault.exitCode !== null ? ` (exit ${r.fault.exitCode})` : ''}` };
      if (r.reason?.startsWith('malformed output')) return { kind: 'malformed-output', label: 'malformed output' };
      // What the driver did (threw at prepare, returned a malformed result…), in one short line.
      return { kind: 'driver-error', label: r.reason ? `driver error: ${r.reason.length > 100 ? `${r.reason.slice(0, 99)}…` : r.reason}` : 'driver error' };
    case 'fail': {
      if (r.kind === 'negative') return { kind: 'accepted-invalid', label: `accepted an invalid model: ${r.expectedRule ?? '?'}` };
      const bad = (r.outputs ?? []).filter((o) => !o.pass);
      const dims = bad.filter((o) => o.maxRatio === null);
      if (dims.length > 0) return { kind: 'dimensions', label: `dimensions: ${dims.map((o) => o.name).join(', ')}` };
      const crit = [...new Set(bad.map((o) => o.criterion ?? '?'))].join('/');
      return { kind: 'tolerance', label: `${crit} tolerance: ${bad.map((o) => o.name).join(', ') || 'outputs'}${r.deviation ? ` (deviation ${r.deviation})` : ''}` };
    }
  }
}
