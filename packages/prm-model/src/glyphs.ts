// Glyph bitmaps of the DejaVu fonts ChartWorld draws its labels with, so the encoder can set a word
// the intent names in the chart's own type and look for it on the image (textMatch.ts).
//
// The bitmaps are rendered once by librsvg (sharp), the renderer that draws ChartWorld's charts,
// and kept in glyphs/dejavu.json: the encoder is synchronous and must not wait on a renderer, and
// the file pins the model's input encoding to fixed pixels. `finepr glyphs` writes it again;
// glyphs.test.ts checks that a fresh render gives the same file.
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const GLYPH_FAMILIES = ["DejaVu Sans", "DejaVu Serif", "DejaVu Sans Mono"] as const;
/** ChartWorld's label sizes (px). */
export const GLYPH_SIZES = [9, 10, 11, 12, 13] as const;
/** Printable ASCII; other characters are set as a blank of 0.6 em. */
const FIRST = 32;
const LAST = 126;

/** One glyph: ink (0–255) over w×h, its top-left at (dx, dy) from the pen on the baseline. */
export interface Glyph {
  dx: number;
  dy: number;
  w: number;
  h: number;
  /** Advance in px (fractional). */
  adv: number;
  ink: number[];
}

/** glyphs[family][size] = the glyphs of char codes FIRST..LAST. */
export interface GlyphAtlas {
  families: string[];
  sizes: number[];
  glyphs: Glyph[][][];
}

export const GLYPH_FILE = join(__dirname, "..", "glyphs", "dejavu.json");

let atlas: GlyphAtlas | null = null;

export function glyphAtlas(): GlyphAtlas {
  if (!atlas) {
    try {
      atlas = JSON.parse(readFileSync(GLYPH_FILE, "utf8")) as GlyphAtlas;
    } catch (err) {
      throw new Error(`the encoding's glyph file ${GLYPH_FILE} cannot be read: ${(err as Error).message}`);
    }
  }
  return atlas;
}

/** A word set in one family and size: ink in [0, 1] over its tight bounding box. */
export interface WordBitmap {
  w: number;
  h: number;
  ink: Float32Array;
  /** Column spans [x0, x1) of each visible character, in the bitmap. */
  chars: [number, number][];
}

/**
 * `text` set from the atlas the way librsvg lays out a line: glyphs at the rounded pen positions,
 * advancing by their widths (kerning ignored: under a pixel at these sizes). Null when no glyph has ink.
 */
export function setWord(text: string, familyIndex: number, sizeIndex: number): WordBitmap | null {
  const a = glyphAtlas();
  const size = a.sizes[sizeIndex];
  const table = a.glyphs[familyIndex][sizeIndex];
  const placed: { g: Glyph; x: number }[] = [];
  let pen = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    const g = code >= FIRST && code <= LAST ? table[code - FIRST] : null;
    if (g && g.w > 0) placed.push({ g, x: Math.round(pen) + g.dx });
    pen += g ? g.adv : 0.6 * size;
  }
  if (placed.length === 0) return null;
  let x0 = Infinity,
    x1 = -Infinity,
    y0 = Infinity,
    y1 = -Infinity;
  for (const { g, x } of placed) {
    x0 = Math.min(x0, x);
    x1 = Math.max(x1, x + g.w);
    y0 = Math.min(y0, g.dy);
    y1 = Math.max(y1, g.dy + g.h);
  }
  const w = x1 - x0;
  const h = y1 - y0;
  const ink = new Float32Array(w * h);
  const chars: [number, number][] = [];
  for (const { g, x } of placed) {
    const ox = x - x0;
    const oy = g.dy - y0;
    chars.push([ox, ox + g.w]);
    for (let y = 0; y < g.h; y++) {
      for (let xx = 0; xx < g.w; xx++) {
        const o = (oy + y) * w + ox + xx;
        const v = g.ink[y * g.w + xx] / 255;
        if (v > ink[o]) ink[o] = v;
      }
    }
  }
  return { w, h, ink, chars };
}

/** Renders the atlas with librsvg (sharp) from the installed DejaVu fonts (fonts-dejavu-core). */
export async function renderGlyphAtlas(advance: (ch: string, size: number, family: string) => number): Promise<GlyphAtlas> {
  const { default: sharp } = await import("sharp");
  const glyphs: Glyph[][][] = [];
  for (const family of GLYPH_FAMILIES) {
    const bySize: Glyph[][] = [];
    for (const size of GLYPH_SIZES) {
      const cell = 3 * size;
      const cols = 16;
      const count = LAST - FIRST + 1;
      const rows = Math.ceil(count / cols);
      const penX = size;
      const baseline = 2 * size;
      const esc = (c: string): string => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c] ?? c;
      let body = "";
      for (let i = 0; i < count; i++) {
        const ch = String.fromCharCode(FIRST + i);
        if (ch === " ") continue;
        body += `<text x="${(i % cols) * cell + penX}" y="${Math.floor(i / cols) * cell + baseline}">${esc(ch)}</text>`;
      }
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${cols * cell}" height="${rows * cell}"><rect width="100%" height="100%" fill="#fff"/><g font-family="${family}" font-size="${size}" fill="#000">${body}</g></svg>`;
      const { data, info } = await sharp(Buffer.from(svg)).greyscale().raw().toBuffer({ resolveWithObject: true });
      const table: Glyph[] = [];
      for (let i = 0; i < count; i++) {
        const ch = String.fromCharCode(FIRST + i);
        const cx = (i % cols) * cell;
        const cy = Math.floor(i / cols) * cell;
        let gx0 = cell,
          gx1 = -1,
          gy0 = cell,
          gy1 = -1;
        for (let y = 0; y < cell; y++) {
          for (let x = 0; x < cell; x++) {
            if (255 - data[(cy + y) * info.width + cx + x] > 4) {
              gx0 = Math.min(gx0, x);
              gx1 = Math.max(gx1, x);
              gy0 = Math.min(gy0, y);
              gy1 = Math.max(gy1, y);
            }
          }
        }
        const adv = Math.round(advance(ch, size, family) * 1000) / 1000;
        if (gx1 < 0) {
          table.push({ dx: 0, dy: 0, w: 0, h: 0, adv, ink: [] });
          continue;
        }
        const w = gx1 - gx0 + 1;
        const h = gy1 - gy0 + 1;
        const ink: number[] = [];
        for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) ink.push(255 - data[(cy + gy0 + y) * info.width + cx + gx0 + x]);
        table.push({ dx: gx0 - penX, dy: gy0 - baseline, w, h, adv, ink });
      }
      bySize.push(table);
    }
    glyphs.push(bySize);
  }
  return { families: [...GLYPH_FAMILIES], sizes: [...GLYPH_SIZES], glyphs };
}

/** The atlas file's text: one glyph a line, so a change shows in a diff. */
export function atlasJson(a: GlyphAtlas): string {
  const fam = a.glyphs.map((bySize) => `[\n${bySize.map((t) => `[\n${t.map((g) => JSON.stringify(g)).join(",\n")}\n]`).join(",\n")}\n]`);
  return `{"families":${JSON.stringify(a.families)},"sizes":${JSON.stringify(a.sizes)},"glyphs":[\n${fam.join(",\n")}\n]}\n`;
}
