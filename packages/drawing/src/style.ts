// The drawing style: fixed rules, so the same action on the same image always looks the same
// (and a reward model never sees style noise).
import type { Rgb } from "@sketchvl/steps";

export interface MarkStyle {
  /** Stroke width of lines, box and circle outlines, in pixels. */
  strokeWidth: number;
  /** Width of the contrasting halo on each side of a stroke (and around dots and glyphs). */
  haloWidth: number;
  /** Radius of a Point's filled dot. */
  pointRadius: number;
  /** Text size in pixels (DejaVu Sans). */
  fontSize: number;
}

export interface StyleOverrides {
  strokeWidth?: number;
  fontSize?: number;
}

/**
 * Scaled to the image's shorter side S so marks look alike at any resolution:
 * stroke = max(2, round(S/250)) (3 px on 1000×700), halo = max(1, round(stroke/3)) per side,
 * point radius = 2.5 × stroke, font = max(12, round(S/30)) px (23 px on 1000×700) with a halo of
 * max(2, round(font/10)) px around the glyphs.
 */
export function styleFor(width: number, height: number, overrides: StyleOverrides = {}): MarkStyle {
  const short = Math.min(width, height);
  const strokeWidth = overrides.strokeWidth ?? Math.max(2, Math.round(short / 250));
  return {
    strokeWidth,
    haloWidth: Math.max(1, Math.round(strokeWidth / 3)),
    pointRadius: 2.5 * strokeWidth,
    fontSize: overrides.fontSize ?? Math.max(12, Math.round(short / 30)),
  };
}

/**
 * The halo color under a mark: white under dark colors, black under light ones (luma ≥ 140 of 255,
 * Rec. 601 weights), so a red box stays visible on a dark bar and a yellow one on white paper.
 */
export function haloFor(c: Rgb): Rgb {
  const luma = 0.299 * c.r + 0.587 * c.g + 0.114 * c.b;
  return luma >= 140 ? { r: 0, g: 0, b: 0 } : { r: 255, g: 255, b: 255 };
}
