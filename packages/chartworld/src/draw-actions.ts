// Draws actions onto a chart image: the before / after images of a step for PRM data, and
// previews of expert trajectories. A minimal stand-in for the mesh's renderer service, so
// ChartWorld exports need nothing running.
import type { DrawingAction } from "@sketchvl/contract";
import sharp from "sharp";
import { actionToShape, type ImageSize } from "./sketchvl-action";

const NAMED: Record<string, string> = {
  red: "#e6194b",
  blue: "#1f5bff",
  green: "#18a03c",
  orange: "#ff8c00",
  purple: "#8e44ad",
  yellow: "#f1c40f",
  black: "#000000",
  white: "#ffffff",
};

export function colorOf(name: string): string {
  if (/^#[0-9a-f]{6}$/i.test(name)) return name;
  return NAMED[name.toLowerCase()] ?? NAMED.red;
}

const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** An SVG the size of the image holding the marks of `actions`. */
export function actionsOverlaySvg(actions: readonly DrawingAction[], size: ImageSize): string {
  const sw = Math.max(2, Math.hypot(size.width, size.height) * 0.003).toFixed(1);
  const parts: string[] = [];
  for (const a of actions) {
    const s = actionToShape(a, size);
    if (!s) continue;
    const c = colorOf(a.color || "Red");
    const stroke = `fill="none" stroke="${c}" stroke-width="${sw}"`;
    switch (s.type) {
      case "box":
        parts.push(`<rect x="${s.box.x1}" y="${s.box.y1}" width="${s.box.x2 - s.box.x1}" height="${s.box.y2 - s.box.y1}" ${stroke}/>`);
        break;
      case "line":
        parts.push(`<line x1="${s.p1.x}" y1="${s.p1.y}" x2="${s.p2.x}" y2="${s.p2.y}" ${stroke}/>`);
        break;
      case "point":
        parts.push(`<circle cx="${s.at.x}" cy="${s.at.y}" r="${Number(sw) * 2}" fill="${c}"/>`);
        break;
      case "circle":
        parts.push(`<circle cx="${s.center.x}" cy="${s.center.y}" r="${s.r}" ${stroke}/>`);
        break;
      case "text":
        parts.push(`<text x="${s.at.x}" y="${s.at.y}" dominant-baseline="hanging" font-family="DejaVu Sans" font-size="12" fill="${c}">${esc(s.text)}</text>`);
        break;
    }
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size.width}" height="${size.height}">${parts.join("")}</svg>`;
}

/** The image (PNG or SVG bytes) with `actions` drawn on it, as PNG. */
export async function drawActions(image: Buffer, actions: readonly DrawingAction[]): Promise<Buffer> {
  const meta = await sharp(image).metadata();
  const size = { width: meta.width ?? 0, height: meta.height ?? 0 };
  if (actions.length === 0) return sharp(image).png().toBuffer();
  return sharp(image)
    .composite([{ input: Buffer.from(actionsOverlaySvg(actions, size)) }])
    .png()
    .toBuffer();
}
