// Reading the label a mark points at: does the text where the action lands say what the intent
// names? "Box the Urban legend entry" drawn on the Rural entry, or "Point at the x-axis label Jan"
// on Feb, look like an expert's mark in every patch; only the words tell them apart.
//
// The names in the intent (its capitalised words and numbers) are set in each DejaVu family and
// label size ChartWorld draws with (glyphs.ts) and matched by normalised cross-correlation against
// the before image's ink at the spots the SketchVL prompt's rules put a label relative to a mark:
//   inside  the box (a legend entry: symbol + label)                          boxes only
//   below   text whose top-edge centre is the mark (x tick labels; a bar's category under it)
//   left    text whose right-edge centre is the mark (y tick labels; a horizontal bar's category)
// Per spot: the best correlation, the worst of its characters at that placement (so "2022"
// against "2023" scores low although three glyphs agree), how much better the same type matches
// elsewhere along the spot's row or column (the named label is a neighbour: the mark is on the wrong
// one), and the ink just beside the match (the text there is longer: "10" for "0"), for the whole
// name and for its best single word. Lines, circles and other actions get zeros: the text they
// relate to is not at a fixed spot.
import { keepTop, readInk, readPlanes, search, templatesOf, type Candidate, type Found, type Placement, type Template } from "./correlate";
import type { StepGeometry } from "./geometry";
import { TYPE_BOX, TYPE_POINT } from "./geometry";
import type { StepPixels } from "./patches";

const SPOTS = 3;
/**
 * has-name, several words, name length / 10, all digits; then per spot × (whole name, best word) ×
 * (correlation, worst character, better elsewhere, ink beside). 28 keeps "meta" a multiple of 4
 * (the SIMD kernels' width).
 */
export const TEXT_FEATURES = 4 + SPOTS * 2 * 4;

/** How far (px) a label may sit from where the rule puts it: tick length, padding, glyph bearings. */
const SLACK = 4;
const REACH = 14;
/** A box taller or wider than this holds no single label line: no "inside" search. */
const MAX_INSIDE_H = 24;
const MAX_INSIDE_W = 320;
const MAX_NAME = 24;
const MAX_WORDS = 4;

/** The names an intent gives: the run of capitalised words / numbers after the verb, and its words. */
export function intentNames(intent: string): { whole: string; words: string[] } | null {
  const tokens = (typeof intent === "string" ? intent : "").slice(0, 256).split(/\s+/).filter(Boolean);
  let run: string[] = [];
  let best: string[] = [];
  for (let i = 1; i < tokens.length; i++) {
    const t = tokens[i].replace(/[.,;:!?]+$/, "");
    const c = t.charCodeAt(0);
    const named = t.length > 0 && ((c >= 65 && c <= 90) || (c >= 48 && c <= 57));
    if (named) run.push(t);
    if (!named || i === tokens.length - 1) {
      if (run.length > 0 && best.length === 0) best = run;
      run = [];
    }
  }
  if (best.length === 0) return null;
  const whole = best.join(" ").slice(0, MAX_NAME);
  // Each word costs a search: a few distinct ones (ChartWorld names have at most three).
  const words = best.length > 1 ? [...new Set(best.map((w) => w.slice(0, MAX_NAME)))].slice(0, MAX_WORDS) : [];
  return { whole, words };
}

/**
 * A line of labels through a spot: a ROW (x tick labels, legend entries side by side) or a COLUMN
 * (y tick labels, stacked legend entries). `across` gives, for a template at the found placement,
 * the range of its coordinate across the line where its neighbours may sit.
 */
interface Line {
  row: boolean;
  across: (t: Template, f: Found) => [number, number];
  /** How far (px) along the line the other labels are looked for. */
  reach: number;
}

/** A label spot: where the rule puts the label, and the lines its neighbours share. */
interface Spot {
  place: Placement;
  lines: readonly Line[];
}

/** Profile candidates kept per line: the profile only shortlists, the 2D correlation decides. */
const LINE_CANDIDATES = 6;
/** How far (px) along an axis the other tick labels are looked for: most of a chart's width. */
const AXIS_REACH = 320;
/** How far (px) along a legend the other entries are: a legend is short. */
const LEGEND_REACH = 160;
/** Shortlisted labels along a line measured at full resolution. */
const REFINED = 3;

/**
 * The offsets where `tp` (centred, squared norm `tss`) correlates best with `v`: local maxima only
 * (one per label), skipping |o − own| ≤ 1; into `top` (at most LINE_CANDIDATES, over all templates).
 */
function profileOffsets(tp: Float64Array, tss: number, v: Float64Array, own: number, k: number, top: Candidate[]): void {
  const L = tp.length;
  const n = v.length - L + 1;
  if (tss <= 0 || n <= 0) return;
  const score = new Float64Array(n).fill(-Infinity);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < L; i++) {
    s1 += v[i];
    s2 += v[i] * v[i];
  }
  for (let o = 0; o < n; o++) {
    if (o > 0) {
      const a = v[o - 1];
      const b = v[o + L - 1];
      s1 += b - a;
      s2 += b * b - a * a;
    }
    const varV = s2 - (s1 * s1) / L;
    if (varV <= 1e-9) continue;
    let cross = 0;
    for (let i = 0; i < L; i++) cross += tp[i] * v[o + i];
    score[o] = cross / Math.sqrt(tss * varV);
  }
  for (let o = 0; o < n; o++) {
    const c = score[o];
    if (c === -Infinity || Math.abs(o - own) <= 1) continue;
    if ((o > 0 && score[o - 1] > c) || (o + 1 < n && score[o + 1] >= c)) continue;
    keepTop(top, c, k, o, 0, LINE_CANDIDATES);
  }
}

