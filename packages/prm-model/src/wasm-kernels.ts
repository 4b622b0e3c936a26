// The two GEMM shapes that dominate training, as WebAssembly SIMD (f32x4), assembled here from
// opcodes: no toolchain, no binary blob in the repository. They compute exactly what gemmAB and
// gemmABt in kernels.ts compute (summing in float32 lanes instead of JS doubles, so results differ
// in the last bits) at ~17 GFLOP/s on one core instead of ~1.5. Results are still deterministic:
// WebAssembly SIMD has no fused multiply-add and a fixed evaluation order.
//
//   gemmAB (M, N, K, A, B, C): C[M×N] += A[M×K] · B[K×N]          needs M % 4 = 0, N % 8 = 0
//   gemmABt(M, N, K, A, B, C): C[M×N] += A[M×K] · B[N×K]ᵀ         needs M % 4 = 0, K % 4 = 0
//
// Pointers are byte offsets into the memory the module imports as env.mem.

const I32 = 0x7f;
const V128 = 0x7b;

function u32(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

function s32(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const str = (s: string): number[] => [...u32(s.length), ...Buffer.from(s, "utf8")];
const vec = (items: number[][]): number[] => [...u32(items.length), ...items.flat()];
const section = (id: number, bytes: number[]): number[] => [id, ...u32(bytes.length), ...bytes];

// Instructions.
const get = (i: number): number[] => [0x20, ...u32(i)];
const set = (i: number): number[] => [0x21, ...u32(i)];
const tee = (i: number): number[] => [0x22, ...u32(i)];
const i32 = (v: number): number[] => [0x41, ...s32(v)];
const ADD = [0x6a];
const MUL = [0x6c];
const SHL = [0x74];
const AND = [0x71];
const LT_S = [0x48];
const GE_S = [0x4e];
const f32load = (off: number): number[] => [0x2a, 2, ...u32(off)];
const f32store = (off: number): number[] => [0x38, 2, ...u32(off)];
const F32_ADD = [0x92];
const vload = (off: number): number[] => [0xfd, 0x00, 2, ...u32(off)];
const vstore = (off: number): number[] => [0xfd, 0x0b, 2, ...u32(off)];
const vzero = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];
const SPLAT = [0xfd, 0x13];
const VADD = [0xfd, 0xe4, 0x01];
const VMUL = [0xfd, 0xe6, 0x01];
const lane = (l: number): number[] => [0xfd, 0x1f, l];
const MEMORY_COPY = [0xfc, 0x0a, 0x00, 0x00];
const MEMORY_FILL = [0xfc, 0x0b, 0x00];
const SUB = [0x6b];
const block = (body: number[]): number[] => [0x02, 0x40, ...body, 0x0b];
const ifThen = (cond: number[], then: number[], otherwise?: number[]): number[] =>
  otherwise ? [...cond, 0x04, 0x40, ...then, 0x05, ...otherwise, 0x0b] : [...cond, 0x04, 0x40, ...then, 0x0b];
const EQZ = [0x45];
const GT_S = [0x4a];
const loop = (body: number[]): number[] => [0x03, 0x40, ...body, 0x0b];
const brIf = (depth: number): number[] => [0x0d, ...u32(depth)];
/** Unconditional branch to the innermost enclosing loop (continue). */
const continueLoop = (): number[] => [0x0c, 0x00];
/** f32.const 0 */
const f32z = (): number[] => [0x43, 0, 0, 0, 0];

/** for (v = start; v < end; v += step) body  (signed i32 comparisons; start/end/step push an i32). */
function forLoop(v: number, start: number[], end: number[], step: number[], body: number[]): number[] {
  return [...start, ...set(v), ...block([...get(v), ...end, ...GE_S, ...brIf(0), ...loop([...body, ...get(v), ...step, ...ADD, ...tee(v), ...end, ...LT_S, ...brIf(0)])])];
}

function funcBody(locals: [number, number][], body: number[]): number[] {
  const code = [...vec(locals.map(([count, type]) => [...u32(count), type])), ...body, 0x0b];
  return [...u32(code.length), ...code];
}

// Parameters of both functions: 0 M, 1 N, 2 K, 3 A, 4 B, 5 C.
const M = 0, N = 1, K = 2, A = 3, B = 4, C = 5;

/** C += A·B with a 4-row × 8-column register block (8 f32x4 accumulators). */
function gemmABBody(): number[] {
  // i32 locals 6..16: i, j, k, pa0..pa3, bp, N4, K4, crow.  v128 locals 17..27: acc[4][2], b0, b1, x.
  const i = 6, j = 7, k = 8, pa = 9, bp = 13, N4 = 14, K4 = 15, crow = 16;
  const acc = (r: number, h: number): number => 17 + r * 2 + h;
  const b0 = 25, x = 27;
  const inner: number[] = [...get(bp), ...vload(0), ...set(b0), ...get(bp), ...vload(16), ...set(b0 + 1)];
  for (let r = 0; r < 4; r++) {
    inner.push(...get(pa + r), ...f32load(0), ...SPLAT, ...set(x));
    for (let h = 0; h < 2; h++) inner.push(...get(acc(r, h)), ...get(x), ...get(b0 + h), ...VMUL, ...VADD, ...set(acc(r, h)));
    inner.push(...get(pa + r), ...i32(4), ...ADD, ...set(pa + r));
  }
  inner.push(...get(bp), ...get(N4), ...ADD, ...set(bp));
  const rowPtr = (r: number): number[] => [...get(crow), ...i32(r), ...get(N4), ...MUL, ...ADD];
  const jBody: number[] = [...get(i), ...get(N), ...MUL, ...get(j), ...ADD, ...i32(2), ...SHL, ...get(C), ...ADD, ...set(crow)];
  for (let r = 0; r < 4; r++) for (let h = 0; h < 2; h++) jBody.push(...rowPtr(r), ...vload(h * 16), ...set(acc(r, h)));
  for (let r = 0; r < 4; r++) jBody.push(...get(i), ...i32(r), ...ADD, ...get(K4), ...MUL, ...get(A), ...ADD, ...set(pa + r));
  jBody.push(...get(j), ...i32(2), ...SHL, ...get(B), ...ADD, ...set(bp));
  jBody.push(...forLoop(k, i32(0), get(K), i32(1), inner));
  for (let r = 0; r < 4; r++) for (let h = 0; h < 2; h++) jBody.push(...rowPtr(r), ...get(acc(r, h)), ...vstore(h * 16));
  const body = [
    ...get(N), ...i32(2), ...SHL, ...set(N4),
    ...get(K), ...i32(2), ...SHL, ...set(K4),
    ...forLoop(i, i32(0), get(M), i32(4), forLoop(j, i32(0), get(N), i32(8), jBody)),
  ];
  return funcBody([[11, I32], [11, V128]], body);
}

/** C += A·Bᵀ: 4 rows × `cols` columns of dot products, f32x4 partial sums over k, then lane sums. */
function gemmABtBody(): number[] {
  // i32 locals 6..16: i, j, koff, pa0..pa3, pb0, pb1, K4, N2.  v128 locals 17..30: acc[4][2], va[4], vb[2].
  const i = 6, j = 7, koff = 8, pa = 9, pb = 13, K4 = 15, N2 = 16;
  const acc = (r: number, c: number): number => 17 + r * 2 + c;
  const va = 25, vb = 29;
  const tile = (cols: number): number[] => {
    const out: number[] = [];
    for (let r = 0; r < 4; r++) out.push(...get(i), ...i32(r), ...ADD, ...get(K4), ...MUL, ...get(A), ...ADD, ...set(pa + r));
    for (let c = 0; c < cols; c++) out.push(...get(j), ...i32(c), ...ADD, ...get(K4), ...MUL, ...get(B), ...ADD, ...set(pb + c));
    for (let r = 0; r < 4; r++) for (let c = 0; c < cols; c++) out.push(...vzero, ...set(acc(r, c)));
    const inner: number[] = [];
    for (let r = 0; r < 4; r++) inner.push(...get(pa + r), ...get(koff), ...ADD, ...vload(0), ...set(va + r));
    for (let c = 0; c < cols; c++) inner.push(...get(pb + c), ...get(koff), ...ADD, ...vload(0), ...set(vb + c));
    for (let r = 0; r < 4; r++) for (let c = 0; c < cols; c++) inner.push(...get(acc(r, c)), ...get(va + r), ...get(vb + c), ...VMUL, ...VADD, ...set(acc(r, c)));
    out.push(...forLoop(koff, i32(0), get(K4), i32(16), inner));
    for (let r = 0; r < 4; r++)
      for (let c = 0; c < cols; c++) {
        // &C[(i + r)·N + j + c]
        out.push(...get(i), ...i32(r), ...ADD, ...get(N), ...MUL, ...get(j), ...ADD, ...i32(c), ...ADD, ...i32(2), ...SHL, ...get(C), ...ADD, ...tee(koff));
        out.push(...get(koff), ...f32load(0));
        out.push(...get(acc(r, c)), ...lane(0), ...get(acc(r, c)), ...lane(1), ...F32_ADD, ...get(acc(r, c)), ...lane(2), ...F32_ADD, ...get(acc(r, c)), ...lane(3), ...F32_ADD);
        out.push(...F32_ADD, ...f32store(0));
      }
    return out;
  };
  const body = [
    ...get(K), ...i32(2), ...SHL, ...set(K4),
    ...get(N), ...i32(-2), ...AND, ...set(N2),
    ...forLoop(i, i32(0), get(M), i32(4), [...forLoop(j, i32(0), get(N2), i32(2), tile(2)), ...forLoop(j, get(N2), get(N), i32(1), tile(1))]),
  ];
  return funcBody([[11, I32], [14, V128]], body);
}

// Parameters of im2col3 / col2im3: 0 x (image [C×H×W]), 1 C, 2 H, 3 W, 4 cols ([C·9 × H·W]).
/** cols rows = the image shifted by (ky − 1, kx − 1), zero outside: memory.copy / memory.fill per row. */
function im2colBody(): number[] {
  const X = 0, Cc = 1, H = 2, W = 3, COLS = 4;
  // i32 locals 5..12: c, ky, kx, y, sy, o (row pointer), src, W4
  const c = 5, ky = 6, kx = 7, y = 8, sy = 9, o = 10, src = 11, W4 = 12;
  const rowBody: number[] = [
    // o = cols + (((c·9 + ky·3 + kx)·H + y)·W)·4
    ...get(c), ...i32(9), ...MUL, ...get(ky), ...i32(3), ...MUL, ...ADD, ...get(kx), ...ADD, ...get(H), ...MUL, ...get(y), ...ADD, ...get(W4), ...MUL, ...get(COLS), ...ADD, ...set(o),
    ...get(y), ...get(ky), ...ADD, ...i32(1), ...SUB, ...set(sy),
    ...ifThen(
      [...get(sy), ...i32(0), ...LT_S, ...get(sy), ...get(H), ...GE_S, 0x72 /* i32.or */],
      [...get(o), ...i32(0), ...get(W4), ...MEMORY_FILL],
      [
        // src = x + ((c·H + sy)·W + kx − 1)·4
        ...get(c), ...get(H), ...MUL, ...get(sy), ...ADD, ...get(W), ...MUL, ...get(kx), ...ADD, ...i32(1), ...SUB, ...i32(2), ...SHL, ...get(X), ...ADD, ...set(src),
        ...ifThen(
          [...get(kx), ...EQZ],
          [...get(o), ...f32z(), ...f32store(0), ...get(o), ...i32(4), ...ADD, ...get(src), ...i32(4), ...ADD, ...get(W4), ...i32(4), ...SUB, ...MEMORY_COPY],
          ifThen(
            [...get(kx), ...i32(1), 0x46 /* i32.eq */],
            [...get(o), ...get(src), ...get(W4), ...MEMORY_COPY],
            [...get(o), ...get(src), ...get(W4), ...i32(4), ...SUB, ...MEMORY_COPY, ...get(o), ...get(W4), ...ADD, ...i32(4), ...SUB, ...f32z(), ...f32store(0)],
          ),
        ),
      ],
    ),
  ];
  const body = [
    ...get(W), ...i32(2), ...SHL, ...set(W4),
    ...forLoop(c, i32(0), get(Cc), i32(1), forLoop(ky, i32(0), i32(3), i32(1), forLoop(kx, i32(0), i32(3), i32(1), forLoop(y, i32(0), get(H), i32(1), rowBody)))),
  ];
  return funcBody([[8, I32]], body);
}

/** dx (image [C×H×W]) += the rows of cols shifted back: the adjoint of im2col3, f32x4 where it can. */
function col2imBody(): number[] {
  const COLS = 0, Cc = 1, H = 2, W = 3, DX = 4;
  // i32 locals 5..15: c, ky, kx, y, sy, o, dst, W4, lo, hi, xx
  const c = 5, ky = 6, kx = 7, y = 8, sy = 9, o = 10, dst = 11, W4 = 12, lo = 13, hi = 14, xx = 15;
  const at = (base: number): number[] => [...get(base), ...get(xx), ...i32(2), ...SHL, ...ADD];
  const rowBody: number[] = [
    ...get(y), ...get(ky), ...ADD, ...i32(1), ...SUB, ...set(sy),
    ...ifThen([...get(sy), ...i32(0), ...GE_S, ...get(sy), ...get(H), ...LT_S, 0x71 /* i32.and */], [
      ...get(c), ...i32(9), ...MUL, ...get(ky), ...i32(3), ...MUL, ...ADD, ...get(kx), ...ADD, ...get(H), ...MUL, ...get(y), ...ADD, ...get(W4), ...MUL, ...get(COLS), ...ADD, ...set(o),
      // dst = dx + ((c·H + sy)·W + kx − 1)·4; element xx of the row goes to dst + 4·xx
      ...get(c), ...get(H), ...MUL, ...get(sy), ...ADD, ...get(W), ...MUL, ...get(kx), ...ADD, ...i32(1), ...SUB, ...i32(2), ...SHL, ...get(DX), ...ADD, ...set(dst),
      ...get(kx), ...EQZ, ...set(lo),
      ...get(W), ...get(kx), ...i32(2), 0x46 /* i32.eq */, ...SUB, ...set(hi),
      ...get(lo), ...set(xx),
      // Four at a time while they fit, then one at a time.
      ...block(loop([
        ...get(xx), ...i32(4), ...ADD, ...get(hi), ...GT_S, ...brIf(1),
        ...at(dst), ...at(dst), ...vload(0), ...at(o), ...vload(0), ...VADD, ...vstore(0),
        ...get(xx), ...i32(4), ...ADD, ...set(xx), ...continueLoop(),
      ])),
      ...block(loop([
        ...get(xx), ...get(hi), ...GE_S, ...brIf(1),
        ...at(dst), ...at(dst), ...f32load(0), ...at(o), ...f32load(0), ...F32_ADD, ...f32store(0),
        ...get(xx), ...i32(1), ...ADD, ...set(xx), ...continueLoop(),
      ])),
    ]),
  ];
  const body = [
    ...get(W), ...i32(2), ...SHL, ...set(W4),
    ...forLoop(c, i32(0), get(Cc), i32(1), forLoop(ky, i32(0), i32(3), i32(1), forLoop(kx, i32(0), i32(3), i32(1), forLoop(y, i32(0), get(H), i32(1), rowBody)))),
  ];
  return funcBody([[11, I32]], body);
}

// The few WebAssembly JS-API members used here (the repository's TS libs carry no DOM types).
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** A WebAssembly memory of at least `bytes` bytes. */
export function createMemory(bytes: number): WasmMemory {
  return new WA.Memory({ initial: Math.max(1, Math.ceil(bytes / 65536)) });
}

let moduleCache: object | null | undefined;

/** The compiled module, or null where WebAssembly SIMD is unavailable. */
export function gemmModule(): object | null {
  if (moduleCache !== undefined) return moduleCache;
  const sig = [0x60, ...vec([[I32], [I32], [I32], [I32], [I32], [I32]]), ...vec([])];
  const sig5 = [0x60, ...vec([[I32], [I32], [I32], [I32], [I32]]), ...vec([])];
  const bytes = Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([sig, sig5])),
    ...section(2, vec([[...str("env"), ...str("mem"), 0x02, 0x00, ...u32(1)]])),
    ...section(3, vec([u32(0), u32(0), u32(1), u32(1)])),
    ...section(7, vec([[...str("gemmAB"), 0x00, ...u32(0)], [...str("gemmABt"), 0x00, ...u32(1)], [...str("im2col3"), 0x00, ...u32(2)], [...str("col2im3"), 0x00, ...u32(3)]])),
    ...section(10, vec([gemmABBody(), gemmABtBody(), im2colBody(), col2imBody()])),
  ]);
  try {
    moduleCache = new WA.Module(bytes);
  } catch {
    moduleCache = null;
  }
  return moduleCache;
}

export interface WasmGemm {
  gemmAB(m: number, n: number, k: number, a: number, b: number, c: number): void;
  gemmABt(m: number, n: number, k: number, a: number, b: number, c: number): void;
  /** kernels.ts im2col3 (x and cols are byte pointers). */
  im2col3(x: number, c: number, h: number, w: number, cols: number): void;
  /** kernels.ts col2im3 (cols and dx are byte pointers). */
  col2im3(cols: number, c: number, h: number, w: number, dx: number): void;
}

/** The kernels bound to `memory`, or null where WebAssembly SIMD is unavailable. */
export function instantiateGemm(memory: WasmMemory): WasmGemm | null {
  const mod = gemmModule();
  if (!mod) return null;
  return new WA.Instance(mod, { env: { mem: memory } }).exports as unknown as WasmGemm;
}
