// Matching word templates against an image's ink by normalised cross-correlation (textMatch.ts
// asks where; this file says how well). Both sides are blurred by a 3×3 binomial filter, so a
// correlation peak is wide enough to find on a half-resolution grid and subpixel placement matters
// less; the few best half-resolution placements are then measured at full resolution.
import { GLYPH_FAMILIES, GLYPH_SIZES, setWord, type WordBitmap } from "./glyphs";
import type { StepPixels } from "./patches";

// Scratch planes for blur, grown on demand: readInk blurs thousands of small regions per batch and
// copies each result out at once, so they need not be garbage (one thread per isolate encodes).
const scratchPlanes = [new Float32Array(0), new Float32Array(0)];
function scratchArray(i: 0 | 1, length: number): Float32Array {
  if (scratchPlanes[i].length < length) scratchPlanes[i] = new Float32Array(Math.max(length, 2 * scratchPlanes[i].length));
  return scratchPlanes[i].subarray(0, length);
}

/**
 * A separable [1 2 1]/4 blur of a w×h plane, one pixel wider on each side: correlation peaks get
 * wide enough for a two-pixel search grid, and subpixel placement matters less.
 */
function blur(src: Float32Array, w: number, h: number, scratch = false): Float32Array {
  const W = w + 2;
  const H = h + 2;
  // Horizontal: out[x] = (src[x−2] + 2·src[x−1] + src[x]) / 4 over the padded width.
  const tmp = scratchArray(0, W * h);
  for (let y = 0; y < h; y++) {
    const r = y * w;
    const o = y * W;
    for (let x = 0; x < W; x++) {
      const a = x >= 2 && x - 2 < w ? src[r + x - 2] : 0;
      const b = x >= 1 && x - 1 < w ? src[r + x - 1] : 0;
      const c = x < w ? src[r + x] : 0;
      tmp[o + x] = 0.25 * a + 0.5 * b + 0.25 * c;
    }
  }
  const out = scratch ? scratchArray(1, W * H) : new Float32Array(W * H);
  for (let y = 0; y < H; y++) {
    const o = y * W;
    const ra = (y - 2) * W;
    const rb = (y - 1) * W;
    const hasA = y >= 2 && y - 2 < h;
    const hasB = y >= 1 && y - 1 < h;
    const hasC = y < h;
    for (let x = 0; x < W; x++) {
      out[o + x] = 0.25 * (hasA ? tmp[ra + x] : 0) + 0.5 * (hasB ? tmp[rb + x] : 0) + 0.25 * (hasC ? tmp[o + x] : 0);
    }
  }
  return out;
}

/** 2×2 block means of a w×h plane (odd edges averaged over what is there). */
function halve(src: Float32Array, w: number, h: number): { ink: Float32Array; w: number; h: number } {
  const hw = (w + 1) >> 1;
  const hh = (h + 1) >> 1;
  const ink = new Float32Array(hw * hh);
  // Whole 2×2 blocks without bounds checks (summed in the same order as the edge loop below, so
  // the means are the same to the bit); then the odd last column and row.
  const fw = w >> 1;
  const fh = h >> 1;
  for (let y = 0; y < fh; y++) {
    const r0 = 2 * y * w;
    const r1 = r0 + w;
    for (let x = 0; x < fw; x++) ink[y * hw + x] = (src[r0 + 2 * x] + src[r0 + 2 * x + 1] + src[r1 + 2 * x] + src[r1 + 2 * x + 1]) / 4;
  }
  for (let y = 0; y < hh; y++) {
    for (let x = y < fh ? fw : 0; x < hw; x++) {
      let s = 0;
      let n = 0;
      for (let dy = 0; dy < 2; dy++) {
        for (let dx = 0; dx < 2; dx++) {
          const sx = 2 * x + dx;
          const sy = 2 * y + dy;
          if (sx < w && sy < h) {
            s += src[sy * w + sx];
            n++;
          }
        }
      }
      ink[y * hw + x] = s / n;
    }
  }
  return { ink, w: hw, h: hh };
}

/** A template plane: ink minus its mean (so the cross term alone is the covariance), and its norm. */
export interface Pattern {
  w: number;
  h: number;
  centred: Float32Array;
  norm: number;
}

