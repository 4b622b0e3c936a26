// What a person running `npm run train` sees: a progress bar per phase on a terminal (one line
// per tenth otherwise, so CI logs stay short), each held-out evaluation, and where results go.
import type { TrainingReporter } from "./run";

const score = (v: number | null) => (v === null || !Number.isFinite(v) ? "—" : v.toFixed(2));

export function consoleReporter(prefix = ""): TrainingReporter {
  const tty = process.stderr.isTTY === true;
  let name = "";
  let total = 0;
  let started = 0;
  let lastPrinted = -1;
  return {
    phase(phase, steps) {
      if (tty && name) process.stderr.write("\n");
      name = phase;
      total = steps;
      started = Date.now();
      lastPrinted = -1;
    },
    tick(done, detail) {
      const fraction = total ? done / total : 1;
      const elapsed = (Date.now() - started) / 1000;
      const eta = done > 0 ? (elapsed / done) * (total - done) : 0;
      if (tty) {
        const width = 28;
        const bar = "█".repeat(Math.round(fraction * width)).padEnd(width, "░");
        process.stderr.write(`\r${prefix}${name} ${bar} ${done}/${total} ${elapsed.toFixed(0)}s eta ${eta.toFixed(0)}s ${detail}\x1b[K`);
      } else {
        const tenth = Math.floor(fraction * 10);
        if (tenth !== lastPrinted || done === total) {
          lastPrinted = tenth;
          console.log(`${prefix}${name}: ${done}/${total} (${elapsed.toFixed(0)} s) ${detail}`);
        }
      }
    },
    update() {},
    evaluation(e) {
      if (tty) process.stderr.write("\n");
      const mix = Object.entries(e.actionMix)
        .map(([k, v]) => `${k} ${(100 * v).toFixed(0)}%`)
        .join(", ");
      const pct = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? "—" : `${(100 * v).toFixed(1)}%`);
      const stage = e.stage && e.stage !== "all" ? ` [${e.stage} stage]` : "";
      console.log(
        `${prefix}held-out @ update ${e.update} (policy v${e.policyVersion})${stage}: accuracy ${(100 * e.accuracy).toFixed(1)}% of ${e.questions} ` +
          `(perception ${pct(e.perceptionAccuracy)}, reasoning ${pct(e.reasoningAccuracy)}), ` +
          `FinePRM ${score(e.meanProcessScore)}, reference ${score(e.meanReferenceScore)} (${(100 * e.referenceCoverage).toFixed(0)}% of steps matched), ` +
          `${e.stepsPerResponse.toFixed(1)} steps/answer [${mix}]`,
      );
    },
    log(line) {
      if (tty && name) process.stderr.write("\n");
      console.log(`${prefix}${line}`);
    },
  };
}
