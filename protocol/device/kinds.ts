// Field kinds in the device tables, shared by the generator and the codec.
// A const enum: the device bundle gets the bare numbers.

/** Scalar field kinds; a repeated (packed on encode) scalar adds Repeated. */
export const enum Kind {
  Uint32 = 0,
  Int32 = 1,
  Sint32 = 2,
  Uint64 = 3,
  Bool = 4,
  String = 5,
  Repeated = 8,
}
