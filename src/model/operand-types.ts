/** NNAPI operand type codes (runtime/include/NeuralNetworksTypes.h, OperandCode). */
export const OPERAND_TYPE_CODES = {
  FLOAT32: 0,
  INT32: 1,
  UINT32: 2,
  TENSOR_FLOAT32: 3,
  TENSOR_INT32: 4,
  TENSOR_QUANT8_ASYMM: 5,
  BOOL: 6,
  TENSOR_QUANT16_SYMM: 7,
  TENSOR_FLOAT16: 8,
  TENSOR_BOOL8: 9,
  FLOAT16: 10,
  TENSOR_QUANT8_SYMM_PER_CHANNEL: 11,
  TENSOR_QUANT16_ASYMM: 12,
  TENSOR_QUANT8_SYMM: 13,
  TENSOR_QUANT8_ASYMM_SIGNED: 14,
  SUBGRAPH: 15,
  TENSOR_OEM_BYTE: 10001,
} as const;

/** An NNAPI OperandCode name, e.g. `TENSOR_FLOAT32`, `TENSOR_QUANT8_ASYMM_SIGNED`, `INT32`. */
export type OperandTypeName = keyof typeof OPERAND_TYPE_CODES;
export const OPERAND_TYPE_NAMES = Object.keys(OPERAND_TYPE_CODES) as OperandTypeName[];

export const SCALAR_TYPES: ReadonlySet<OperandTypeName> = new Set(['FLOAT32', 'INT32', 'UINT32', 'BOOL', 'FLOAT16']);
export const FLOAT_TENSOR_TYPES: ReadonlySet<OperandTypeName> = new Set(['TENSOR_FLOAT32', 'TENSOR_FLOAT16']);

export function isScalarType(t: OperandTypeName): boolean {
  return SCALAR_TYPES.has(t);
}

/** NNAPI feature levels we speak of (FL1 = Android 8.1 / HAL 1.0 … FL4 = Android 11 / HAL 1.3). */
export type FeatureLevel = 1 | 2 | 3 | 4;
export const VERSION_TO_FEATURE_LEVEL: Record<string, FeatureLevel | undefined> = {
  V1_0: 1,
  V1_1: 2,
  V1_2: 3,
  V1_3: 4,
  UNKNOWN: undefined,
};
