// bench/renderer: a 1000×700 chart, a 4-step trajectory, each after-image encoded as PNG —
// this renderer (in-process and through gRPC) against Python PIL ImageDraw on the same machine,
// in one run. Also the in-mesh path (raw pixels out) and bytes on the wire for a group of 24.
//   npm run build && node bench/dist/renderer.js [--trajectories N]
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  CoordinateSpace,
  type DrawingAction,
  ImageFormat,
  PutImageRequest,
  RendererServiceDefinition,
  RenderTrajectoryRequest,
  type Step,
} from "@sketchvl/contract";
import { freePort, launchService, SERVICES } from "@sketchvl/launcher";
import { decodeImage, drawAction, encodePng, styleFor, type RasterImage } from "@sketchvl/drawing";
import { parseColor } from "@sketchvl/steps";
import { createMeshChannel, createMeshClient } from "@sketchvl/runtime";
import { barChartPng, debianPython, fmt, table, throughput } from "./support";

const { values } = parseArgs({ options: { trajectories: { type: "string", default: "200" } } });
const N = Number(values.trajectories);
const W = 1000;
const H = 700;
const GROUP = 24;

// SketchVL-style steps, NORM_1000 y-first in the text, named x/y here.
const actions: DrawingAction[] = [
  {
    kind: { $case: "rectangle", value: { corner1: { x: 800, y: 100 }, corner2: { x: 880, y: 130 } } },
    color: "Red",
    space: CoordinateSpace.COORDINATE_SPACE_NORM_1000,
  },
  { kind: { $case: "line", value: { start: { x: 80, y: 314 }, end: { x: 960, y: 314 } } }, color: "Blue", space: CoordinateSpace.COORDINATE_SPACE_NORM_1000 },
  { kind: { $case: "line", value: { start: { x: 555, y: 314 }, end: { x: 555, y: 886 } } }, color: "Green", space: CoordinateSpace.COORDINATE_SPACE_NORM_1000 },
  { kind: { $case: "circle", value: { center: { x: 555, y: 910 }, radius: 40 } }, color: "Red", space: CoordinateSpace.COORDINATE_SPACE_NORM_1000 },
];
const steps: Step[] = actions.map((action, index) => ({
  index,
  turn: 0,
  intent: "",
  action,
  deduction: "",
  span: undefined,
  intentSpan: undefined,
  actionSpan: undefined,
}));

/** The same marks for PIL, in pixels, with our stroke width. */
function pilActions(): object[] {
  const width = styleFor(W, H).strokeWidth;
  const px = (x: number, y: number) => [(x * W) / 1000, (y * H) / 1000];
  return actions.map((a) => {
    const color = Object.values(parseColor(a.color));
    switch (a.kind?.$case) {
      case "rectangle":
        return {
          kind: "rectangle",
          px: [...px(a.kind.value.corner1!.x, a.kind.value.corner1!.y), ...px(a.kind.value.corner2!.x, a.kind.value.corner2!.y)],
          color,
          width,
        };
      case "line":
        return { kind: "line", px: [...px(a.kind.value.start!.x, a.kind.value.start!.y), ...px(a.kind.value.end!.x, a.kind.value.end!.y)], color, width };
      case "circle":
        return { kind: "circle", px: [...px(a.kind.value.center!.x, a.kind.value.center!.y), (a.kind.value.radius * Math.min(W, H)) / 1000], color, width };
      default:
        throw new Error("unused kind");
    }
  });
}

async function trajectory(base: RasterImage, encode: boolean): Promise<void> {
  let img = base;
  for (const a of actions) {
    img = await drawAction(img, a);
    if (encode) await encodePng(img);
  }
}

function runPil(python: string, chartPath: string, actionsPath: string, count: number, processes: number, level: number) {
  const run = spawnSync(
    python,
    [join(__dirname, "..", "renderer", "pil_baseline.py"), chartPath, actionsPath, String(count), String(processes), String(level)],
    { encoding: "utf8" },
  );
  if (run.status !== 0) throw new Error(`PIL baseline failed: ${run.stderr}`);
  const out = JSON.parse(run.stdout) as { trajectories: number; seconds: number; png_bytes: number };
  return { perSecond: out.trajectories / out.seconds, pngBytes: out.png_bytes / out.trajectories / actions.length };
}

