import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ActionKind } from "@sketchvl/contract";
import { ActionWindow, countActionKinds } from "./actionWindow";
import { RunRegistry } from "./runRegistry";
import { throwsField } from "./testHelpers";

const { ACTION_KIND_POINT: POINT, ACTION_KIND_LINE: LINE, ACTION_KIND_RECTANGLE: RECT, ACTION_KIND_TEXT: TEXT } = ActionKind;

const entries = (d: ReadonlyMap<ActionKind, number>) => [...d.entries()].sort((a, b) => a[0] - b[0]);

test("the window is the W batches strictly before the batch", () => {
  const w = new ActionWindow();
  w.record(0, new Map([[POINT, 1]]), "a");
  w.record(1, new Map([[LINE, 1]]), "b");
  w.record(2, new Map([[RECT, 2]]), "c");
  assert.equal(w.currentDistribution(0, 8).size, 0, "first batch: no information");
  assert.deepEqual(entries(w.currentDistribution(2, 8)), [
    [POINT, 0.5],
    [LINE, 0.5],
  ]);
  assert.deepEqual(entries(w.currentDistribution(2, 1)), [[LINE, 1]]);
  assert.deepEqual(entries(w.currentDistribution(3, 2)), [
    [LINE, 1 / 3],
    [RECT, 2 / 3],
  ]);
});

test("arrival order within a batch does not change P", () => {
  const a = new ActionWindow();
  const b = new ActionWindow();
  a.record(4, new Map([[POINT, 3]]), "x");
  a.record(5, new Map([[RECT, 1]]), "y"); // a group of batch 5 finished first
  a.record(4, new Map([[LINE, 1]]), "z");
  b.record(4, new Map([[POINT, 3]]), "x");
  b.record(4, new Map([[LINE, 1]]), "z");
  assert.deepEqual(entries(a.currentDistribution(5, 8)), entries(b.currentDistribution(5, 8)));
});

test("recording is idempotent by request id; an empty id is never deduplicated", () => {
  const w = new ActionWindow();
  assert.equal(w.record(0, new Map([[POINT, 1]]), "req-1"), true);
  assert.equal(w.record(0, new Map([[POINT, 1]]), "req-1"), false);
  assert.equal(w.record(0, new Map([[LINE, 1]]), "req-2"), true);
  assert.deepEqual(entries(w.currentDistribution(1, 1)), [
    [POINT, 0.5],
    [LINE, 0.5],
  ]);
  w.record(0, new Map([[LINE, 1]]), "");
  w.record(0, new Map([[LINE, 1]]), "");
  assert.deepEqual(entries(w.currentDistribution(1, 1)), [
    [POINT, 0.25],
    [LINE, 0.75],
  ]);
});

test("bounded: batches (and their request ids) past the retained range are dropped", () => {
  const w = new ActionWindow(4);
  w.record(0, new Map([[POINT, 1]]), "old");
  w.record(10, new Map([[LINE, 1]]), "new");
  assert.equal(w.record(2, new Map([[POINT, 1]]), "too-old"), false, "older than newest - retain");
  assert.equal(w.currentDistribution(4, 4).size, 0);
  assert.equal(w.record(0, new Map([[POINT, 1]]), "old"), false);
  throwsField(() => w.currentDistribution(11, 5), "config.window_batches");
});

test("validation names the field", () => {
  const w = new ActionWindow();
  throwsField(() => w.record(-1, new Map(), "a"), "batch_index");
  throwsField(() => w.record(1.5, new Map(), "a"), "batch_index");
  throwsField(() => w.record(1, new Map([[POINT, -1]]), "a"), "counts.ACTION_KIND_POINT");
  throwsField(() => w.record(1, new Map([[ActionKind.ACTION_KIND_UNSPECIFIED, 1]]), "a"), "counts");
  throwsField(() => w.currentDistribution(1, 0), "config.window_batches");
});

test("countActionKinds counts every kind, Text included", () => {
  const counts = countActionKinds([{ steps: [{ kind: RECT }, { kind: TEXT }] }, { steps: [{ kind: RECT }] }, { steps: [] }]);
  assert.deepEqual(entries(counts), [
    [RECT, 2],
    [TEXT, 1],
  ]);
});

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "finepo-window-"));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("persistence: a new registry over the same directory replays the window", () => {
  withDir((dir) => {
    const a = new RunRegistry({ stateDir: dir });
    a.record(
      "run/1",
      0,
      new Map([
        [POINT, 2],
        [RECT, 1],
      ]),
      "r0",
    );
    a.record("run/1", 1, new Map([[RECT, 3]]), "r1");
    a.record("run/1", 1, new Map([[RECT, 3]]), "r1"); // retry: not counted, not written
    a.record("", 0, new Map([[LINE, 1]]), "d0"); // the default run
    const before = entries(a.currentDistribution("run/1", 2, 8));
    a.close();
    assert.equal(readFileSync(join(dir, "run%2F1.jsonl"), "utf8").trim().split("\n").length, 2);

    const b = new RunRegistry({ stateDir: dir });
    assert.deepEqual(entries(b.currentDistribution("run/1", 2, 8)), before);
    assert.deepEqual(entries(b.currentDistribution("default", 1, 8)), [[LINE, 1]]);
    assert.equal(b.record("run/1", 1, new Map([[RECT, 3]]), "r1"), false, "idempotency survives the restart");
    b.close();
  });
});

