// Color specs as policies write them ("Red", "blue", "#f80"), resolved to 8-bit RGB.
import { InvalidArgumentError } from "@sketchvl/errors";

export interface Rgb {
  r: number;
  g: number;
  b: number;
}

// CSS / PIL ImageColor values, so a name means the same color here as in a Python reference
// renderer. The paper shows only Red, Blue and Green; the rest are what models plausibly write.
const NAMED: Readonly<Record<string, string>> = {
  red: "#ff0000",
  green: "#008000",
  blue: "#0000ff",
  yellow: "#ffff00",
  orange: "#ffa500",
  purple: "#800080",
  black: "#000000",
  white: "#ffffff",
  gray: "#808080",
  grey: "#808080",
  cyan: "#00ffff",
  magenta: "#ff00ff",
  pink: "#ffc0cb",
  brown: "#a52a2a",
  lime: "#00ff00",
  navy: "#000080",
  teal: "#008080",
  olive: "#808000",
  maroon: "#800000",
  gold: "#ffd700",
  violet: "#ee82ee",
  indigo: "#4b0082",
};

export const COLOR_NAMES: readonly string[] = Object.keys(NAMED);

const DEFAULT_COLOR = "red";
const HEX = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i;

/** Resolves a color spec; empty means red. Throws InvalidArgumentError("color") for anything else unknown. */
export function parseColor(spec: string): Rgb {
  const s = spec.trim().toLowerCase();
  const hex = s === "" ? NAMED[DEFAULT_COLOR] : (NAMED[s] ?? s);
  const m = HEX.exec(hex);
  if (!m) {
    throw new InvalidArgumentError("color", `unknown color "${spec}"; use a name (${COLOR_NAMES.filter((n) => n !== "grey").join(", ")}) or #rrggbb`);
  }
  const h = m[1].length === 3 ? [...m[1]].map((c) => c + c).join("") : m[1];
  return {
    r: parseInt(h.slice(0, 2), 16),
    g: parseInt(h.slice(2, 4), 16),
    b: parseInt(h.slice(4, 6), 16),
  };
}

/** "#rrggbb", for SVG attributes. */
export function toHex(c: Rgb): string {
  return `#${[c.r, c.g, c.b].map((v) => v.toString(16).padStart(2, "0")).join("")}`;
}
