/** Messages between the page (web/main.ts) and its worker (web/worker.ts). Everything is structured-clonable. */
import type { OutputErrorProfile } from '../src/conformance/error-profile.js';
import type { OnnxInspection } from '../src/onnx/inspect.js';
import type { OnnxValidation } from '../src/onnx/validate-onnx.js';
import type { ModelValidation } from '../src/ops/validate.js';
import type { TfliteValidation } from '../src/tflite/validate-tflite.js';

/** What the page asks. */
export type Request =
  | { kind: 'model'; name: string; bytes: ArrayBuffer; seeds: number; seed: number }
  | { kind: 'conformance'; fast: boolean };

/** A reader error, with what the reader said about where (kind, byte offset or JSON pointer, field path). */
export interface PageError {
  /** The error class, e.g. TfliteFormatError, ModelFileError. */
  name: string;
  /** The reader's kind (bounds, limit, parse, schema, …). */
  kind?: string;
  /** Byte offset of a .tflite format error. */
  offset?: number;
  /** The field path of a .tflite format error. */
  path?: string;
  /** The JSON pointer of a model JSON error. */
  pointer?: string;
  /** The one-line text, as `nnlstm validate` prints it after "FILE: ". */
  message: string;
}

/** What the worker answers. */
export type Reply =
  | { kind: 'progress'; text: string; done?: number; total?: number }
  /** The structural half of a .tflite validation (numeric still running). */
  | { kind: 'tflite-structure'; validation: TfliteValidation }
  /** The whole validation, what `nnlstm validate --json` prints. */
  | { kind: 'tflite-result'; validation: TfliteValidation; ms: number }
  /** Per op id "s:o": the plot's profile and what it shows. */
  | { kind: 'tflite-plot'; op: string; profile: OutputErrorProfile[]; caption: string }
  /** An .onnx model read and inspected (the agreement check still running). */
  | { kind: 'onnx-structure'; file: string; inspection: OnnxInspection }
  /** The .onnx validation the page can run (no ONNX Runtime: `numeric: false`). */
  | { kind: 'onnx-result'; validation: OnnxValidation; ms: number }
  /** A model JSON: what `nnlstm validate MODEL.json --json` prints, and for a case file its run on the reference. */
  | { kind: 'model-result'; validation: ModelValidation & { file: string }; checks: CaseCheck[] }
  | { kind: 'conformance-result'; fast: boolean; totals: Record<string, number>; html: string; json: string; ms: number }
  | { kind: 'error'; error: PageError }
  | { kind: 'done' };

/**
 * A golden or negative case file run as a one-case suite on a reference path: a golden file's expected outputs under
 * its tolerance, a negative case's expected rejection.
 */
export interface CaseCheck {
  driver: 'reference' | 'reference-fast';
  kind: 'positive' | 'negative';
  status: string;
  maxRatio: number | null;
  maxAbsError: number | null;
  reason: string | null;
  profile: OutputErrorProfile[];
}
