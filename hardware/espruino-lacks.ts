// What the Espruino interpreter lacks, measured on the Linux build 2v29.277
// (32-bit 2950-variable and 64-bit builds agree) by calling each one in a
// try/catch. One list, two users: the build gate rejects bundles that name
// these, and the simulator deletes them from its context so code that reaches
// them at run time fails there as it would on the device.
// test/sim-lacks-interpreter.test.ts re-runs the probe against the real
// interpreter when it is installed.

/** Global constructors and namespaces that do not exist. */
export const MISSING_GLOBALS = [
  'Map', 'Set', 'WeakMap', 'WeakSet', 'WeakRef', 'FinalizationRegistry', 'Symbol', 'Proxy', 'Reflect', 'BigInt',
  'BigInt64Array', 'BigUint64Array', 'RangeError', 'EvalError', 'URIError', 'AggregateError', 'SharedArrayBuffer',
  'Atomics', 'Intl', 'TextEncoder', 'TextDecoder', 'structuredClone', 'queueMicrotask', 'escape', 'unescape',
] as const;

/** Static members that do not exist, by owner. */
export const MISSING_STATICS: Record<string, readonly string[]> = {
  Array: ['from', 'of'],
  Object: ['freeze', 'isFrozen', 'seal', 'isSealed', 'preventExtensions', 'getOwnPropertySymbols', 'is'],
  Number: ['isInteger', 'isNaN', 'isFinite', 'isSafeInteger', 'parseInt', 'parseFloat', 'EPSILON', 'MAX_SAFE_INTEGER', 'MIN_SAFE_INTEGER'],
  Math: ['trunc', 'log2', 'log10', 'hypot', 'cbrt', 'clz32', 'imul', 'fround', 'expm1', 'log1p', 'sinh', 'cosh', 'tanh'],
  String: ['fromCodePoint', 'raw'],
  Promise: ['race', 'allSettled', 'any'],
  ArrayBuffer: ['isView'],
  Error: ['captureStackTrace'],
  Uint8Array: ['from', 'of'],
  Int8Array: ['from', 'of'],
  Uint16Array: ['from', 'of'],
  Int16Array: ['from', 'of'],
  Uint32Array: ['from', 'of'],
  Int32Array: ['from', 'of'],
  Float32Array: ['from', 'of'],
  Float64Array: ['from', 'of'],
  Uint8ClampedArray: ['from', 'of'],
};

/** Prototype methods that do not exist, by owner. */
export const MISSING_METHODS: Record<string, readonly string[]> = {
  Array: ['flat', 'flatMap', 'copyWithin', 'entries', 'keys', 'values', 'at', 'findLast', 'findLastIndex', 'reduceRight', 'lastIndexOf', 'toSorted', 'toReversed', 'toSpliced', 'with'],
  String: ['trimStart', 'trimEnd', 'codePointAt', 'normalize', 'matchAll', 'at', 'localeCompare', 'search'],
  Number: ['toPrecision'],
  Date: ['toLocaleTimeString', 'toLocaleDateString', 'toLocaleString'],
  Promise: ['finally'],
  Uint8Array: ['at'],
  Object: ['toLocaleString'],
};

/**
 * Method names the gate rejects wherever they are called: distinctive enough
 * that a call is almost surely the missing built-in. Generic names (at, keys,
 * values, entries, search, with) are left to the simulator, which lacks them too.
 */
export const GATED_METHOD_NAMES = [
  'finally', 'flat', 'flatMap', 'copyWithin', 'findLast', 'findLastIndex', 'reduceRight', 'lastIndexOf', 'toSorted',
  'toReversed', 'toSpliced', 'trimStart', 'trimEnd', 'codePointAt', 'normalize', 'matchAll', 'localeCompare',
  'toPrecision', 'toLocaleTimeString', 'toLocaleDateString', 'toLocaleString',
] as const;

/** Downlevel helpers of TypeScript (tslib) and esbuild: their presence means a construct was lowered into code the interpreter breaks on. */
export const HELPER_NAMES = [
  '__extends', '__assign', '__rest', '__decorate', '__param', '__awaiter', '__generator', '__values', '__read',
  '__spread', '__spreadArray', '__spreadArrays', '__await', '__asyncGenerator', '__asyncValues', '__makeTemplateObject',
  '__importDefault', '__importStar', '__classPrivateFieldGet', '__classPrivateFieldSet', '__createBinding', '__exportStar',
  '__defProp', '__defNormalProp', '__publicField', '__spreadValues', '__spreadProps', '__objRest', '__async', '__pow',
  '__template', '__knownSymbol', '__restKey', '__commonJS', '__toESM', '__toCommonJS', '__require', '__name',
] as const;
