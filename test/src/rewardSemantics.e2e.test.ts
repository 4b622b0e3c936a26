// Reward semantics a trainer would silently get wrong, through the real services: text decoded
// with its special tokens (every entry point), OpenRLHF's numbers and scores, label types, and a
// batch index that goes back. (The Python side — OpenRLHF's torch handling, verl's compute_score
// — is in clients/python/tests, run by pythonClient.e2e.test.ts.)
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { questionDifficulty, rewardMapOutcome } from "@sketchvl/chartworld";
import { TrainerServiceDefinition } from "@sketchvl/contract";
import { createMeshChannel, createMeshClient } from "@sketchvl/runtime";
import { type RewardMesh, startRewardMesh } from "./support/rewardMesh";

const END = "<|im_end|>";

describe("reward semantics", () => {
  let mesh: RewardMesh;
  before(async () => {
    mesh = await startRewardMesh();
  });
  after(() => mesh?.stop());

  const response = (id: string, text: string) => ({ id, text, tokenOffsets: [], imageTokenSpans: [] });
  const post = (body: unknown) => fetch(mesh.httpUrl, { method: "POST", body: JSON.stringify(body) });

  it("grades an answer followed by end-of-turn and padding tokens the same on ScoreGroup, StreamGroup and HTTP", async () => {
    const { group } = mesh;
    const texts = [group.responses.expert + END, group.responses.wrongAnswer + END + "<|endoftext|>".repeat(4), `Answer: ${group.answer}<|eot_id|>`];
    const whole = (await mesh.client.scoreGroup(mesh.request({ responses: texts.map((t, i) => response(String(i), t)) }))).group!;
    assert.deepEqual(
      whole.responses.map((r) => r.outcomeReward),
      [1, 0, 1],
    );
    assert.deepEqual([whole.responses[0].answer, whole.responses[2].answer], [group.answer, group.answer]);
    assert.doesNotMatch(whole.responses[1].answer, /[<>|]/);
    async function* messages() {
      yield { item: { $case: "group" as const, value: mesh.request({ responses: [] }) } };
      for (const [i, t] of texts.entries()) yield { item: { $case: "response" as const, value: response(String(i), t) } };
    }
    const streamed = (await mesh.client.streamGroup(messages())).group!;
    assert.deepEqual(
      streamed.responses.map((r) => r.outcomeReward),
      [1, 0, 1],
    );
    const prompt = `<|im_start|>user\n<image>${group.question}${END}\n<|im_start|>assistant\n`;
    const label = JSON.stringify({ image: "chart.png", question: group.question, references: [group.answer] });
    const res = await post({ query: texts.map((t) => prompt + t), prompts: texts.map(() => prompt), labels: texts.map(() => label) });
    const text = await res.text();
    assert.equal(res.status, 200, text);
    // Floats as floats (Python's json.loads makes 1 an int, and OpenRLHF's tensor int64); scores are correctness.
    assert.match(text, /^\{"rewards":\[1\.0,0\.0,1\.0\],"scores":\[1\.0,0\.0,1\.0\],"extra_logs":\{"process_mean":\[/);
  });

  it("reports RewardMap's weights and each sub-answer per sample in its components, and refuses weights that disagree", async () => {
    const { group } = mesh;
    const outcome = rewardMapOutcome(group.example, 0, 0.5);
    assert.ok(outcome.subAnswers.length > 0);
    const { weight, mapWeight, questionWeight } = questionDifficulty(group.example, 0);
    const scored = (
      await mesh.client.scoreGroup(
        mesh.request({ outcome, responses: [response("expert", group.responses.expert), response("wrong", group.responses.wrongAnswer)] }),
      )
    ).group!;
    const [expert, wrong] = scored.responses;
    for (const r of [expert, wrong]) {
      assert.equal(r.rewardComponents.map_weight, mapWeight);
      assert.equal(r.rewardComponents.question_weight, questionWeight);
      assert.equal(r.rewardComponents.difficulty_weight, weight);
      // The wrong answer drew the same marks: every sub-answer found, the answer alone is wrong.
      for (const s of outcome.subAnswers) assert.equal(r.rewardComponents[`detail:${s.name}`], 1, `${r.id}: ${s.name}`);
      assert.equal(r.rewardComponents.detail, 1);
    }
    assert.equal(expert.rewardComponents.correctness, 1);
    assert.equal(wrong.rewardComponents.correctness, 0);
    assert.ok(Math.abs(expert.outcomeReward - weight * 2.5) < 1e-9);
    assert.ok(Math.abs(wrong.outcomeReward - weight * (expert.rewardComponents.format + 0.5)) < 1e-9);
    await assert.rejects(
      mesh.client.scoreGroup(mesh.request({ outcome: { ...outcome, difficultyWeight: weight + 1 }, responses: [] })),
      /outcome\.difficulty_weight/,
    );
  });

  it('refuses a label whose references is a string, naming the field (never read as ["2022"] nor as "2","0",...)', async () => {
    const label = JSON.stringify({ image: "chart.png", question: "q", references: mesh.group.answer });
    const res = await post({ query: ["Answer: 1"], prompts: [""], labels: [label] });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { error: string; field: string };
    assert.equal(body.field, "labels[0].references");
    assert.match(body.error, /must be a list of strings .* got string; write \[/);
    const numbers = await post({ query: ["Answer: 1"], prompts: [""], labels: [JSON.stringify({ image: "chart.png", references: [2022] })] });
    assert.equal(numbers.status, 400);
  });

  it("a batch index that goes back is a resume: answered, and the resumed batch sees the window it saw the first time", async () => {
    const { request, client, group } = mesh;
    const boxes = response("r", group.responses.expert);
    const scored = async (batchIndex: number) =>
      (await client.scoreGroup(request({ runId: "resume", batchIndex, responses: [boxes, response("w", group.responses.wrongAnswer)] }))).group!;
    const firstPass = [];
    for (let b = 0; b <= 5; b++) firstPass.push(await scored(b));
    const resumed = await scored(2); // from the checkpoint of batch 2: formerly FAILED_PRECONDITION / INTERNAL
    assert.deepEqual(
      resumed.responses.map((r) => r.steps.map((s) => s.klOffset)),
      firstPass[2].responses.map((r) => r.steps.map((s) => s.klOffset)),
    );
    await scored(0); // the run id reused from the start
    // The trainer's own view: after a rewind to 1, batch 1's window is what it was.
    const channel = createMeshChannel(mesh.trainer.address);
    try {
      const trainer = createMeshClient(TrainerServiceDefinition, channel);
      const member = { reward: 1, steps: [{ actionKind: 3, score: 3, tokenLength: 4, tokenSpan: undefined }], tokenCount: undefined, imageTokenSpans: [] };
      const call = (batchIndex: number, requestId: string, actionKind = 3) => {
        const m = { ...member, steps: [{ ...member.steps[0], actionKind }] };
        return trainer.computeAdvantages({
          requestId,
          runId: "trainer-resume",
          batchIndex,
          members: [m, { ...m, reward: 0 }],
          config: undefined,
          prior: [],
          current: [],
        });
      };
      const first = [];
      for (let b = 0; b <= 4; b++) first.push(await call(b, `t${b}`)); // rectangles (kind 3) only
      const again = await call(1, "t1-again", 1); // resumed at 1; the policy now draws points
      assert.deepEqual(again.current, first[1].current, "batch 1 sees batch 0, as the first time");
      // Batch 2 sees batch 0 (rectangles) and the new batch 1 (points): nothing of the abandoned batches 1-4.
      const next = await call(2, "t2-again", 1);
      assert.deepEqual(next.current.map((f) => [f.kind, f.frequency]).sort(), [
        [1, 0.5],
        [3, 0.5],
      ]);
    } finally {
      channel.close();
    }
  });
});