test("persistence: a torn last line is skipped and the file repaired", () => {
  withDir((dir) => {
    const a = new RunRegistry({ stateDir: dir });
    a.record("r", 0, new Map([[POINT, 1]]), "ok");
    a.close();
    appendFileSync(join(dir, "r.jsonl"), '{"batch":0,"request":"torn","coun');
    const warnings: string[] = [];
    const b = new RunRegistry({ stateDir: dir, warn: (m) => warnings.push(m) });
    assert.deepEqual(entries(b.currentDistribution("r", 1, 1)), [[POINT, 1]]);
    b.record("r", 0, new Map([[LINE, 1]]), "after");
    b.close();
    assert.equal(warnings.length, 1);
    const c = new RunRegistry({ stateDir: dir });
    assert.deepEqual(entries(c.currentDistribution("r", 1, 1)), [
      [POINT, 0.5],
      [LINE, 0.5],
    ]);
    c.close();
  });
});

test("persistence: replay drops lines out of the retained range and compacts the file", () => {
  withDir((dir) => {
    const lines = [0, 1, 2, 3, 4, 5].map((b) => JSON.stringify({ batch: b, request: `q${b}`, counts: { ACTION_KIND_POINT: 1 } }));
    writeFileSync(join(dir, "r.jsonl"), `${lines.join("\n")}\n`);
    const reg = new RunRegistry({ stateDir: dir, retainBatches: 2 });
    assert.equal(reg.window("r").newestBatch, 5);
    reg.close();
    const kept = readFileSync(join(dir, "r.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).batch);
    assert.deepEqual(kept, [3, 4, 5]);
  });
});

test("registry: least recently used runs leave memory and come back from disk", () => {
  withDir((dir) => {
    const reg = new RunRegistry({ stateDir: dir, maxRuns: 2 });
    reg.record("a", 0, new Map([[POINT, 1]]), "a0");
    reg.record("b", 0, new Map([[LINE, 1]]), "b0");
    reg.record("c", 0, new Map([[RECT, 1]]), "c0"); // evicts "a" from memory
    assert.deepEqual(entries(reg.currentDistribution("a", 1, 1)), [[POINT, 1]]);
    reg.close();
  });
  const memory = new RunRegistry({ maxRuns: 1 });
  memory.record("a", 0, new Map([[POINT, 1]]), "a0");
  memory.record("b", 0, new Map([[LINE, 1]]), "b0");
  assert.equal(memory.currentDistribution("a", 1, 1).size, 0, "without a state dir an evicted run starts over");
  throwsField(() => memory.window("x".repeat(200)), "run_id");
});

test("resume: a batch index more than one behind the newest rewinds the window to it", () => {
  const reg = new RunRegistry();
  for (let b = 0; b <= 6; b++) reg.record("r", b, new Map([[b < 3 ? POINT : RECT, 1]]), `first-${b}`);
  const windowOf3 = entries(reg.currentDistribution("r", 3, 8));
  reg.prepare("r", 5); // a straggler one batch behind: counted in its batch, nothing forgotten
  assert.equal(reg.window("r").newestBatch, 6);
  reg.prepare("r", 3); // resumed from the checkpoint of batch 3
  assert.equal(reg.window("r").newestBatch, 2);
  assert.deepEqual(entries(reg.currentDistribution("r", 3, 8)), windowOf3, "batch 3 sees the window it saw the first time");
  assert.equal(reg.record("r", 3, new Map([[LINE, 1]]), "first-3"), true, "the redone group counts again");
  assert.deepEqual(
    entries(reg.currentDistribution("r", 4, 8)),
    [
      [POINT, 0.75],
      [LINE, 0.25],
    ],
    "nothing of the abandoned batches 3-6",
  );
  reg.prepare("r", 0); // a run id reused from the start: an empty window, never refused
  assert.equal(reg.currentDistribution("r", 1, 8).size, 0);
});

test("persistence: a rewind is replayed after a restart, and compacted away", () => {
  withDir((dir) => {
    const a = new RunRegistry({ stateDir: dir });
    for (let b = 0; b <= 5; b++) a.record("r", b, new Map([[RECT, 1]]), `q${b}`);
    a.prepare("r", 2);
    a.record("r", 2, new Map([[POINT, 1]]), "q2");
    const before = entries(a.currentDistribution("r", 3, 8));
    a.close();
    const b = new RunRegistry({ stateDir: dir });
    assert.deepEqual(entries(b.currentDistribution("r", 3, 8)), before);
    assert.equal(b.window("r").newestBatch, 2);
    b.close();
    const lines = readFileSync(join(dir, "r.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      lines.map((l) => l.batch),
      [0, 1, 2],
      "the rewind line and the forgotten batches are gone",
    );
  });
});