/**
 * The best correlation of any of `list` along a line of labels through the found placement `f`, away
 * from `f` itself: the named label is there when the mark is on a neighbour. At half resolution,
 * each template's profile (its ink summed across the line) is slid along the band and the best
 * offsets are searched across it; the best of those is refined at full resolution.
 */
function bestAlong(px: StepPixels, list: readonly Template[], f: Found, line: Line): number {
  const row = line.row;
  const ranges = list.map((t) => line.across(t, f));
  let lo = Infinity;
  let hi = -Infinity;
  list.forEach((t, k) => {
    lo = Math.min(lo, ranges[k][0] - 1);
    hi = Math.max(hi, ranges[k][1] + (row ? t.bmp.h : t.bmp.w) + 1);
  });
  const reach = line.reach;
  const x0 = row ? Math.max(0, f.x - reach) : lo;
  const y0 = row ? lo : Math.max(0, f.y - reach);
  const w = row ? Math.min(px.width, f.x + f.t.bmp.w + reach) - x0 : hi - lo;
  const h = row ? hi - lo : Math.min(px.height, f.y + f.t.bmp.h + reach) - y0;
  if (w <= 2 || h <= 2) return 0;
  const { full, half } = readPlanes(px, x0, y0, w, h);
  // The band's profile along the line: its ink summed across the whole band.
  const n = row ? half.w : half.h;
  const v = new Float64Array(n);
  for (let yy = 0; yy < half.h; yy++) for (let xx = 0; xx < half.w; xx++) v[row ? xx : yy] += half.ink[yy * half.w + xx];
  const own = (row ? f.x - x0 : f.y - y0) >> 1;
  const top: Candidate[] = [];
  list.forEach((t, k) => {
    const p = t.half;
    const L = row ? p.w : p.h;
    const depth = row ? p.h : p.w;
    const tp = new Float64Array(L);
    let tss = 0;
    for (let i = 0; i < L; i++) {
      for (let d = 0; d < depth; d++) tp[i] += row ? p.centred[d * p.w + i] : p.centred[i * p.w + d];
      tss += tp[i] * tp[i];
    }
    profileOffsets(tp, tss, v, own, k, top);
  });
  // Each shortlisted (offset, type) searched across the band at half resolution for its best
  // placement; the best REFINED of those at full resolution. Types are not merged: the profile
  // ranks them poorly, the 2D correlation tells them apart.
  const across: Candidate[] = [];
  for (const c of top) {
    const t = list[c.k];
    const [from, to] = ranges[c.k];
    const b0 = (from - (row ? y0 : x0)) >> 1;
    const b1 = (to - (row ? y0 : x0)) >> 1;
    let bv = -Infinity;
    let ba = 0;
    let bb = 0;
    for (let a = c.x - 1; a <= c.x + 1; a++) {
      for (let b = b0; b <= b1; b++) {
        const v2 = row ? half.ncc(t.half, a, b) : half.ncc(t.half, b, a);
        if (v2 > bv) [bv, ba, bb] = [v2, a, b];
      }
    }
    keepTop(across, bv, c.k, ba, bb, REFINED);
  }
  let best = 0;
  for (const c of across) {
    const t = list[c.k];
    for (let a = 2 * c.x - 1; a <= 2 * c.x + 2; a++) {
      for (let b = 2 * c.y - 1; b <= 2 * c.y + 2; b++) {
        const v2 = row ? full.ncc(t.full, a, b) : full.ncc(t.full, b, a);
        if (v2 > best) best = v2;
      }
    }
  }
  return best;
}

/**
 * The mean ink just left and right of a placement (the larger), over a strip half the text's
 * height wide: high when the text there is longer than the name ("10" where the intent says "0").
 */
function inkBeside(px: StepPixels, f: Found): number {
  const { w, h } = f.t.bmp;
  const side = Math.max(2, Math.round(h / 2));
  const mean = (x0: number): number => {
    const ink = readInk(px, x0, f.y + 1, side, h - 2);
    let sum = 0;
    for (const v of ink) sum += v;
    return ink.length > 0 ? sum / ink.length : 0;
  };
  return Math.max(mean(f.x - side), mean(f.x + w));
}

/**
 * At a spot: the best correlation of `text`, the worst of its characters there, how much better
 * the same type matches elsewhere along the spot's row or column (the named label is another
 * one), and the ink beside it.
 */