function pattern(ink: Float32Array, w: number, h: number): Pattern {
  let sum = 0;
  for (const v of ink) sum += v;
  const mean = sum / ink.length;
  const centred = new Float32Array(ink.length);
  let ss = 0;
  for (let i = 0; i < ink.length; i++) {
    centred[i] = ink[i] - mean;
    ss += centred[i] * centred[i];
  }
  return { w, h, centred, norm: Math.sqrt(ss) };
}

/** A word in one family and size, blurred, at full and half resolution. */
export interface Template {
  bmp: WordBitmap;
  full: Pattern;
  half: Pattern;
}

// Templates by text. Bounded: names repeat within a group, and a few hundred cover a batch.
const templates = new Map<string, Template[]>();

export function templatesOf(text: string): Template[] {
  let list = templates.get(text);
  if (list) return list;
  list = [];
  for (let f = 0; f < GLYPH_FAMILIES.length; f++) {
    for (let s = 0; s < GLYPH_SIZES.length; s++) {
      const word = setWord(text, f, s);
      if (!word) continue;
      // Blurred, so one pixel wider each side (character spans move with it).
      const bmp: WordBitmap = { w: word.w + 2, h: word.h + 2, ink: blur(word.ink, word.w, word.h), chars: word.chars.map(([a, b]) => [a, b + 2]) };
      const half = halve(bmp.ink, bmp.w, bmp.h);
      list.push({ bmp, full: pattern(bmp.ink, bmp.w, bmp.h), half: pattern(half.ink, half.w, half.h) });
    }
  }
  if (templates.size >= 256) templates.clear();
  templates.set(text, list);
  return list;
}

/**
 * Image ink over a rectangle, for correlations at any offset. The integral images of v and v² that
 * make each placement O(template) are built on the first `ncc`: a plane searched at many placements
 * pays for them once, a plane refined at a few (`nccAt`) never does.
 */
export class Plane {
  private s1: Float64Array | undefined;
  private s2: Float64Array | undefined;
  constructor(
    readonly ink: Float32Array,
    readonly w: number,
    readonly h: number,
  ) {}

  private integrals(): [Float64Array, Float64Array] {
    if (this.s1 && this.s2) return [this.s1, this.s2];
    const { ink, w, h } = this;
    const W1 = w + 1;
    const s1 = new Float64Array(W1 * (h + 1));
    const s2 = new Float64Array(W1 * (h + 1));
    for (let y = 0; y < h; y++) {
      let r1 = 0;
      let r2 = 0;
      for (let x = 0; x < w; x++) {
        const v = ink[y * w + x];
        r1 += v;
        r2 += v * v;
        s1[(y + 1) * W1 + x + 1] = s1[y * W1 + x + 1] + r1;
        s2[(y + 1) * W1 + x + 1] = s2[y * W1 + x + 1] + r2;
      }
    }
    this.s1 = s1;
    this.s2 = s2;
    return [s1, s2];
  }

  private boxSum(s: Float64Array, x: number, y: number, tw: number, th: number): number {
    const W1 = this.w + 1;
    return s[(y + th) * W1 + x + tw] - s[y * W1 + x + tw] - s[(y + th) * W1 + x] + s[y * W1 + x];
  }

  /** Normalised cross-correlation of `p` placed with its top-left at (x, y); 0 where either is flat or `p` leaves the plane. */
  ncc(p: Pattern, x: number, y: number): number {
    const { w: tw, h: th, centred } = p;
    if (x < 0 || y < 0 || x + tw > this.w || y + th > this.h || p.norm <= 0) return 0;
    const [s1, s2] = this.integrals();
    const sv = this.boxSum(s1, x, y, tw, th);
    const varV = this.boxSum(s2, x, y, tw, th) - (sv * sv) / (tw * th);
    if (varV <= 1e-6) return 0;
    const ink = this.ink;
    const W = this.w;
    let cross = 0;
    for (let ty = 0; ty < th; ty++) {
      const row = (y + ty) * W + x;
      const trow = ty * tw;
      for (let tx = 0; tx < tw; tx++) cross += centred[trow + tx] * ink[row + tx];
    }
    return cross / (p.norm * Math.sqrt(varV));
  }

