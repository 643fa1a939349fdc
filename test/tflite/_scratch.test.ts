import { readFileSync, readdirSync } from 'node:fs';
import { verifyTflite } from '../../src/tflite/verify.js';
for (const f of readdirSync('/work/shared/models').filter(f=>f.endsWith('.tflite'))) {
  const b = readFileSync('/work/shared/models/'+f);
  const t0=performance.now();
  try { console.log(f, b.length, verifyTflite(new Uint8Array(b)), (performance.now()-t0).toFixed(2)); } catch(e) { console.log(f, String(e)); }
}
