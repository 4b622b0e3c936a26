// `npm run example` (with `npm start` running): one group of four SketchVL responses to a chart
// question goes through the mesh as an RL reward pipeline would send it —
//   parse each response into steps (renderer) → draw every step, stream the after-images (renderer)
//   → outcome reward by exact match → FinePO step advantages (trainer).
// Step labels are given by hand here, as a reviewer would label them; the FinePRM service scores
// them in the full pipeline. After-images are written to out/example/ to look at.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ActionKind, ImageFormat, RendererServiceDefinition, StepFormat, TrainerServiceDefinition } from "@sketchvl/contract";
import { createMeshChannel, createMeshClient } from "@sketchvl/runtime";
import sharp from "sharp";

const rendererAddress = process.env.SKETCHVL_RENDERER ?? "127.0.0.1:50051";
const trainerAddress = process.env.SKETCHVL_TRAINER ?? "127.0.0.1:50052";
const outDir = join(process.cwd(), "out", "example");

const question = "In which year did FDI inflows first exceed 400?";
const groundTruth = "2015";
const LABELS = { Excellent: 4, Acceptable: 3, Poor: 2, Unacceptable: 1 } as const;

// Four rollouts: two right, two wrong. A wrong answer with a good first step keeps that step's
// advantage near 0; a right answer with a sloppy step gets less for that step.
const responses: Array<{ text: string; labels: Array<keyof typeof LABELS> }> = [
  {
    text: `Deduction1: The legend shows FDI in orange.\nIntent1: Box the FDI legend entry\nAction1: #Draw Box, [98,796,132,884], Red\nIntent2: Draw a horizontal line at 400\nAction2: #Draw Line, [429,80,429,960], Blue\nIntent3: Drop a vertical line from the first bar above the line\nAction3: #Draw Line, [429,618,886,618], Green\nAnswer: 2015`,
    labels: ["Excellent", "Excellent", "Excellent"],
  },
  {
    text: `Intent1: Draw a horizontal line at 400\nAction1: #Draw Line, [429,80,429,960], Blue\nIntent2: Circle the first bar above the line\nAction2: #Draw Circle, [560,660,90], Red\nAnswer: 2015`,
    labels: ["Excellent", "Poor"],
  },
  {
    text: `Intent1: Draw a horizontal line at 400\nAction1: #Draw Line, [429,80,429,960], Blue\nIntent2: Box the first bar above the line\nAction2: #Draw Box, [349,666,886,714], Red\nAnswer: 2016`,
    labels: ["Excellent", "Unacceptable"],
  },
  {
    text: `Intent1: Draw a horizontal line at 400\nAction1: #Draw Line, [314,80,314,960], Blue\nAnswer: 2017`,
    labels: ["Unacceptable"],
  },
];

async function chart(): Promise<Buffer> {
  const bars = Array.from({ length: 12 }, (_, i) => {
    const value = [120, 180, 210, 260, 300, 350, 380, 430, 470, 520, 500, 560][i];
    const h = value * 0.8;
    return `<rect x="${90 + i * 72}" y="${620 - h}" width="48" height="${h}" fill="#e8893c"/>` +
      `<text x="${96 + i * 72}" y="645" font-family="DejaVu Sans" font-size="14">${2008 + i}</text>`;
  }).join("");
  const ticks = Array.from({ length: 7 }, (_, i) => `<text x="30" y="${625 - i * 80}" font-family="DejaVu Sans" font-size="13">${i * 100}</text>`).join("");
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1000" height="700"><rect width="100%" height="100%" fill="white"/>${ticks}${bars}
    <line x1="80" y1="620" x2="960" y2="620" stroke="black" stroke-width="2"/><line x1="80" y1="620" x2="80" y2="100" stroke="black" stroke-width="2"/>
    <text x="330" y="50" font-family="DejaVu Sans" font-size="24">FDI inflows by year (USD bn)</text>
    <rect x="800" y="72" width="16" height="16" fill="#e8893c"/><text x="822" y="86" font-family="DejaVu Sans" font-size="14">FDI</text></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

const kindOf: Record<string, ActionKind> = {
  point: ActionKind.ACTION_KIND_POINT, line: ActionKind.ACTION_KIND_LINE, rectangle: ActionKind.ACTION_KIND_RECTANGLE,
  circle: ActionKind.ACTION_KIND_CIRCLE, text: ActionKind.ACTION_KIND_TEXT, crop: ActionKind.ACTION_KIND_CROP,
};

async function main() {
  const rendererChannel = createMeshChannel(rendererAddress);
  const trainerChannel = createMeshChannel(trainerAddress);
  const renderer = createMeshClient(RendererServiceDefinition, rendererChannel);
  const trainer = createMeshClient(TrainerServiceDefinition, trainerChannel);
  mkdirSync(outDir, { recursive: true });

  // The chart travels once; every rollout refers to it by digest.
  const png = await chart();
  writeFileSync(join(outDir, "chart.png"), png);
  const { image } = await renderer.putImage({ image: { source: { $case: "encoded", value: png } } });
  console.log(`question: ${question}  (ground truth ${groundTruth})\nchart stored as ${image!.digest}\n`);

  const members = [];
  for (const [i, response] of responses.entries()) {
    const { parsed } = await renderer.parseSteps({ text: response.text, format: StepFormat.STEP_FORMAT_UNSPECIFIED });
    const steps = parsed!.steps;
    for await (const r of renderer.renderTrajectory({ baseImage: { source: { $case: "digest", value: image!.digest } }, steps, outputFormat: ImageFormat.IMAGE_FORMAT_PNG })) {
      const after = r.after!.image!.source;
      if (after?.$case === "encoded") writeFileSync(join(outDir, `response${i}-step${r.stepIndex}.png`), after.value);
    }
    const reward = parsed!.answer.trim() === groundTruth ? 1 : 0;
    members.push({
      reward,
      steps: steps.map((s, j) => ({ actionKind: kindOf[s.action!.kind!.$case], score: LABELS[response.labels[j]], tokenLength: s.span!.end - s.span!.start, tokenSpan: undefined })),
      tokenCount: undefined,
      imageTokenSpans: [],
    });
    console.log(`response ${i}: ${steps.length} steps, answer ${parsed!.answer} → reward ${reward}`);
  }

  const advantages = await trainer.computeAdvantages({
    requestId: `example-${Date.now()}`, runId: "example", batchIndex: 0, members, config: undefined, prior: [], current: [],
  });
  console.log(`\nFinePO (alpha ${advantages.config!.alpha}, beta ${advantages.config!.beta}):`);
  advantages.members.forEach((m, i) => {
    const steps = m.steps.map((s, j) => `${responses[i].labels[j]}→${s.advantage.toFixed(3)}`).join("  ");
    console.log(`  response ${i}: A(y)=${m.coarseAdvantage.toFixed(3)}  steps: ${steps}`);
  });
  console.log(`\nafter-images: ${outDir}`);
  rendererChannel.close();
  trainerChannel.close();
}

void main().catch((err) => {
  console.error(`example failed: ${err.message}\n(is the mesh running? npm start)`);
  process.exit(1);
});
