// Advance widths of the DejaVu fonts (package fonts-dejavu-core) for printable ASCII, read once from
// the TTF files' hmtx tables, in thousandths of an em. Vega has no canvas here, so by default it
// estimates text width as 0.8 em a character, which puts label boxes several pixels off what librsvg
// draws; we give Vega these real widths instead (the hook vl-convert uses too). Kerning is ignored:
// DejaVu's kerning shifts a label by well under a pixel at chart font sizes.

/** Font families ChartWorld draws with; all ship in fonts-dejavu-core. */
export const CHART_FONTS = ["DejaVu Sans", "DejaVu Serif", "DejaVu Sans Mono"] as const;
export type ChartFont = (typeof CHART_FONTS)[number];

// Index = char code - 32.
const SANS = [
  318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636, 636, 636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838,
  531, 1000, 684, 686, 698, 770, 632, 575, 775, 752, 295, 295, 656, 557, 863, 748, 787, 603, 787, 695, 635, 611, 732, 684, 989, 685, 611, 685, 390, 337, 390,
  838, 500, 500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612, 635, 635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636, 337,
  636, 838,
];
const SANS_BOLD = [
  348, 456, 521, 838, 696, 1002, 872, 306, 457, 457, 523, 838, 380, 415, 380, 365, 696, 696, 696, 696, 696, 696, 696, 696, 696, 696, 400, 400, 838, 838, 838,
  580, 1000, 774, 762, 734, 830, 683, 683, 821, 837, 372, 372, 775, 637, 995, 837, 850, 733, 850, 770, 720, 682, 812, 774, 1103, 771, 724, 725, 457, 365, 457,
  838, 500, 500, 675, 716, 593, 716, 678, 435, 716, 712, 343, 343, 665, 343, 1042, 712, 687, 716, 716, 493, 595, 478, 712, 652, 924, 645, 652, 582, 712, 365,
  712, 838,
];
const SERIF = [
  318, 402, 460, 838, 636, 950, 890, 275, 390, 390, 500, 838, 318, 338, 318, 337, 636, 636, 636, 636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838,
  536, 1000, 722, 735, 765, 802, 730, 694, 799, 872, 395, 401, 747, 664, 1024, 875, 820, 673, 820, 753, 685, 667, 843, 722, 1028, 712, 660, 695, 390, 337, 390,
  838, 500, 500, 596, 640, 560, 640, 592, 370, 640, 644, 320, 310, 606, 320, 948, 644, 602, 640, 640, 478, 513, 402, 644, 565, 856, 564, 565, 527, 636, 337,
  636, 838,
];
const SERIF_BOLD = [
  348, 439, 521, 838, 696, 950, 903, 306, 473, 473, 523, 838, 348, 415, 348, 365, 696, 696, 696, 696, 696, 696, 696, 696, 696, 696, 369, 369, 838, 838, 838,
  586, 1000, 776, 845, 796, 867, 762, 710, 854, 945, 468, 473, 869, 703, 1107, 914, 871, 752, 871, 831, 722, 744, 872, 776, 1123, 776, 714, 730, 473, 365, 473,
  838, 500, 500, 648, 699, 609, 699, 636, 430, 699, 727, 380, 362, 693, 380, 1058, 727, 667, 699, 699, 527, 563, 462, 727, 581, 861, 596, 581, 568, 643, 364,
  643, 838,
];

/** Width used for characters outside printable ASCII ("−" U+2212 from d3-format, "…"). */
const NON_ASCII: Record<number, number> = { 8722: 838, 8230: 1000, 176: 500 };

function tableFor(family: string, bold: boolean): readonly number[] | null {
  const f = family.toLowerCase();
  if (f.includes("mono")) return null; // every glyph is 0.602 em
  if (f.includes("serif") && !f.includes("sans")) return bold ? SERIF_BOLD : SERIF;
  return bold ? SANS_BOLD : SANS;
}

/** Width in pixels of `text` set in a DejaVu family at `fontSize` px. */
export function textWidth(text: string, fontSize: number, family = "DejaVu Sans", bold = false): number {
  const table = tableFor(family, bold);
  let units = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (table === null) units += 602;
    else if (c >= 32 && c < 127) units += table[c - 32];
    else units += NON_ASCII[c] ?? 600;
  }
  return (units * fontSize) / 1000;
}

function isBold(weight: unknown): boolean {
  if (weight === undefined || weight === null) return false;
  if (typeof weight === "number") return weight >= 600;
  const w = String(weight).toLowerCase();
  return w === "bold" || w === "bolder" || Number(w) >= 600;
}

/** A Vega scenegraph text item, as much of it as textMetrics.width looks at. */
interface VegaTextItem {
  font?: string;
  fontSize?: number;
  fontWeight?: string | number;
  text?: unknown;
}

/** Drop-in for vega's textMetrics.width (item, text) => px. */
export function vegaTextWidth(item: VegaTextItem, text?: unknown): number {
  const value = text === undefined ? item.text : text;
  const s = value === null || value === undefined ? "" : Array.isArray(value) ? value.join(" ") : String(value);
  const size = item.fontSize ?? 11;
  return size <= 0 ? 0 : textWidth(s, size, item.font ?? "DejaVu Sans", isBold(item.fontWeight));
}
