// NumPy .npy files (format version 1.0): how encoded datasets reach the Python trainer
// (packages/prm-model/train), which memory-maps them with np.load(mmap_mode="r"). Big arrays are
// created at full size first and filled at row offsets (positional writes), so workers can fill
// disjoint rows of one file and nothing holds the whole array in memory.
import { closeSync, ftruncateSync, openSync, readSync, writeSync } from "node:fs";

export type NpyDtype = "<f4" | "|u1" | "<i4";

type Typed = Float32Array | Uint8Array | Int32Array;

const BYTES: Record<NpyDtype, number> = { "<f4": 4, "|u1": 1, "<i4": 4 };
const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
/** Large arrays are read and written in slices: one fs call takes at most 2 GB. */
const SLICE = 1 << 28;

/** The header (magic, version, length, dict) padded so the data starts at a multiple of 64 bytes. */
export function npyHeader(dtype: NpyDtype, shape: readonly number[]): Buffer {
  const dims = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let dict = `{'descr': '${dtype}', 'fortran_order': False, 'shape': ${dims}, }`;
  const unpadded = MAGIC.length + 2 + dict.length + 1;
  dict += `${" ".repeat((64 - (unpadded % 64)) % 64)}\n`;
  const len = Buffer.alloc(2);
  len.writeUInt16LE(dict.length);
  return Buffer.concat([MAGIC, len, Buffer.from(dict, "latin1")]);
}

/** An .npy file of `shape` (zero-filled), to be filled with writeNpyRows; returns the header size. */
export function createNpy(file: string, dtype: NpyDtype, shape: readonly number[]): number {
  const header = npyHeader(dtype, shape);
  const fd = openSync(file, "w");
  try {
    writeSync(fd, header, 0, header.length, 0);
    ftruncateSync(fd, header.length + shape.reduce((a, b) => a * b, 1) * BYTES[dtype]);
  } finally {
    closeSync(fd);
  }
  return header.length;
}

/** Writes `data` (whole rows of `rowLength` elements) at row `row` of an .npy file made by createNpy. */
export function writeNpyRows(file: string, dtype: NpyDtype, shape: readonly number[], row: number, data: Typed): void {
  const rowLength = shape.slice(1).reduce((a, b) => a * b, 1);
  if (data.length % rowLength !== 0) throw new Error(`${file}: ${data.length} values are not whole rows of ${rowLength}`);
  const start = npyHeader(dtype, shape).length + row * rowLength * BYTES[dtype];
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const fd = openSync(file, "r+");
  try {
    for (let pos = 0; pos < bytes.length; ) pos += writeSync(fd, bytes, pos, Math.min(SLICE, bytes.length - pos), start + pos);
  } finally {
    closeSync(fd);
  }
}

/** A whole .npy file written at once. */
export function writeNpy(file: string, dtype: NpyDtype, shape: readonly number[], data: Typed): void {
  createNpy(file, dtype, shape);
  writeNpyRows(file, dtype, shape, 0, data);
}

export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  data: Typed;
}

/** Reads an .npy file of one of the dtypes above (C order). */
export function readNpy(file: string): NpyArray {
  const fd = openSync(file, "r");
  try {
    const pre = Buffer.alloc(10);
    readSync(fd, pre, 0, 10, 0);
    if (!pre.subarray(0, 6).equals(MAGIC.subarray(0, 6)) || pre[6] !== 1) throw new Error(`${file}: not an .npy file of format 1.0`);
    const headerLength = pre.readUInt16LE(8);
    const dictBuf = Buffer.alloc(headerLength);
    readSync(fd, dictBuf, 0, headerLength, 10);
    const dict = dictBuf.toString("latin1");
    const descr = /'descr':\s*'([^']+)'/.exec(dict)?.[1] as NpyDtype | undefined;
    if (!descr || !(descr in BYTES)) throw new Error(`${file}: unsupported dtype ${descr}`);
    if (/'fortran_order':\s*True/.test(dict)) throw new Error(`${file}: Fortran order is not supported`);
    const shape = (/'shape':\s*\(([^)]*)\)/.exec(dict)?.[1] ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "")
      .map(Number);
    const count = shape.reduce((a, b) => a * b, 1);
    const bytes = new Uint8Array(count * BYTES[descr]);
    for (let pos = 0; pos < bytes.length; ) {
      const got = readSync(fd, bytes, pos, Math.min(SLICE, bytes.length - pos), 10 + headerLength + pos);
      if (got === 0) throw new Error(`${file}: truncated`);
      pos += got;
    }
    const data = descr === "<f4" ? new Float32Array(bytes.buffer) : descr === "<i4" ? new Int32Array(bytes.buffer) : bytes;
    return { dtype: descr, shape, data };
  } finally {
    closeSync(fd);
  }
}
