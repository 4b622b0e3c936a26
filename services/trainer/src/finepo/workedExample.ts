// The worked example of services/trainer/README.md, computed by the code it documents.
// `node services/trainer/dist/finepo/workedExample.js` prints the README section;
// workedExample.test.ts fails when the README and the code disagree.
import { ActionKind } from "@sketchvl/contract";
import { ActionWindow } from "./actionWindow";
import { computeGroupAdvantages, type GroupInput, type GroupResult } from "./computeGroup";
import type { ActionDistribution } from "./klOffset";
import { type FinePOSettings, resolveSettings } from "./settings";

const { ACTION_KIND_POINT: POINT, ACTION_KIND_LINE: LINE, ACTION_KIND_RECTANGLE: RECT } = ActionKind;
const { ACTION_KIND_CIRCLE: CIRCLE, ACTION_KIND_TEXT: TEXT } = ActionKind;

export const EXAMPLE_BATCH = 2;

/** Q(a): a training-set prior with the four drawn kinds balanced. */
export const EXAMPLE_PRIOR: ActionDistribution = new Map([
  [POINT, 0.22],
  [LINE, 0.22],
  [RECT, 0.22],
  [CIRCLE, 0.22],
  [TEXT, 0.12],
]);

/** The window's contents: batches 0 and 1 of the run, where the policy has drifted to rectangles. */
export function exampleWindow(): ActionWindow {
  const window = new ActionWindow();
  window.record(
    0,
    new Map([
      [RECT, 6],
      [LINE, 2],
      [POINT, 1],
      [TEXT, 1],
    ]),
    "batch0-groups",
  );
  window.record(
    1,
    new Map([
      [RECT, 5],
      [LINE, 2],
      [POINT, 1],
      [CIRCLE, 1],
      [TEXT, 1],
    ]),
    "batch1-groups",
  );
  return window;
}

/** k = 3: one success with a botched circle, two failures (one of them drew only text). */
export const EXAMPLE_GROUP: GroupInput = {
  members: [
    {
      reward: 1,
      tokenCount: 80,
      imageTokenSpans: [{ start: 50, end: 66 }],
      steps: [
        { kind: RECT, score: 4, tokenSpan: { start: 4, end: 24 } },
        { kind: LINE, score: 4, tokenSpan: { start: 26, end: 38 } },
        { kind: TEXT, score: 3, tokenSpan: { start: 38, end: 44 } },
        { kind: CIRCLE, score: 1, tokenSpan: { start: 44, end: 50 } },
        { kind: POINT, score: 4, tokenSpan: { start: 66, end: 76 } },
      ],
    },
    {
      reward: 0,
      steps: [
        { kind: RECT, score: 3, tokenLength: 18 },
        { kind: CIRCLE, score: 1, tokenLength: 15 },
        { kind: TEXT, score: 2, tokenLength: 9 },
      ],
    },
    { reward: 0, steps: [{ kind: TEXT, score: 3, tokenLength: 12 }] },
  ],
};

export function runWorkedExample(): { settings: FinePOSettings; current: ActionDistribution; result: GroupResult } {
  const settings = resolveSettings();
  const current = exampleWindow().currentDistribution(EXAMPLE_BATCH, settings.windowBatches);
  const result = computeGroupAdvantages(EXAMPLE_GROUP, settings, { prior: EXAMPLE_PRIOR, current });
  return { settings, current, result };
}

const fmt = (x: number): string => {
  if (x === 0) return "0";
  const s = x.toFixed(6).replace(/0+$/, "").replace(/\.$/, "");
  return s === "-0" ? "0" : s;
};

const kindName = (kind: ActionKind): string => ActionKind[kind].replace("ACTION_KIND_", "");

/** The README section, as markdown. */
export function renderWorkedExample(): string {
  const { settings, current, result } = runWorkedExample();
  const lines: string[] = [];
  const dist = (d: ActionDistribution) =>
    [...d.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([k, v]) => `${kindName(k)} ${fmt(v)}`)
      .join(", ");
  lines.push(
    `Settings: the defaults (α ${settings.alpha}, β ${settings.beta}, λ_KL ${settings.lambdaKl}, ` +
      `γ ${settings.gamma}, ε ${settings.epsilon}, W ${settings.windowBatches}, no std division).`,
  );
  lines.push("");
  lines.push(`- Q (prior): ${dist(EXAMPLE_PRIOR)}`);
  lines.push(`- P (batches 0–1, the window of batch ${EXAMPLE_BATCH}): ${dist(current)}`);
  lines.push(
    `- Rewards R = [${EXAMPLE_GROUP.members.map((m) => fmt(m.reward)).join(", ")}], ` +
      `mean ${fmt(EXAMPLE_GROUP.members.reduce((s, m) => s + m.reward, 0) / EXAMPLE_GROUP.members.length)}`,
  );
  lines.push("");
  result.members.forEach((m, i) => {
    lines.push(`**y${i + 1}**: A(y) = ${fmt(m.coarseAdvantage)}, p̄ = ${fmt(m.meanAdjustedScore)}, κ = ${fmt(m.kappa)}`);
    lines.push("");
    lines.push("| j | kind | L | p | offset | p' | Δ | A' | A(s) |");
    lines.push("|---|---|---|---|---|---|---|---|---|");
    m.steps.forEach((s, j) => {
      const scored = !s.excluded;
      lines.push(
        `| ${j + 1} | ${kindName(s.kind)}${scored ? "" : " (excluded)"} | ${fmt(s.tokenLength)} | ${fmt(s.score)} | ` +
          `${fmt(s.klOffset)} | ${fmt(s.adjustedScore)} | ${scored ? fmt(s.deviation) : "–"} | ` +
          `${fmt(s.unclippedAdvantage)} | ${fmt(s.advantage)} |`,
      );
    });
    lines.push("");
    if (m.tokenAdvantages && m.lossMask) {
      lines.push(`Tokens of y${i + 1} (${m.tokenAdvantages.length}), as runs [start, end) → advantage (float32), mask:`);
      lines.push("");
      lines.push("```");
      lines.push(...tokenRuns(m.tokenAdvantages, m.lossMask));
      lines.push("```");
      lines.push("");
    }
  });
  return lines.join("\n");
}

function tokenRuns(advantages: Float32Array, mask: Uint8Array): string[] {
  const out: string[] = [];
  let start = 0;
  for (let t = 1; t <= advantages.length; t++) {
    if (t === advantages.length || advantages[t] !== advantages[start] || mask[t] !== mask[start]) {
      out.push(`[${start}, ${t}) → ${fmt(advantages[start])}${mask[start] ? "" : "  masked (image)"}`);
      start = t;
    }
  }
  return out;
}

if (require.main === module) process.stdout.write(`${renderWorkedExample()}\n`);
