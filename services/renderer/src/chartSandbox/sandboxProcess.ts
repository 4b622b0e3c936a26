// One chart-code sandbox (started by chartSandbox.ts): a child process with a V8 heap limit that
// the pool kills at its time limit. A process, not a worker thread: V8 running out of heap in a
// worker can abort the whole process (tested: a huge data sequence did), a child only itself. It parses the code, compiles Vega-Lite, runs Vega
// headless and rasterizes the SVG. Specs are data, not programs, but Vega can still fetch: every
// URL and file goes through the View's loader, and this loader refuses them all, so data must be
// inline. Vega's expression language has no I/O of its own.
import { loadVegaEngine } from "@sketchvl/chartworld";
import sharp from "sharp";

export interface SandboxJob {
  id: number;
  code: string;
  maxPixels: number;
  maxSvgBytes: number;
}

export type SandboxOutcome =
  | { status: "ok" | "blank"; width: number; height: number; pixels: Uint8Array }
  | { status: "invalid-spec" | "forbidden-io" | "too-large"; detail: string };

export type FromSandbox = { kind: "ready" } | ({ id: number } & SandboxOutcome);

class Refused extends Error {}

/** A Vega loader that loads nothing and says what was asked for. */
function refusingLoader(asked: string[]) {
  const refuse = (what: string) => (uri: unknown) => {
    asked.push(`${what} ${String(uri).slice(0, 200)}`);
    return Promise.reject(new Refused(`${what} refused: chart code must carry its data inline`));
  };
  return { load: refuse("load"), sanitize: refuse("url"), http: refuse("http"), file: refuse("file") };
}

// Vega-Lite's warnings about a policy's spec are its own business; compile errors still throw.
const quiet = { level: () => 0, error: () => quiet, warn: () => quiet, info: () => quiet, debug: () => quiet };

async function render(job: SandboxJob): Promise<SandboxOutcome> {
  let spec: unknown;
  try {
    spec = JSON.parse(job.code);
  } catch (err) {
    return { status: "invalid-spec", detail: `not JSON: ${(err as Error).message}` };
  }
  if (typeof spec !== "object" || spec === null || Array.isArray(spec)) return { status: "invalid-spec", detail: "not a JSON object" };
  const { vega, vegaLite } = await loadVegaEngine();
  const asked: string[] = [];
  let svg: string;
  let view: InstanceType<typeof vega.View> | undefined;
  try {
    // A spec with Vega's own "$schema" (or signals/scales/marks at the top) is Vega; anything else Vega-Lite.
    const isVega = /\/schema\/vega\/v/.test(String((spec as { $schema?: unknown }).$schema ?? ""));
    // biome-ignore lint/suspicious/noExplicitAny: a policy's spec, checked by Vega-Lite itself at compile time
    const compiled = isVega ? spec : vegaLite.compile(spec as any, { logger: quiet as any }).spec;
    // biome-ignore lint/suspicious/noExplicitAny: as above, Vega parses and checks it
    view = new vega.View(vega.parse(compiled as any), { renderer: "none", loader: refusingLoader(asked) as any });
    view.logLevel(vega.None);
    await view.runAsync();
    if (asked.length > 0) return { status: "forbidden-io", detail: asked.join("; ") };
    svg = await view.toSVG();
  } catch (err) {
    if (asked.length > 0 || err instanceof Refused) return { status: "forbidden-io", detail: asked.join("; ") || (err as Error).message };
    return { status: "invalid-spec", detail: (err as Error).message.slice(0, 500) };
  } finally {
    view?.finalize();
  }
  if (asked.length > 0) return { status: "forbidden-io", detail: asked.join("; ") };
  // librsvg is never given a chance to follow a link out of the SVG.
  if (/<image\b/.test(svg)) return { status: "forbidden-io", detail: "image marks are refused: they load a URL" };
  const size = /^<svg[^>]*?width="([\d.]+)" height="([\d.]+)"/.exec(svg);
  const width = Math.ceil(Number(size?.[1] ?? 0));
  const height = Math.ceil(Number(size?.[2] ?? 0));
  if (svg.length > job.maxSvgBytes) return { status: "too-large", detail: `${svg.length} bytes of SVG; the limit is ${job.maxSvgBytes}` };
  if (width * height > job.maxPixels) return { status: "too-large", detail: `${width}x${height} pixels; the limit is ${job.maxPixels}` };
  if (width === 0 || height === 0) return { status: "blank", width: 1, height: 1, pixels: new Uint8Array([255, 255, 255]) };
  const { data, info } = await sharp(Buffer.from(svg), { density: 72, limitInputPixels: job.maxPixels })
    .flatten({ background: "#ffffff" })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { status: isBlank(data) ? "blank" : "ok", width: info.width, height: info.height, pixels: data };
}

/** One colour everywhere (RGB). */
function isBlank(pixels: Buffer): boolean {
  for (let i = 3; i < pixels.length; i += 3) {
    if (pixels[i] !== pixels[0] || pixels[i + 1] !== pixels[1] || pixels[i + 2] !== pixels[2]) return false;
  }
  return true;
}

async function main(): Promise<void> {
  const send = (m: FromSandbox) => process.send?.(m);
  await loadVegaEngine();
  process.on("message", async (job: SandboxJob) => {
    const outcome = await render(job).catch((err: Error) => ({ status: "invalid-spec" as const, detail: err.message.slice(0, 500) }));
    send({ id: job.id, ...outcome });
  });
  // The pool going away (even killed) closes the channel: nothing is left running.
  process.on("disconnect", () => process.exit(0));
  send({ kind: "ready" });
}

void main();
