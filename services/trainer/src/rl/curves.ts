// Learning curves as a self-contained SVG (and PNG through sharp/librsvg): one panel per metric,
// one line per series (an ablation arm and seed), x = RL update.
import sharp from "sharp";

export interface Series {
  name: string;
  points: { x: number; y: number }[];
}

/** A vertical marker at x (a curriculum's stage switch), labelled at the top of each panel. */
export interface Marker {
  x: number;
  label: string;
}

export interface Panel {
  title: string;
  series: Series[];
  markers?: Marker[];
}

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"];
const W = 420;
const H = 260;
const M = { left: 48, right: 12, top: 28, bottom: 34 };

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
/** Enough decimals that ticks `step` apart read differently. */
const fmt = (v: number, step: number) => v.toFixed(Math.min(6, Math.max(0, Math.ceil(-Math.log10(step)) + 1)));

function panelSvg(panel: Panel, colorOf: (name: string) => string, ox: number, oy: number): string {
  const pts = panel.series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.y));
  const xs = [...pts.map((p) => p.x), ...(panel.markers ?? []).map((m) => m.x)];
  const ys = pts.map((p) => p.y);
  const [x0, x1] = [Math.min(0, ...xs), Math.max(1, ...xs)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (!Number.isFinite(y0)) [y0, y1] = [0, 1];
  if (y1 - y0 < 1e-9) [y0, y1] = [y0 - 0.5, y1 + 0.5];
  const px = (x: number) => ox + M.left + ((x - x0) / (x1 - x0)) * (W - M.left - M.right);
  const py = (y: number) => oy + H - M.bottom - ((y - y0) / (y1 - y0)) * (H - M.top - M.bottom);
  const out = [
    `<text x="${ox + W / 2}" y="${oy + 18}" text-anchor="middle" font-size="13" font-weight="bold">${esc(panel.title)}</text>`,
    `<rect x="${ox + M.left}" y="${oy + M.top}" width="${W - M.left - M.right}" height="${H - M.top - M.bottom}" fill="none" stroke="#999"/>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const y = y0 + ((y1 - y0) * i) / 4;
    out.push(`<text x="${ox + M.left - 4}" y="${py(y) + 4}" text-anchor="end" font-size="10">${fmt(y, (y1 - y0) / 4)}</text>`);
    const x = x0 + ((x1 - x0) * i) / 4;
    out.push(`<text x="${px(x)}" y="${oy + H - M.bottom + 14}" text-anchor="middle" font-size="10">${fmt(x, (x1 - x0) / 4)}</text>`);
  }
  out.push(`<text x="${ox + W / 2}" y="${oy + H - 4}" text-anchor="middle" font-size="10">RL update</text>`);
  for (const m of panel.markers ?? []) {
    const x = px(m.x);
    // The label on the side of the line with more room, so it stays inside the panel.
    const right = x < ox + W / 2;
    out.push(
      `<line class="stage-marker" x1="${x.toFixed(1)}" y1="${oy + M.top}" x2="${x.toFixed(1)}" y2="${oy + H - M.bottom}" stroke="#555" stroke-dasharray="4 3"/>`,
      `<text x="${(right ? x + 3 : x - 3).toFixed(1)}" y="${oy + M.top + 11}" text-anchor="${right ? "start" : "end"}" font-size="9" fill="#555">${esc(m.label)}</text>`,
    );
  }
  for (const s of panel.series) {
    const path = s.points
      .filter((p) => Number.isFinite(p.y))
      .map((p, i) => `${i ? "L" : "M"}${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`)
      .join("");
    if (path) out.push(`<path d="${path}" fill="none" stroke="${colorOf(s.name)}" stroke-width="1.6"/>`);
  }
  return out.join("\n");
}

export function curvesSvg(title: string, panels: Panel[], columns = 2): string {
  const names = [...new Set(panels.flatMap((p) => p.series.map((s) => s.name)))];
  const colorOf = (name: string) => COLORS[names.indexOf(name) % COLORS.length];
  const rows = Math.ceil(panels.length / columns);
  const legendH = 20 * Math.ceil(names.length / 4) + 10;
  const width = W * columns;
  const height = 36 + rows * H + legendH;
  const body = panels.map((p, i) => panelSvg(p, colorOf, (i % columns) * W, 36 + Math.floor(i / columns) * H));
  const legend = names.map((n, i) => {
    const x = 16 + (i % 4) * (width / 4);
    const y = 36 + rows * H + 16 + 20 * Math.floor(i / 4);
    return `<rect x="${x}" y="${y - 9}" width="14" height="4" fill="${colorOf(n)}"/><text x="${x + 20}" y="${y - 3}" font-size="11">${esc(n)}</text>`;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans, sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>`,
    ...body,
    ...legend,
    "</svg>",
  ].join("\n");
}

export async function svgToPng(svg: string): Promise<Buffer> {
  return sharp(Buffer.from(svg)).png().toBuffer();
}
