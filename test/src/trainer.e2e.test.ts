// The trainer as a process: FinePO over real gRPC, checked against the paper's formulas computed
// here independently; idempotency, the stream, bad input, and the KL window across a restart.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ActionKind, AdvantageMode, ErrorReason, type ComputeAdvantagesRequest, type GroupMember, TrainerServiceDefinition } from "@sketchvl/contract";
import type { RunningProcess } from "@sketchvl/launcher";
import { createMeshChannel, createMeshClient } from "@sketchvl/runtime";
import { failureOf, startService } from "./support/mesh";

type Client = ReturnType<typeof createMeshClient<typeof TrainerServiceDefinition>>;

const member = (reward: number, steps: Array<[ActionKind, number, number]>, extra: Partial<GroupMember> = {}): GroupMember => ({
  reward,
  steps: steps.map(([actionKind, score, tokenLength]) => ({ actionKind, score, tokenLength, tokenSpan: undefined })),
  tokenCount: undefined,
  imageTokenSpans: [],
  ...extra,
});

const request = (requestId: string, members: GroupMember[], extra: Partial<ComputeAdvantagesRequest> = {}): ComputeAdvantagesRequest => ({
  requestId,
  runId: "e2e",
  batchIndex: 0,
  members,
  config: undefined,
  prior: [],
  current: [],
  ...extra,
});

/** Eqs. 1, 5-8 without KL, written out plainly from the spec, as a second opinion. */
function expectedNoKl(rewards: number[], steps: number[][][], alpha: number, beta: number, eps: number) {
  const mean = rewards.reduce((a, b) => a + b, 0) / rewards.length;
  return rewards.map((r, i) => {
    const A = r - mean;
    const s = steps[i];
    const L = s.reduce((a, [, len]) => a + len, 0);
    const pbar = s.reduce((a, [p, len]) => a + p * len, 0) / L;
    const deltas = s.map(([p]) => p - pbar);
    const maxPos = Math.max(0, ...deltas);
    const kappa = maxPos > 0 ? Math.abs(A) / (maxPos + eps) : 0;
    return deltas.map((d) => {
      const raw = A + alpha * kappa * d;
      return A > 0 ? Math.min(Math.max(raw, 0), beta * A) : Math.min(Math.max(raw, beta * A), 0);
    });
  });
}

