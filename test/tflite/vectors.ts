/** Test helper: the AOSP LSTM / UNIDIRECTIONAL_SEQUENCE_LSTM example models from ../shared/vectors/aosp. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Model } from '../../src/model/model.js';
import { sharedDir } from '../../src/util/paths.js';

export interface AospVector {
  file: string;
  model: Model;
  float16: boolean;
}

export function aospLstmVectors(): AospVector[] {
  const shared = sharedDir();
  const root = shared ? join(shared, 'vectors', 'aosp') : undefined;
  if (!root || !existsSync(root)) return [];
  const out: AospVector[] = [];
  for (const dir of readdirSync(root).filter((d) => /^V1_\d$/.test(d)).sort()) {
    for (const f of readdirSync(join(root, dir)).filter((x) => x.endsWith('.json')).sort()) {
      const model = JSON.parse(readFileSync(join(root, dir, f), 'utf8')) as Model;
      const type = model.operations?.[0]?.type;
      if (type !== 'LSTM' && type !== 'UNIDIRECTIONAL_SEQUENCE_LSTM') continue;
      const float16 = model.operands.some((o) => o.type === 'TENSOR_FLOAT16' || o.type === 'FLOAT16');
      out.push({ file: `${dir}/${f}`, model, float16 });
    }
  }
  return out;
}

export const missingVectorsMessage = '[tflite] ../shared/vectors/aosp not found (set NNLSTM_SHARED): AOSP-vector tests skipped';
