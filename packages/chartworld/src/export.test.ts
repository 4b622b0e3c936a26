import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { exportExamples, exportPrm, exportSft } from "./export";

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
const readJsonl = async (p: string): Promise<Record<string, unknown>[]> =>
  (await readFile(p, "utf8"))
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);

test("export writes PNGs, charts.jsonl and questions.jsonl", async () => {
  const dir = await mkdtemp(join(tmpdir(), "cw-export-"));
  try {
    const r = await exportExamples({ split: "test", count: 1, out: dir, overlays: true });
    assert.equal(r.charts, 1);
    const charts = await readJsonl(join(dir, "charts.jsonl"));
    const questions = await readJsonl(join(dir, "questions.jsonl"));
    assert.equal(charts.length, 1);
    assert.equal(questions.length, r.questions);
    for (const c of charts) {
      const png = await readFile(join(dir, c.image as string));
      assert.deepEqual(png.subarray(0, 4), PNG);
      assert.equal(c.split, "test");
      assert.ok((c.annotations as { elements: unknown[] }).elements.length > 5);
    }
    for (const q of questions) {
      assert.ok(typeof q.question === "string" && typeof q.answer === "string");
      const t = q.trajectory as { text: string; steps: { action: Record<string, unknown>; target: unknown }[] };
      assert.ok(t.text.includes("Action1: #Draw "));
      assert.equal(t.steps[0].action.space, "COORDINATE_SPACE_NORM_1000");
      assert.ok((await stat(join(dir, q.expertImage as string))).size > 0);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("export-sft writes messages + images conversations", async () => {
  const dir = await mkdtemp(join(tmpdir(), "cw-sft-"));
  try {
    await exportSft({ split: "validation", count: 1, out: dir });
    const rows = await readJsonl(join(dir, "sft.jsonl"));
    assert.ok(rows.length >= 1);
    for (const r of rows) {
      const m = r.messages as { role: string; content: string }[];
      assert.deepEqual(
        m.map((x) => x.role),
        ["system", "user", "assistant"],
      );
      assert.ok(m[1].content.startsWith("<image>"));
      assert.match(m[2].content, /\nAnswer: .+$/);
      const images = r.images as string[];
      assert.equal(images.length, 1);
      assert.deepEqual((await readFile(images[0])).subarray(0, 4), PNG);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("export-prm writes samples with before/after images", async () => {
  const dir = await mkdtemp(join(tmpdir(), "cw-prm-"));
  try {
    await exportPrm({ split: "validation", count: 8, out: dir, images: true });
    const rows = await readJsonl(join(dir, "prm.jsonl"));
    assert.equal(rows.length, 8);
    for (const r of rows) {
      const im = r.images as { before: string; after: string };
      const [before, after] = await Promise.all([readFile(join(dir, im.before)), readFile(join(dir, im.after))]);
      assert.notDeepEqual(before, after);
      assert.ok(["excellent", "acceptable", "poor", "unacceptable"].includes(r.label as string));
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("the CLI prints usage and rejects bad arguments", async () => {
  const cli = join(__dirname, "cli.js");
  const run = promisify(execFile);
  const help = await run(process.execPath, [cli, "--help"]);
  assert.match(help.stdout, /export-sft/);
  await assert.rejects(run(process.execPath, [cli, "export", "--split", "nope", "--count", "1", "--out", "/tmp/x"]), /--split must be one of/);
});