describe("trainer service", () => {
  let trainer: RunningProcess;
  let client: Client;
  let close: () => void;
  let stateDir: string;

  before(async () => {
    stateDir = mkdtempSync(join(tmpdir(), "trainer-state-"));
    trainer = await startService("trainer", { args: ["--log-level", "warn", "--state-dir", stateDir] });
    const channel = createMeshChannel(trainer.address);
    client = createMeshClient(TrainerServiceDefinition, channel);
    close = () => channel.close();
  });
  after(async () => {
    close?.();
    await trainer?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("computes FinePO step advantages that match the paper's equations", async () => {
    const R = ActionKind.ACTION_KIND_RECTANGLE;
    const L = ActionKind.ACTION_KIND_LINE;
    const steps = [
      [
        [4, 10],
        [2, 30],
        [3, 20],
      ],
      [
        [1, 5],
        [4, 5],
      ],
      [[3, 8]],
      [
        [2, 12],
        [2, 12],
      ],
    ];
    const rewards = [1, 0, 1, 0];
    const members = rewards.map((r, i) =>
      member(
        r,
        steps[i].map(([p, len], j) => [j % 2 ? L : R, p, len] as [ActionKind, number, number]),
      ),
    );
    const config = {
      mode: AdvantageMode.ADVANTAGE_MODE_FINEPO_NO_KL,
      alpha: 0.5,
      beta: 2,
      epsilon: 1e-6,
      lambdaKl: undefined,
      gamma: undefined,
      windowBatches: undefined,
      normalizeStd: undefined,
    };
    const answer = await client.computeAdvantages(request("paper-1", members, { config }));
    const expected = expectedNoKl(rewards, steps, 0.5, 2, 1e-6);
    assert.equal(answer.members.length, 4);
    answer.members.forEach((m, i) => {
      assert.ok(Math.abs(m.coarseAdvantage - (rewards[i] - 0.5)) < 1e-12);
      m.steps.forEach((s, j) => {
        assert.ok(Math.abs(s.advantage - expected[i][j]) < 1e-9, `member ${i} step ${j}: ${s.advantage} vs ${expected[i][j]}`);
      });
    });
    // A failed response's steps never get a positive advantage; a successful one's never negative.
    assert.ok(answer.members[1].steps.every((s) => s.advantage <= 0));
    assert.ok(answer.members[0].steps.every((s) => s.advantage >= 0));
    assert.equal(answer.config?.mode, AdvantageMode.ADVANTAGE_MODE_FINEPO_NO_KL);
  });

  it("returns token-level advantages and a loss mask with image tokens masked", async () => {
    const m = member(
      1,
      [
        [ActionKind.ACTION_KIND_POINT, 4, 0],
        [ActionKind.ACTION_KIND_LINE, 2, 0],
      ],
      {
        tokenCount: 20,
        imageTokenSpans: [{ start: 8, end: 12 }],
      },
    );
    m.steps[0].tokenSpan = { start: 2, end: 6 };
    m.steps[1].tokenSpan = { start: 14, end: 18 };
    const answer = await client.computeAdvantages(request("tokens-1", [m, member(0, [])]));
    const [first] = answer.members;
    assert.equal(first.tokenAdvantages.length, 20);
    assert.deepEqual(
      first.lossMask.map((v, i) => (v ? -1 : i)).filter((i) => i >= 0),
      [8, 9, 10, 11],
    );
    assert.ok(Math.abs(first.tokenAdvantages[3] - first.steps[0].advantage) < 1e-6);
    assert.ok(Math.abs(first.tokenAdvantages[15] - first.steps[1].advantage) < 1e-6);
    assert.ok(Math.abs(first.tokenAdvantages[0] - first.coarseAdvantage) < 1e-6, "tokens in no step keep A(y_i)");
  });

  it("is idempotent by request id, and refuses a reused id with a different payload", async () => {
    const group = [member(1, [[ActionKind.ACTION_KIND_CIRCLE, 3, 4]]), member(0, [[ActionKind.ACTION_KIND_POINT, 2, 4]])];
    const a = await client.computeAdvantages(request("idem-1", group, { batchIndex: 3 }));
    const b = await client.computeAdvantages(request("idem-1", group, { batchIndex: 3 }));
    assert.deepEqual(a, b);
    const f = await failureOf(() => client.computeAdvantages(request("idem-1", [member(0.5, [])], { batchIndex: 3 })));
    assert.deepEqual([f.code, f.fields], ["INVALID_ARGUMENT", ["request_id"]]);
  });

  it("names the offending field for NaN rewards, bad kinds, overlapping spans, empty groups", async () => {
    const nan = await failureOf(() => client.computeAdvantages(request("bad-1", [member(Number.NaN, [])])));
    assert.deepEqual([nan.code, nan.fields], ["INVALID_ARGUMENT", ["members[0].reward"]]);
    const kind = await failureOf(() => client.computeAdvantages(request("bad-2", [member(1, [[ActionKind.ACTION_KIND_UNSPECIFIED, 3, 1]])])));
    assert.deepEqual([kind.code, kind.fields], ["INVALID_ARGUMENT", ["members[0].steps[0].kind"]]);
    const empty = await failureOf(() => client.computeAdvantages(request("bad-3", [])));
    assert.deepEqual([empty.code, empty.fields], ["INVALID_ARGUMENT", ["members"]]);
    const m = member(1, [[ActionKind.ACTION_KIND_POINT, 4, 0]], { tokenCount: 10, imageTokenSpans: [{ start: 3, end: 6 }] });
    m.steps[0].tokenSpan = { start: 5, end: 8 };
    const overlap = await failureOf(() => client.computeAdvantages(request("bad-4", [m])));
    assert.equal(overlap.code, "INVALID_ARGUMENT");
    assert.equal(overlap.fields[0], "members[0].image_token_spans[0]", "the image span that overlaps step 0's tokens");
    const window = await failureOf(() =>
      client.computeAdvantages(
        request("bad-5", [member(1, [])], {
          config: {
            mode: 0,
            alpha: undefined,
            beta: undefined,
            lambdaKl: undefined,
            gamma: undefined,
            epsilon: undefined,
            windowBatches: 100,
            normalizeStd: undefined,
          },
        }),
      ),
    );
    assert.deepEqual([window.code, window.fields], ["INVALID_ARGUMENT", ["config.window_batches"]]);
    const runId = await failureOf(() => client.computeAdvantages(request("bad-6", [member(1, [])], { runId: "r".repeat(500) })));
    assert.deepEqual([runId.code, runId.fields], ["INVALID_ARGUMENT", ["run_id"]]);
  });

  it("regularizes over-used action kinds: the KL window over gRPC, each request id counted once", async () => {
    const L = ActionKind.ACTION_KIND_LINE;
    const P = ActionKind.ACTION_KIND_POINT;
    const lines = (id: string, batchIndex: number) =>
      request(
        id,
        [
          member(1, [
            [L, 3, 1],
            [L, 3, 1],
            [L, 3, 1],
          ]),
          member(0, []),
        ],
        { runId: "kl-run", batchIndex },
      );
    await client.computeAdvantages(lines("kl-0", 0));
    await client.computeAdvantages(lines("kl-0", 0)); // a retry: must not count twice
    await client.computeAdvantages(request("kl-0b", [member(1, [[P, 3, 1]]), member(0, [])], { runId: "kl-run", batchIndex: 0 }));
    const probe = await client.computeAdvantages(
      request(
        "kl-probe",
        [
          member(1, [
            [L, 3, 1],
            [P, 3, 1],
          ]),
          member(0, []),
        ],
        { runId: "kl-run", batchIndex: 1 },
      ),
    );
    // Window: 3 lines + 1 point (the retry counted once) against the uniform drawing prior.
    assert.deepEqual(
      probe.current.map((f) => [f.kind, f.frequency]),
      [
        [P, 0.25],
        [L, 0.75],
      ],
    );
    const [lineStep, pointStep] = probe.members[0].steps;
    const gamma = probe.config!.gamma!;
    assert.ok(lineStep.klOffset < 0 && lineStep.klOffset >= -gamma, `over-used lines are penalized: ${lineStep.klOffset}`);
    assert.equal(pointStep.klOffset, 0, "points are used exactly at their prior frequency");
    assert.ok(Math.abs(lineStep.adjustedScore - (3 + lineStep.klOffset)) < 1e-12);
    assert.ok(lineStep.advantage < pointStep.advantage, "equal PRM scores: the over-used kind gets less credit");
    // A batch far behind the newest is a resume from a checkpoint: answered, never refused. Batch
    // 500 (abandoned) is forgotten; batches 0-1 had left the retained range when it came, so the
    // resumed batch starts from an empty window (no information: KL offsets 0), as a new run would.
    await client.computeAdvantages(lines("kl-far", 500));
    const resumed = await client.computeAdvantages(lines("kl-old", 2));
    assert.deepEqual(resumed.current, []);
    assert.ok(resumed.members[0].steps.every((s) => s.klOffset === 0));
  });

  it("k = 1, all-equal rewards and responses without steps are valid: every advantage is 0", async () => {
    const one = await client.computeAdvantages(request("k1", [member(1, [[ActionKind.ACTION_KIND_LINE, 4, 3]])]));
    assert.equal(one.members[0].coarseAdvantage, 0);
    assert.equal(one.members[0].steps[0].advantage, 0);
    const equal = await client.computeAdvantages(request("eq", [member(1, []), member(1, [])]));
    assert.deepEqual(
      equal.members.map((m) => m.coarseAdvantage),
      [0, 0],
    );
  });

  it("streams many groups in order; a bad group gets a GroupError and the stream goes on", async () => {
    async function* groups() {
      for (let i = 0; i < 40; i++) {
        const reward = i === 17 ? Number.POSITIVE_INFINITY : i % 2;
        yield { group: request(`stream-${i}`, [member(reward, [[ActionKind.ACTION_KIND_RECTANGLE, 3, 5]]), member(1 - (i % 2), [])], { batchIndex: 10 }) };
      }
    }
    const answers = [];
    for await (const r of client.streamAdvantages(groups())) answers.push(r.result);
    assert.equal(answers.length, 40);
    answers.forEach((a, i) => {
      if (i === 17) {
        assert.equal(a?.$case, "error");
        if (a?.$case === "error") {
          const { requestId, code, field, reason } = a.value;
          assert.deepEqual([requestId, code, field, reason], ["stream-17", "INVALID_ARGUMENT", "members[0].reward", ErrorReason.ERROR_REASON_INVALID_FIELD]);
        }
      } else {
        assert.equal(a?.$case, "group");
        if (a?.$case === "group") assert.equal(a.value.requestId, `stream-${i}`);
      }
    });
  });

  it("keeps a run's KL window and config across a restart", async () => {
    const run = "restart-run";
    await client.configureRun({
      runId: run,
      config: { mode: 0, alpha: 0.3, beta: undefined, lambdaKl: undefined, gamma: undefined, epsilon: undefined, windowBatches: 4, normalizeStd: undefined },
      prior: [],
    });
    const kinds = [ActionKind.ACTION_KIND_LINE, ActionKind.ACTION_KIND_LINE, ActionKind.ACTION_KIND_POINT];
    for (let batch = 0; batch < 3; batch++) {
      await client.computeAdvantages(
        request(
          `w-${batch}`,
          [
            member(
              1,
              kinds.map((k) => [k, 3, 1] as [ActionKind, number, number]),
            ),
            member(0, []),
          ],
          { runId: run, batchIndex: batch },
        ),
      );
    }
    const probe = (id: string) =>
      client.computeAdvantages(request(id, [member(1, [[ActionKind.ACTION_KIND_LINE, 3, 1]]), member(0, [])], { runId: run, batchIndex: 3 }));
    const before = await probe("probe-before");
    assert.deepEqual(
      before.current.map((f) => [f.kind, Math.round(f.frequency * 1000) / 1000]),
      [
        [ActionKind.ACTION_KIND_POINT, 0.333],
        [ActionKind.ACTION_KIND_LINE, 0.667],
      ],
    );
    assert.equal(before.config?.alpha, 0.3);
    assert.equal(before.config?.windowBatches, 4);

    close();
    await trainer.stop();
    trainer = await startService("trainer", { args: ["--log-level", "warn", "--state-dir", stateDir] });
    const channel = createMeshChannel(trainer.address);
    client = createMeshClient(TrainerServiceDefinition, channel);
    close = () => channel.close();

    const afterRestart = await probe("probe-after");
    assert.deepEqual(afterRestart.current, before.current);
    assert.deepEqual(afterRestart.config, before.config);
    assert.deepEqual(afterRestart.members[0].steps, before.members[0].steps);
  });
});
