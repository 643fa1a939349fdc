/** The WebNN lstm / lstmCell reference: a third LSTM convention beside NNAPI's and ONNX's. */
export * from './types.js';
export { webnnLstm, type WebnnLstmResult } from './lstm.js';
export { webnnLstmCell, GATE_BLOCKS, PEEPHOLE_BLOCKS, type WebnnLstmCellResult } from './cell.js';
export { validateWebnnLstm, validateWebnnLstmCell, isValidDimension, type WebnnOperandDesc, type LstmDescs, type LstmCellDescs } from './validate.js';
export { rounderFor, activate as webnnActivate } from './numeric.js';
export { packGates, unpackGates, packPeepholes, relayout, type PerGate } from './pack.js';
