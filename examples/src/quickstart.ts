// `npm run example` (with `npm start` running): what an RL trainer does with the mesh, once.
// A ChartWorld chart and its question; two rollouts sampled from the built-in policy (the policy
// service: draw-and-look turns through the renderer) and four as a policy might write them (the
// expert's, a wrong answer, one with a sloppy first step, a malformed one); one ScoreGroup call to the
// reward service, which parses and draws every step (renderer), rates each (PRM, the trained
// FinePRM), grades the answers and assigns FinePO credit (trainer). The drawn steps of the expert
// rollout are written to out/example/ to look at.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateExample, rasterizeSvg, seedsOfSplit } from "@sketchvl/chartworld";
import {
  FailureKind,
  ImageFormat,
  PolicyServiceDefinition,
  PrmLabel,
  RendererServiceDefinition,
  RewardServiceDefinition,
  StepFormat,
  RewardTask,
} from "@sketchvl/contract";
import { createMeshChannel, createMeshClient } from "@sketchvl/runtime";

const rewardAddress = process.env.SKETCHVL_REWARD ?? "127.0.0.1:50055";
const rendererAddress = process.env.SKETCHVL_RENDERER ?? "127.0.0.1:50051";
const policyAddress = process.env.SKETCHVL_POLICY ?? "127.0.0.1:50054";
const outDir = join(process.cwd(), "out", "example");
const LABEL = {
  [PrmLabel.PRM_LABEL_EXCELLENT]: "Excellent",
  [PrmLabel.PRM_LABEL_ACCEPTABLE]: "Acceptable",
  [PrmLabel.PRM_LABEL_POOR]: "Poor",
  [PrmLabel.PRM_LABEL_UNACCEPTABLE]: "Unacceptable",
} as Record<number, string>;

async function main() {
  const seed = seedsOfSplit("test").next().value as number;
  let example = null;
  for (let s = seed; !example; s++) example = await generateExample(s, { questionsPerChart: 1 });
  const [question] = example.questions;
  const [expert] = example.trajectories;
  const png = await rasterizeSvg(example.chart.svg);
  const wrong = question.answer === "1" ? "2" : "1";
  // Nudge the first action's numbers: the same plan, drawn sloppily.
  const sloppy = expert.text.replace(/\[(\d+),(\d+)/, (_m, a: string, b: string) => `[${Number(a) + 40},${Number(b) + 35}`);
  const policyChannel = createMeshChannel(policyAddress);
  const policy = createMeshClient(PolicyServiceDefinition, policyChannel, { deadlineMs: 120_000 });
  const sampled = await policy.generate({
    requestId: "",
    model: "",
    image: { source: { $case: "encoded", value: png } },
    question: question.question,
    sampling: { groupSize: 2, maxTurns: 0, maxTokensPerTurn: 0, temperature: 1, topP: undefined, seed: 1 },
    returnModelInputs: false,
  });
  policyChannel.close();
  const rollouts = [
    ...sampled.rollouts.map((r) => ({ id: `policy-v${r.version}-${r.index}`, text: r.text, tokenOffsets: r.tokenOffsets, imageTokenSpans: r.imageTokenSpans })),
    { id: "expert", text: expert.text },
    { id: "wrong-answer", text: expert.text.replace(/Answer: .*$/m, `Answer: ${wrong}`) },
    { id: "sloppy-step", text: sloppy },
    { id: "malformed", text: `I can read it directly.\nAnswer: ${question.answer}` },
  ];

  const channel = createMeshChannel(rewardAddress);
  const reward = createMeshClient(RewardServiceDefinition, channel, { deadlineMs: 120_000 });
  const { group } = await reward.scoreGroup({
    requestId: `example-${Date.now()}`,
    runId: "example",
    batchIndex: 0,
    image: { source: { $case: "encoded", value: png } },
    question: question.question,
    references: [question.answer],
    responses: rollouts.map((r) => ({ tokenOffsets: [], imageTokenSpans: [], ...r })),
    outcome: undefined,
    finepo: undefined,
    prmModel: "",
    useArgmaxScore: false,
    format: StepFormat.STEP_FORMAT_UNSPECIFIED,
    sampleTimeoutMs: 0,
    task: RewardTask.REWARD_TASK_DRAW_AND_ANSWER,
    chartCode: undefined,
  });
  console.log(`chart ${example.chart.id} (${example.chart.annotations.kind}): ${question.question}  → ${question.answer}\n`);
  for (const r of sampled.rollouts)
    console.log(
      `policy rollout ${r.index} (${r.model} v${r.version}, ${r.turns.length} turns, ${r.tokenIds.length} tokens):\n${r.text.replace(/^/gm, "    ")}\n`,
    );
  for (const r of group!.responses) {
    const failure = r.failureKind !== FailureKind.FAILURE_KIND_UNSPECIFIED ? `  [${FailureKind[r.failureKind]}${r.maskSample ? ", masked" : ""}]` : "";
    console.log(`${r.id.padEnd(18)} answer ${JSON.stringify(r.answer).padEnd(14)} R=${r.outcomeReward}  A=${r.coarseAdvantage.toFixed(2)}${failure}`);
    for (const s of r.steps) {
      console.log(
        `    step ${s.index}: ${s.intent.slice(0, 48).padEnd(48)} ${(LABEL[s.label] ?? "-").padEnd(12)} p=${s.processScore.toFixed(2)}  A(s)=${s.advantage.toFixed(3)}`,
      );
    }
  }
  console.log(
    `\nstage times (ms): ${Object.entries(group!.stageMs)
      .map(([k, v]) => `${k} ${v.toFixed(0)}`)
      .join(", ")}`,
  );
  channel.close();

  // The expert's after-images, to look at.
  const rendererChannel = createMeshChannel(rendererAddress);
  const renderer = createMeshClient(RendererServiceDefinition, rendererChannel);
  const { parsed } = await renderer.parseSteps({ text: expert.text, format: StepFormat.STEP_FORMAT_UNSPECIFIED });
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, "chart.png"), png);
  for await (const r of renderer.renderTrajectory({
    baseImage: { source: { $case: "encoded", value: png } },
    steps: parsed!.steps,
    outputFormat: ImageFormat.IMAGE_FORMAT_PNG,
  })) {
    const after = r.after?.image?.source;
    if (after?.$case === "encoded") writeFileSync(join(outDir, `expert-step${r.stepIndex}.png`), after.value);
  }
  rendererChannel.close();
  console.log(`the expert's drawn steps: ${outDir}`);
}

void main().catch((err) => {
  console.error(`example failed: ${err.message}\n(is the mesh running? npm start)`);
  process.exit(1);
});