async function main() {
  const python = debianPython();
  if (!python) throw new Error("Debian's python3-pil is needed for the baseline: apt-get install python3-pil");
  const dir = mkdtempSync(join(tmpdir(), "bench-renderer-"));
  const chart = await barChartPng(W, H);
  const chartPath = join(dir, "chart.png");
  const actionsPath = join(dir, "actions.json");
  writeFileSync(chartPath, chart);
  writeFileSync(actionsPath, JSON.stringify(pilActions()));
  const base = await decodeImage(chart, { maxPixels: 1e8, maxBytes: 1e9 });

  console.log(`bench/renderer: ${W}x${H} chart, ${actions.length}-step trajectory, PNG after every step, ${N} trajectories per measurement`);
  await trajectory(base, true); // warm-up
  const pil1 = runPil(python, chartPath, actionsPath, N, 1, 6);
  const pil1Same = runPil(python, chartPath, actionsPath, N, 1, 2);
  const pil2 = runPil(python, chartPath, actionsPath, N, 2, 6);
  const pil2Same = runPil(python, chartPath, actionsPath, N, 2, 2);
  const ours1 = await throughput(N, 1, () => trajectory(base, true));
  const ours2 = await throughput(N, 2, () => trajectory(base, true));
  const oursRaw = await throughput(N, 2, () => trajectory(base, false));
  let last = base;
  for (const a of actions) last = await drawAction(last, a);
  const oursPng = (await encodePng(last)).length;

  // Through gRPC on loopback: the renderer as its own process; the chart sent once, then by digest.
  const spec = SERVICES.find((s) => s.name === "renderer")!;
  const renderer = await launchService(spec, { port: await freePort(), args: ["--log-level", "warn"] });
  const channel = createMeshChannel(renderer.address);
  const client = createMeshClient(RendererServiceDefinition, channel);
  const put = await client.putImage({ image: { source: { $case: "encoded", value: chart } } });
  const byDigest = { source: { $case: "digest" as const, value: put.image!.digest } };
  const viaGrpc = async (format: ImageFormat) => {
    for await (const _ of client.renderTrajectory({ baseImage: byDigest, steps, outputFormat: format })) void _;
  };
  await viaGrpc(ImageFormat.IMAGE_FORMAT_PNG);
  const grpcPng = await throughput(N, 4, () => viaGrpc(ImageFormat.IMAGE_FORMAT_PNG));
  const grpcRaw = await throughput(N, 4, () => viaGrpc(ImageFormat.IMAGE_FORMAT_RAW));
  channel.close();
  await renderer.stop();
  rmSync(dir, { recursive: true, force: true });

  // Bytes on the wire for one group of 24 rollouts over this chart (requests only; responses are the same either way).
  const inline = RenderTrajectoryRequest.encode({ baseImage: { source: { $case: "encoded", value: chart } }, steps, outputFormat: 0 }).finish().length * GROUP;
  const digest =
    PutImageRequest.encode({ image: { source: { $case: "encoded", value: chart } } }).finish().length +
    RenderTrajectoryRequest.encode({ baseImage: byDigest, steps, outputFormat: 0 }).finish().length * GROUP;

  const r = (x: number) => `${fmt(x)} traj/s`;
  console.log(
    table([
      ["PIL ImageDraw, 1 process, PNG level 6 (PIL default)", r(pil1.perSecond), "baseline"],
      ["PIL ImageDraw, 1 process, PNG level 2 (our level)", r(pil1Same.perSecond), `${fmt(pil1Same.perSecond / pil1.perSecond, 2)}x baseline`],
      ["PIL ImageDraw, 2 processes (both cores), level 6", r(pil2.perSecond), `${fmt(pil2.perSecond / pil1.perSecond, 2)}x baseline`],
      ["renderer in-process, 1 at a time, PNG", r(ours1), `${fmt(ours1 / pil1.perSecond, 2)}x baseline`],
      [
        "renderer in-process, 2 at a time (both cores), PNG",
        r(ours2),
        `${fmt(ours2 / pil1.perSecond, 2)}x baseline, ${fmt(ours2 / pil2.perSecond, 2)}x PIL on both cores`,
      ],
      ["renderer in-process, raw pixels out (in-mesh path)", r(oursRaw), `${fmt(oursRaw / pil1.perSecond, 2)}x baseline`],
      [
        "renderer over gRPC (own process, 4 streams), PNG",
        r(grpcPng),
        `${fmt(grpcPng / pil1.perSecond, 2)}x baseline, ${fmt(grpcPng / pil2.perSecond, 2)}x PIL on both cores`,
      ],
      ["renderer over gRPC, raw pixels out", r(grpcRaw), `${fmt(grpcRaw / pil1.perSecond, 2)}x baseline`],
    ]),
  );
  // #15's target, at the same PNG level and core count. libvips may put its threads on the second
  // core even one trajectory at a time, so the both-cores line is the like-for-like one.
  console.log(
    `PNG out at the same level (2): 1 at a time ${fmt(ours1 / pil1Same.perSecond, 2)}x PIL in 1 process; both cores ${fmt(ours2 / pil2Same.perSecond, 2)}x PIL in 2 processes (${r(pil2Same.perSecond)}) (target >= 2x)`,
  );
  console.log(
    `PNG size of one after-image: PIL level 6 ${fmt(pil1.pngBytes / 1024)} KiB, PIL level 2 ${fmt(pil1Same.pngBytes / 1024)} KiB, ours ${fmt(oursPng / 1024)} KiB`,
  );
  console.log(
    `a group of ${GROUP} rollouts, request bytes: chart inline every time ${fmt(inline / 1024)} KiB; chart once + digests ${fmt(digest / 1024)} KiB (${fmt(inline / digest, 1)}x less)`,
  );
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