function matchAt(px: StepPixels, list: readonly Template[], f: Found | null, spot: Spot): [number, number, number, number] {
  if (!f) return [0, 0, 0, 0];
  let worst = f.v;
  const chars = f.t.bmp.chars;
  if (chars.length > 1) for (const [c0, c1] of chars) worst = Math.min(worst, f.plane.nccColumns(f.t.bmp, f.x - f.x0, f.y - f.y0, c0, c1));
  let elsewhere = f.v;
  // Every type: the one that fits best here may not be the chart's when the text here is another label.
  for (const line of spot.lines) elsewhere = Math.max(elsewhere, bestAlong(px, list, f, line));
  return [f.v, worst, elsewhere - f.v, inkBeside(px, f)];
}

/**
 * Which spots an intent's label can be at: a legend entry's is inside the box, an x-axis label's
 * below the mark, a y-axis label's left of it; any other name (a bar's category, ...) at all three.
 */
function spotsNamed(intent: string): [boolean, boolean, boolean] {
  const text = intent.slice(0, 256).toLowerCase();
  if (text.includes("legend")) return [true, false, false];
  if (/\bx[- ]axis\b/.test(text)) return [false, true, false];
  if (/\by[- ]axis\b/.test(text)) return [false, false, true];
  return [true, true, true];
}

function spots(g: StepGeometry): (Spot | null)[] {
  const x1 = Math.round(Math.min(g.x1, g.x2));
  const x2 = Math.round(Math.max(g.x1, g.x2));
  const y1 = Math.round(Math.min(g.y1, g.y2));
  const y2 = Math.round(Math.max(g.y1, g.y2));
  const cx = (x1 + x2) / 2;
  const cy = (y1 + y2) / 2;
  const inside: Spot | null =
    g.type === TYPE_BOX && y2 - y1 <= MAX_INSIDE_H && x2 - x1 <= MAX_INSIDE_W
      ? {
          place: (tw, th) => {
            // A label wider or taller than the box is searched around the box's centre.
            const [xa, xb] = x2 - x1 + 6 >= tw ? [x1 - 3, x2 + 3 - tw] : [Math.round(cx - tw / 2) - 2, Math.round(cx - tw / 2) + 2];
            const [ya, yb] = y2 - y1 + 6 >= th ? [y1 - 3, y2 + 3 - th] : [Math.round(cy - th / 2) - 2, Math.round(cy - th / 2) + 2];
            return [xa, xb, ya, yb];
          },
          // Legend entries stand in a column or in a row; their labels sit where this box's would.
          lines: [
            { row: true, across: (t) => [y1 - 3, y2 + 3 - t.bmp.h], reach: LEGEND_REACH },
            // (a longer name than this box's may run past its right edge)
            { row: false, across: (t) => [x1 - 3, Math.max(x1 - 3, Math.round(x2 - t.bmp.w / 2))], reach: LEGEND_REACH },
          ],
        }
      : null;
  const below: Spot = {
    place: (tw) => [Math.round(cx - tw / 2) - SLACK, Math.round(cx - tw / 2) + SLACK, y2 - 3, y2 + REACH],
    // x tick labels share their top.
    lines: [{ row: true, across: (_t, f) => [f.y - 2, f.y + 2], reach: AXIS_REACH }],
  };
  const left: Spot = {
    place: (tw, th) => [x1 - tw - REACH, x1 - tw + 3, Math.round(cy - th / 2) - SLACK, Math.round(cy - th / 2) + SLACK],
    // y tick labels share their right edge.
    lines: [{ row: false, across: (t, f) => [f.x + f.t.bmp.w - t.bmp.w - 3, f.x + f.t.bmp.w - t.bmp.w + 3], reach: AXIS_REACH }],
  };
  return [inside, below, left];
}

/** Writes the TEXT_FEATURES of a step at out[offset ..]. */
export function textFeatures(intent: string, g: StepGeometry, px: StepPixels, out: Float32Array, offset: number): void {
  out.fill(0, offset, offset + TEXT_FEATURES);
  if (g.type !== TYPE_BOX && g.type !== TYPE_POINT) return;
  const names = intentNames(intent);
  if (!names) return;
  out[offset] = 1;
  out[offset + 1] = names.words.length > 1 ? 1 : 0;
  out[offset + 2] = names.whole.length / 10;
  out[offset + 3] = /^[0-9.,%-]+$/.test(names.whole) ? 1 : 0;
  const named = spotsNamed(intent);
  spots(g).forEach((spot, s) => {
    if (!spot || !named[s]) return;
    const o = offset + 4 + s * 8;
    const wholeList = templatesOf(names.whole);
    const wholeFound = wholeList.length > 0 ? search(px, wholeList, spot.place) : null;
    const whole = matchAt(px, wholeList, wholeFound, spot);
    out.set(whole, o);
    // The best single word of a several-word name ("Jan" of "Jan Urban": the category under the bar).
    let best = { list: wholeList, found: wholeFound };
    for (const w of names.words) {
      const list = templatesOf(w);
      const found = list.length > 0 ? search(px, list, spot.place) : null;
      if (found && found.v > (best.found?.v ?? 0)) best = { list, found };
    }
    out.set(best.found === wholeFound ? whole : matchAt(px, best.list, best.found, spot), o + 4);
  });
}
