// ChartWorld speed, per core: charts + questions + expert trajectories per second (with and
// without PNG rasterization) and reference-scored steps per second.
// Build first: npx tsc -b packages/chartworld && node bench/chartworld/bench.mjs [--charts N] [--steps N]
import { createRequire } from "node:module";
import { cpus } from "node:os";

const require = createRequire(import.meta.url);
const cw = require("../../packages/chartworld/dist/index.js");
const sharp = require("sharp");
// One libvips thread, so "per core" is honest for the PNG path too.
sharp.concurrency(1);

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const CHARTS = arg("charts", 150);
const STEPS = arg("steps", 2_000_000);

async function timeExamples(withPng, offset) {
  let charts = 0;
  let questions = 0;
  let steps = 0;
  const t0 = performance.now();
  for await (const ex of cw.iterateExamples({ split: "train", count: CHARTS, offset })) {
    if (withPng) await cw.rasterizeSvg(ex.chart.svg);
    charts++;
    questions += ex.questions.length;
    steps += ex.trajectories.reduce((s, t) => s + t.steps.length, 0);
  }
  const s = (performance.now() - t0) / 1000;
  return { charts, questions, steps, seconds: s, chartsPerSec: charts / s, questionsPerSec: questions / s };
}

async function main() {
  // Warm-up: module load, JIT.
  for await (const ex of cw.iterateExamples({ split: "train", count: 10, offset: 100000 })) await cw.rasterizeSvg(ex.chart.svg);

  const noPng = await timeExamples(false, 0);
  const png = await timeExamples(true, CHARTS);

  // Scoring: a pool of noisy variants of real expert steps on real charts.
  const pool = [];
  const rng = new cw.Rng(7, "bench");
  for await (const ex of cw.iterateExamples({ split: "validation", count: 40 })) {
    for (const t of ex.trajectories)
      for (const s of t.steps)
        for (const noise of cw.NOISE_KINDS) {
          const shape = cw.injectNoise(rng, ex.chart.annotations, s.target, noise);
          pool.push([ex.chart.annotations, s.target, cw.shapeToAction(shape, ex.chart.annotations)]);
        }
  }
  const counts = { excellent: 0, acceptable: 0, poor: 0, unacceptable: 0 };
  for (const [a, t, x] of pool) counts[cw.scoreStep(a, t, x)]++; // warm-up + label mix
  const t0 = performance.now();
  let sink = 0;
  for (let i = 0; i < STEPS; i++) {
    const [a, t, x] = pool[i % pool.length];
    sink += cw.scoreStepValue(a, t, x);
  }
  const scoreSec = (performance.now() - t0) / 1000;

  const fmt = (x) => x.toFixed(1);
  console.log(`machine: ${cpus()[0]?.model ?? "?"} x${cpus().length}, node ${process.version}, one core (sharp.concurrency(1))`);
  console.log(`examples without PNG: ${fmt(noPng.chartsPerSec)} charts/s (${fmt(noPng.questionsPerSec)} questions+trajectories/s) over ${noPng.charts} charts`);
  console.log(`examples with PNG:    ${fmt(png.chartsPerSec)} charts/s (${fmt(png.questionsPerSec)} questions+trajectories/s) over ${png.charts} charts`);
  console.log(
    `reference scoring:    ${Math.round(STEPS / scoreSec).toLocaleString("en-US")} steps/s over ${STEPS.toLocaleString("en-US")} steps (pool ${pool.length}, labels ${JSON.stringify(counts)}, checksum ${sink})`,
  );
  console.log(
    JSON.stringify({
      chartsPerSecNoPng: noPng.chartsPerSec,
      chartsPerSecPng: png.chartsPerSec,
      questionsPerSecNoPng: noPng.questionsPerSec,
      questionsPerSecPng: png.questionsPerSec,
      scoredStepsPerSec: STEPS / scoreSec,
    }),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
