// Shared by the benchmarks: timing, a realistic chart, printing.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import sharp from "sharp";

/** Runs task(0 .. count − 1) with at most `concurrency` at once; returns the wall time in seconds. */
export async function runConcurrently(count: number, concurrency: number, task: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await task(next++);
    }),
  );
  return (performance.now() - started) / 1000;
}

/** Runs `task` `count` times with at most `concurrency` at once; returns operations per second. */
export async function throughput(count: number, concurrency: number, task: (i: number) => Promise<unknown>): Promise<number> {
  return count / (await runConcurrently(count, concurrency, task));
}

/** A 1000×700 bar chart with axes, gridlines, labels and a legend (SVG rasterized by sharp). */
export async function barChartPng(width = 1000, height = 700): Promise<Buffer> {
  const bars = Array.from({ length: 12 }, (_, i) => {
    const h = 80 + ((i * 137) % 420);
    return (
      `<rect x="${90 + i * 72}" y="${620 - h}" width="48" height="${h}" fill="hsl(${(i * 29) % 360},55%,55%)"/>` +
      `<text x="${96 + i * 72}" y="645" font-family="DejaVu Sans" font-size="14">${2010 + i}</text>`
    );
  }).join("");
  const grid = Array.from(
    { length: 6 },
    (_, i) =>
      `<line x1="80" y1="${620 - i * 100}" x2="960" y2="${620 - i * 100}" stroke="#ddd"/>` +
      `<text x="40" y="${625 - i * 100}" font-family="DejaVu Sans" font-size="13">${i * 100}</text>`,
  ).join("");
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <rect width="100%" height="100%" fill="white"/>${grid}${bars}
    <line x1="80" y1="620" x2="960" y2="620" stroke="black" stroke-width="2"/>
    <line x1="80" y1="620" x2="80" y2="100" stroke="black" stroke-width="2"/>
    <text x="330" y="50" font-family="DejaVu Sans" font-size="24">FDI inflows by year (USD bn)</text>
    <rect x="800" y="70" width="16" height="16" fill="hsl(29,55%,55%)"/><text x="822" y="84" font-family="DejaVu Sans" font-size="14">FDI</text>
  </svg>`;
  return sharp(Buffer.from(svg)).flatten({ background: "#fff" }).png().toBuffer();
}

export function debianPython(): string | undefined {
  const probe = spawnSync("/usr/bin/python3", ["-c", "import PIL"], { encoding: "utf8" });
  return probe.status === 0 ? "/usr/bin/python3" : undefined;
}

export function table(rows: Array<[string, string, string]>): string {
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  return rows.map(([a, b, c]) => `  ${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`).join("\n");
}

/** Rows under a header, the first column left-aligned and the others right-aligned (numbers). */
export function grid(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  return all.map((r) => `  ${r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ")}`).join("\n");
}

export const fmt = (n: number, digits = 1) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Kernel clock ticks per second (`getconf CLK_TCK`: 100 on Linux). */
const CLOCK_TICKS = 100;

/** utime + stime from a /proc stat file, in ms. */
function statCpuMs(path: string): number {
  const stat = readFileSync(path, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // after "pid (comm) "
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS; // fields 14 and 15 of stat(5)
}

/**
 * CPU time of a process so far, all its threads included (ONNX Runtime's, libvips', worker
 * threads), in ms: utime + stime from /proc/<pid>/stat. Linux only.
 */
export const cpuMsOf = (pid: number): number => statCpuMs(`/proc/${pid}/stat`);

/** CPU time of a process's main thread so far (a Node service's event loop: the part no number of cores spreads). */
export const mainThreadCpuMsOf = (pid: number): number => statCpuMs(`/proc/${pid}/task/${pid}/stat`);