  /** The same over the template columns [c0, c1) only (one character of a word). */
  nccColumns(t: WordBitmap, x: number, y: number, c0: number, c1: number): number {
    let st = 0,
      sv = 0,
      stt = 0,
      svv = 0,
      stv = 0;
    const n = (c1 - c0) * t.h;
    for (let yy = 0; yy < t.h; yy++) {
      for (let xx = c0; xx < c1; xx++) {
        const a = t.ink[yy * t.w + xx];
        const b = this.ink[(y + yy) * this.w + x + xx];
        st += a;
        sv += b;
        stt += a * a;
        svv += b * b;
        stv += a * b;
      }
    }
    const vt = stt - (st * st) / n;
    const vv = svv - (sv * sv) / n;
    return vt <= 1e-6 || vv <= 1e-6 ? 0 : (stv - (st * sv) / n) / Math.sqrt(vt * vv);
  }
}

/** Ink (1 − luminance) of one pixel: the one formula for root and layer pixels alike. */
const inkOf = (p: Uint8Array, o: number): number => 1 - (0.299 * p[o] + 0.587 * p[o + 1] + 0.114 * p[o + 2]) / 255;

/** Widest root image whose ink rows are cached (a row is width × 4 bytes; beyond this, computed per read). */
const MAX_CACHED_WIDTH = 4096;

/**
 * The ink of a root image's rows, computed once per row and kept while the image lives: every
 * text search of every step of a group reads the same chart, mostly the same label rows.
 */
const rootInk = new WeakMap<object, (Float32Array | undefined)[]>();

function rootInkRow(root: StepPixels["root"], y: number): Float32Array | null {
  if (root.width > MAX_CACHED_WIDTH) return null;
  let rows = rootInk.get(root.pixels);
  if (!rows) {
    rows = new Array(root.height);
    rootInk.set(root.pixels, rows);
  }
  let row = rows[y];
  if (!row) {
    row = new Float32Array(root.width);
    const p = root.pixels;
    const rc = root.channels;
    const base = y * root.width * rc;
    for (let x = 0; x < root.width; x++) row[x] = inkOf(p, base + x * rc);
    rows[y] = row;
  }
  return row;
}

/** The before image's ink (1 − luminance), blurred like the templates, over [x0, x0 + w) × [y0, y0 + h). */
export function readInk(px: StepPixels, x0: number, y0: number, w: number, h: number): Float32Array {
  const ink = new Float32Array(w * h);
  const root = px.root.pixels;
  const rc = px.root.channels;
  const xa = Math.max(0, x0);
  const xb = Math.min(px.width, x0 + w);
  for (let y = 0; y < h; y++) {
    const iy = y0 + y;
    if (iy < 0 || iy >= px.height || xa >= xb) continue;
    const out = y * w - x0;
    const cached = rootInkRow(px.root, iy);
    if (cached) ink.set(cached.subarray(xa, xb), out + xa);
    else for (let ix = xa; ix < xb; ix++) ink[out + ix] = inkOf(root, (iy * px.width + ix) * rc);
    // Earlier marks, in drawing order, over the root.
    for (const l of px.before) {
      if (iy < l.y0 || iy >= l.y1) continue;
      const from = Math.max(xa, l.x0);
      const to = Math.min(xb, l.x1);
      const rowOffset = (iy - l.y0) * l.stride;
      for (let ix = from; ix < to; ix++) ink[out + ix] = inkOf(l.pixels, rowOffset + (ix - l.x0) * l.ch);
    }
  }
  const padded = blur(ink, w, h, true);
  for (let y = 0; y < h; y++) ink.set(padded.subarray((y + 1) * (w + 2) + 1, (y + 1) * (w + 2) + 1 + w), y * w);
  return ink;
}

// Planes read lately, by what they are read from: the root image, the rectangle, and the earlier
// marks over it. A group's responses mark the same labels on the same chart, so the bands along an
// axis or a legend (the largest reads) come again and again; a hit is the same pixels, so the
// same planes. Images and their regions are immutable, and ids are never reused.
const PLANES_KEPT = 48;
const recentPlanes = new Map<string, { full: Plane; half: Plane }>();
const pixelIds = new WeakMap<object, number>();
let nextPixelId = 0;
function pixelId(pixels: object): number {
  let id = pixelIds.get(pixels);
  if (id === undefined) {
    id = nextPixelId++;
    pixelIds.set(pixels, id);
  }
  return id;
}

