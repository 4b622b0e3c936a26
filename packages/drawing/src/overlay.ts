// One mark → a small SVG covering only its bounding box (clipped to the image), placed at an
// integer offset. librsvg (via sharp) rasterizes it; raster.ts composites it (blendInto).
import type { Px } from "@sketchvl/steps";
import type { MarkStyle } from "./style";

export interface Overlay {
  /** The mark's SVG elements, in image coordinates; raster.ts wraps them in a viewport of this box. */
  body: string;
  left: number;
  top: number;
  width: number;
  height: number;
}

export type Mark =
  | { kind: "point"; at: Px }
  | { kind: "line"; start: Px; end: Px }
  | { kind: "rectangle"; a: Px; b: Px }
  | { kind: "circle"; center: Px; radius: number }
  | { kind: "text"; at: Px; text: string };

/** DejaVu Sans vertical metrics (hhea ascender / descender, in em). */
const ASCENT = 0.93;
const DESCENT = 0.24;
const n = (v: number) => String(Math.round(v * 1000) / 1000);

/** Escapes text for XML and drops characters XML 1.0 cannot carry (C0 controls, lone surrogates). */
export function xmlText(s: string): string {
  let out = "";
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x20 || (cp >= 0xd800 && cp <= 0xdfff) || cp === 0xfffe || cp === 0xffff) out += " ";
    else if (ch === "&") out += "&amp;";
    else if (ch === "<") out += "&lt;";
    else if (ch === ">") out += "&gt;";
    else out += ch;
  }
  return out;
}

/** The mark's extent in image pixels before clipping, including stroke, halo and antialiasing. */
function extent(mark: Mark, st: MarkStyle): { x0: number; y0: number; x1: number; y1: number } {
  const pad = st.strokeWidth / 2 + st.haloWidth + 1;
  switch (mark.kind) {
    case "point": {
      const r = st.pointRadius + st.haloWidth + 1;
      return { x0: mark.at.x - r, y0: mark.at.y - r, x1: mark.at.x + r, y1: mark.at.y + r };
    }
    case "line":
      return {
        x0: Math.min(mark.start.x, mark.end.x) - pad,
        y0: Math.min(mark.start.y, mark.end.y) - pad,
        x1: Math.max(mark.start.x, mark.end.x) + pad,
        y1: Math.max(mark.start.y, mark.end.y) + pad,
      };
    case "rectangle":
      return {
        x0: Math.min(mark.a.x, mark.b.x) - pad,
        y0: Math.min(mark.a.y, mark.b.y) - pad,
        x1: Math.max(mark.a.x, mark.b.x) + pad,
        y1: Math.max(mark.a.y, mark.b.y) + pad,
      };
    case "circle":
      return {
        x0: mark.center.x - mark.radius - pad,
        y0: mark.center.y - mark.radius - pad,
        x1: mark.center.x + mark.radius + pad,
        y1: mark.center.y + mark.radius + pad,
      };
    case "text": {
      const halo = textHalo(st);
      return {
        x0: mark.at.x - halo - 1,
        y0: mark.at.y - halo - 1,
        // Text width depends on the font's shaping; rather than estimate it (and risk clipping the
        // glyphs), the overlay runs to the image's right edge. It is only one line tall, so cheap.
        x1: Infinity,
        y1: mark.at.y + (ASCENT + DESCENT) * st.fontSize + halo + 1,
      };
    }
  }
}

const textHalo = (st: MarkStyle) => Math.max(2, Math.round(st.fontSize / 10));

/** SVG elements for the mark in image coordinates: the halo first, the colored mark on top. */
function elements(mark: Mark, st: MarkStyle, color: string, halo: string): string {
  const sw = st.strokeWidth;
  const hw = sw + 2 * st.haloWidth;
  const stroke = (c: string, w: number) => `fill="none" stroke="${c}" stroke-width="${n(w)}"`;
  switch (mark.kind) {
    case "point":
      return (
        `<circle cx="${n(mark.at.x)}" cy="${n(mark.at.y)}" r="${n(st.pointRadius + st.haloWidth)}" fill="${halo}"/>` +
        `<circle cx="${n(mark.at.x)}" cy="${n(mark.at.y)}" r="${n(st.pointRadius)}" fill="${color}"/>`
      );
    case "line": {
      const g = `x1="${n(mark.start.x)}" y1="${n(mark.start.y)}" x2="${n(mark.end.x)}" y2="${n(mark.end.y)}" stroke-linecap="round"`;
      return `<line ${g} ${stroke(halo, hw)}/><line ${g} ${stroke(color, sw)}/>`;
    }
    case "rectangle": {
      const x = Math.min(mark.a.x, mark.b.x);
      const y = Math.min(mark.a.y, mark.b.y);
      const g = `x="${n(x)}" y="${n(y)}" width="${n(Math.abs(mark.a.x - mark.b.x))}" height="${n(Math.abs(mark.a.y - mark.b.y))}"`;
      return `<rect ${g} ${stroke(halo, hw)}/><rect ${g} ${stroke(color, sw)}/>`;
    }
    case "circle": {
      const g = `cx="${n(mark.center.x)}" cy="${n(mark.center.y)}" r="${n(mark.radius)}"`;
      return `<circle ${g} ${stroke(halo, hw)}/><circle ${g} ${stroke(color, sw)}/>`;
    }
    case "text":
      // paint-order="stroke": the halo stroke is painted first, under the glyph fill.
      return (
        `<text x="${n(mark.at.x)}" y="${n(mark.at.y + ASCENT * st.fontSize)}" font-family="DejaVu Sans" ` +
        `font-size="${n(st.fontSize)}" fill="${color}" stroke="${halo}" stroke-width="${n(2 * textHalo(st))}" ` +
        `stroke-linejoin="round" paint-order="stroke">${xmlText(mark.text)}</text>`
      );
  }
}

/** The overlay for a mark on a width×height image, or undefined if nothing of it is inside. */
export function overlayFor(mark: Mark, st: MarkStyle, color: string, halo: string, width: number, height: number): Overlay | undefined {
  const e = extent(mark, st);
  const left = Math.max(0, Math.floor(e.x0));
  const top = Math.max(0, Math.floor(e.y0));
  const right = Math.min(width, Math.ceil(e.x1));
  const bottom = Math.min(height, Math.ceil(e.y1));
  if (right <= left || bottom <= top) return undefined;
  const w = right - left;
  const h = bottom - top;
  return { body: elements(mark, st, color, halo), left, top, width: w, height: h };
}
