/**
 * The oracles that attribute failures to the known deviations of spec/LSTM.json: each computes
 * what a driver following the deviating code (rather than the documentation) would output.
 */
import { ReferenceDriver } from '../drivers/reference.js';
import { REFERENCE_KERNEL } from '../ops/lstm/cell.js';
import { registerDeviationOracle } from './deviations.js';

let registered = false;

/** Registers the built-in oracles once per process. */
export function registerBuiltinOracles(): void {
  if (registered) return;
  registered = true;
  const aospCode = new ReferenceDriver({ name: 'oracle:activation-none-cell-gate', activationNoneVariant: 'aosp-code' });
  registerDeviationOracle('activation-none-cell-gate', async (model, inputs) => {
    const p = await aospCode.prepare(model);
    if (!p.ok) throw new Error(p.message);
    const r = await aospCode.execute(p.prepared, inputs);
    if (!r.ok) throw new Error(r.message);
    return r.outputs;
  });
  // WebNN's lstm/lstmCell emulation: the output-gate peephole reads C(t-1) (spec/webnn/lstmCell.json deviations).
  const webnnPeephole = new ReferenceDriver({ name: 'oracle:webnn-output-peephole-prev-cell', kernel: { ...REFERENCE_KERNEL, outputPeepholeCell: (prev) => prev } });
  registerDeviationOracle('webnn-output-peephole-prev-cell', async (model, inputs) => {
    const p = await webnnPeephole.prepare(model);
    if (!p.ok) throw new Error(p.message);
    const r = await webnnPeephole.execute(p.prepared, inputs);
    if (!r.ok) throw new Error(r.message);
    return r.outputs;
  });
  // QUANTIZED_LSTM as AOSP's code computes it (spec/QUANTIZED_LSTM.json deviations): one oracle for its departures.
  const qlstmCode = new ReferenceDriver({ name: 'oracle:qlstm-aosp-code', quantized: { qlstmVariant: 'aosp-code' } });
  registerDeviationOracle('qlstm-aosp-code', async (model, inputs) => {
    const p = await qlstmCode.prepare(model);
    if (!p.ok) throw new Error(p.message);
    const r = await qlstmCode.execute(p.prepared, inputs);
    if (!r.ok) throw new Error(r.message);
    return r.outputs;
  });
}