/** A region of the before image as a full-resolution plane (blurred like the templates) and its half. */
export function readPlanes(px: StepPixels, x0: number, y0: number, w: number, h: number): { full: Plane; half: Plane } {
  let key = `${pixelId(px.root.pixels)}:${x0},${y0},${w},${h}`;
  for (const l of px.before) if (l.x0 < x0 + w && l.x1 > x0 && l.y0 < y0 + h && l.y1 > y0) key += `:${pixelId(l.pixels)}@${l.x0},${l.y0}`;
  const kept = recentPlanes.get(key);
  if (kept) {
    recentPlanes.delete(key);
    recentPlanes.set(key, kept);
    return kept;
  }
  const full = new Plane(readInk(px, x0, y0, w, h), w, h);
  const half = halve(full.ink, w, h);
  const planes = { full, half: new Plane(half.ink, half.w, half.h) };
  recentPlanes.set(key, planes);
  if (recentPlanes.size > PLANES_KEPT) recentPlanes.delete(recentPlanes.keys().next().value!);
  return planes;
}

/** Placements of a template's top-left, in image pixels: [xFrom, xTo] × [yFrom, yTo]. */
export type Placement = (tw: number, th: number) => [number, number, number, number];

export interface Candidate {
  v: number;
  k: number;
  x: number;
  y: number;
}
const TOP = 3;

/** Keeps the `most` best candidates, best first (ties: the first found). */
export function keepTop(top: Candidate[], v: number, k: number, x: number, y: number, most = TOP): void {
  if (top.length === most && v <= top[most - 1].v) return;
  let i = top.length < most ? top.length : most - 1;
  while (i > 0 && top[i - 1].v < v) i--;
  top.splice(i, 0, { v, k, x, y });
  if (top.length > most) top.pop();
}

export interface Found {
  v: number;
  t: Template;
  /** Top-left in image pixels. */
  x: number;
  y: number;
  plane: Plane;
  /** The plane's origin in image pixels. */
  x0: number;
  y0: number;
}

/**
 * The best placement of any of `list` over `place`: every template tried at half resolution (every
 * other placement), then the best few at full resolution around their spot (the blur makes a
 * label's correlation peak wide enough for that grid). Null when nothing correlates.
 */
export function search(px: StepPixels, list: readonly Template[], place: Placement): Found | null {
  let rx0 = Infinity,
    ry0 = Infinity,
    rx1 = -Infinity,
    ry1 = -Infinity;
  for (const t of list) {
    const [xa, xb, ya, yb] = place(t.bmp.w, t.bmp.h);
    rx0 = Math.min(rx0, xa);
    ry0 = Math.min(ry0, ya);
    rx1 = Math.max(rx1, xb + t.bmp.w + 1);
    ry1 = Math.max(ry1, yb + t.bmp.h + 1);
  }
  const { full, half } = readPlanes(px, rx0, ry0, rx1 - rx0, ry1 - ry0);
  const top: Candidate[] = [];
  list.forEach((t, k) => {
    const [xa, xb, ya, yb] = place(t.bmp.w, t.bmp.h);
    for (let hy = (ya - ry0) >> 1; 2 * hy <= yb - ry0; hy++) {
      for (let hx = (xa - rx0) >> 1; 2 * hx <= xb - rx0; hx++) keepTop(top, half.ncc(t.half, hx, hy), k, rx0 + 2 * hx, ry0 + 2 * hy);
    }
  });
  let found: Found | null = null;
  for (const c of top) {
    const t = list[c.k];
    const [xa, xb, ya, yb] = place(t.bmp.w, t.bmp.h);
    for (let y = Math.max(ya, c.y - 1); y <= Math.min(yb, c.y + 2); y++) {
      for (let x = Math.max(xa, c.x - 1); x <= Math.min(xb, c.x + 2); x++) {
        const v = full.ncc(t.full, x - rx0, y - ry0);
        if (v > 0 && (!found || v > found.v)) found = { v, t, x, y, plane: full, x0: rx0, y0: ry0 };
      }
    }
  }
  return found;
}
