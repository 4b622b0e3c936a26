import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { FailedPreconditionError } from "@sketchvl/errors";
import { type OnnxConfig, policyRepository } from "../repository";
import type { Sampling } from "../sampling";
import { OnnxBackend } from "./onnx";
import type { RolloutBackend, TurnOutput } from "./types";

const FIXTURE = resolve(__dirname, "..", "..", "test-fixtures");
const QUESTION = "For Golf, which channel has the higher number of visitors: Online or In-store?";
const sampling = (seed: number, over: Partial<Sampling> = {}): Sampling => ({
  groupSize: 3,
  maxTurns: 3,
  maxTokensPerTurn: 48,
  temperature: 1,
  topP: 0.95,
  seed,
  ...over,
});
/** A version of the repository at `root`, with its onnx config. */
function version(root: string, v: string): [ReturnType<ReturnType<typeof policyRepository>["resolve"]>, OnnxConfig] {
  const repository = policyRepository(root);
  const entry = repository.resolve("sketchvl-policy", v);
  const config = repository.config(entry);
  assert.equal(config.backend, "onnx");
  return [entry, config as OnnxConfig];
}
const image = (fill: number) => ({ digest: `img:${fill}`, tensor: new Float32Array(3 * 64 * 64).fill(fill) });

/** Two turns of a group: returns each row's outputs. */
async function twoTurns(backend: RolloutBackend, s: Sampling): Promise<TurnOutput[][]> {
  const group = backend.startGroup({ question: QUESTION, sampling: s }, new AbortController().signal);
  try {
    const rows = Array.from({ length: s.groupSize }, (_, row) => row);
    const first = await Promise.all(group.turn(rows.map((row) => ({ row, image: image(1), last: false }))));
    const going = rows.filter((r) => first[r].stop === "eot");
    const second = await Promise.all(group.turn(going.map((row) => ({ row, image: image(0.8), last: true }))));
    return rows.map((r) => [first[r], ...(going.includes(r) ? [second[going.indexOf(r)]] : [])]);
  } finally {
    group.close();
  }
}

describe("OnnxBackend (the test fixture's ONNX files)", () => {
  let work: string;
  let backend: OnnxBackend;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), "policy-onnx-"));
    cpSync(FIXTURE, work, { recursive: true, filter: (src) => !/\.(py|mjs|md)$/.test(src) });
    backend = await OnnxBackend.load(...version(work, "1"));
  });

  after(async () => {
    await backend?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it("replays check.json through the batched cache within 1e-3 of PyTorch", () => {
    assert.ok(backend.check.maxDiff < 1e-4, `max diff ${backend.check.maxDiff}`);
  });

  it("samples turns ending at <eot> with log-probs of the sampled tokens; the same seed gives the same group, alone or batched with others", async () => {
    const alone = await twoTurns(backend, sampling(11));
    for (const turns of alone) {
      for (const t of turns) {
        assert.equal(t.tokens.length, t.logprobs.length);
        assert.equal(t.tokens.length, t.pieces.length);
        assert.ok(t.logprobs.every((lp) => lp <= 0 && Number.isFinite(lp)));
        assert.ok(!t.tokens.includes(4) && !t.tokens.includes(1), "never samples <image> or <bos>");
      }
      assert.equal(turns[0].stop, "eot");
      assert.equal(turns[0].tokens.at(-1), 3);
    }
    // The same group while two other groups decode in the same batches.
    const [again] = await Promise.all([twoTurns(backend, sampling(11)), twoTurns(backend, sampling(12, { groupSize: 5 })), twoTurns(backend, sampling(13))]);
    assert.deepEqual(
      again.map((r) => r.map((t) => t.tokens)),
      alone.map((r) => r.map((t) => t.tokens)),
    );
    again.flat().forEach((t, i) => {
      t.logprobs.forEach((lp, j) => {
        assert.ok(Math.abs(lp - alone.flat()[i].logprobs[j]) < 1e-4);
      });
    });
    const stats = (await backend.stats()) as { rebuilds: number; steps: number; rowSteps: number };
    assert.ok(stats.rowSteps / stats.steps > 3, `rows share decoder runs: ${stats.rowSteps} row-steps in ${stats.steps} runs`);
  });

  it("a seed gives the same draws in any group: rows are seeded by the group's seed and their index", async () => {
    const hot = (seed: number) => sampling(seed, { temperature: 3, topP: 1, groupSize: 2 });
    const first = await twoTurns(backend, hot(77));
    const [second] = await Promise.all([twoTurns(backend, hot(77)), twoTurns(backend, hot(78))]);
    assert.deepEqual(
      second.map((r) => r.map((t) => t.tokens)),
      first.map((r) => r.map((t) => t.tokens)),
    );
    assert.notDeepEqual(first[0][0].tokens, first[1][0].tokens, "rows of a group differ at temperature 3");
    assert.notDeepEqual((await twoTurns(backend, hot(79)))[0][0].tokens, first[0][0].tokens, "another seed differs");
  });

  it("greedy is deterministic; the token budget ends a turn as length", async () => {
    const greedy = await twoTurns(backend, sampling(1, { temperature: 0 }));
    const other = await twoTurns(backend, sampling(2, { temperature: 0 }));
    assert.deepEqual(
      greedy.map((r) => r.map((t) => t.tokens)),
      other.map((r) => r.map((t) => t.tokens)),
    );
    const short = await twoTurns(backend, sampling(3, { maxTokensPerTurn: 5 }));
    assert.ok(short.every((r) => r.length === 1 && r[0].stop === "length" && r[0].tokens.length === 5));
  });

  it("a closed group's turns reject and its rows go; other groups carry on", async () => {
    const controller = new AbortController();
    const group = backend.startGroup({ question: QUESTION, sampling: sampling(4, { groupSize: 4, maxTokensPerTurn: 200 }) }, controller.signal);
    const turns = group.turn([0, 1, 2, 3].map((row) => ({ row, image: image(1), last: false })));
    const other = twoTurns(backend, sampling(21));
    await new Promise((r) => setTimeout(r, 5));
    controller.abort(new Error("deadline"));
    const settled = await Promise.allSettled(turns);
    assert.ok(settled.every((s) => s.status === "rejected"));
    assert.equal((await other).length, 3);
    assert.equal((await twoTurns(backend, sampling(11))).length, 3, "the engine still serves");
  });

  it("refuses a version whose check.json its ONNX files do not reproduce", async () => {
    const dir = join(work, "sketchvl-policy", "2");
    cpSync(join(work, "sketchvl-policy", "1"), dir, { recursive: true });
    const check = JSON.parse(readFileSync(join(dir, "check.json"), "utf8"));
    check.sequences[1].logprobs[2] += 0.01;
    writeFileSync(join(dir, "check.json"), JSON.stringify(check));
    await assert.rejects(OnnxBackend.load(...version(work, "2")), (err: Error) => {
      return err instanceof FailedPreconditionError && /check\.json: max \|logprob diff\| 1\.00e-2 > 0\.001 \(sequence 1, token \d+\)/.test(err.message);
    });
    writeFileSync(join(dir, "vocab.json"), JSON.stringify({ tokenizer: "sketchvl-policy-v1", pieces: ["a"] }));
    await assert.rejects(OnnxBackend.load(...version(work, "2")), /vocab\.json has 7 tokens, the model 1411/);
  });
});
