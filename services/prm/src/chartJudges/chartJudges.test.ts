import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { after, before, describe, it } from "node:test";
import { chartCodeExample, corruptChartCode, seedsOfSplit, tryGenerateChart } from "@sketchvl/chartworld";
import { ChartErrorCategory } from "@sketchvl/contract";
import { ImageStore } from "@sketchvl/drawing";
import { ChartJudges } from "./index";
import { judgeChartCode } from "./judgeChartCode";
import { parseJudgeOutput } from "./remoteJudge";

/**
 * FakeVisualErmServer: a stand-in for a remote Visual-ERM judge (a VLM behind vLLM's
 * OpenAI-compatible API), which cannot run here. It speaks the chat-completions wire format and
 * answers each request with the next scripted text (or HTTP status); it is not a model.
 */
async function startFakeVisualErmServer(script: Array<string | number>) {
  const bodies: Array<{ messages: Array<{ content: unknown }> }> = [];
  const server: Server = createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      bodies.push(JSON.parse(raw));
      const next = script.shift() ?? '{"errors": []}';
      if (typeof next === "number") return res.writeHead(next).end("busy");
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ choices: [{ index: 0, message: { role: "assistant", content: next } }] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/v1`, bodies, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const PNG_1x1 = { source: { $case: "raw" as const, value: { width: 2, height: 1, channels: 3, pixels: Buffer.from([255, 255, 255, 0, 0, 0]) } } };
const limits = { maxPixels: 1e7, maxBytes: 1e8, maxCodeChars: 100_000 };
const signal = new AbortController().signal;
const request = (judge: string, referenceCode: string, predictedCode: string) => ({
  judge,
  referenceCode,
  predictedCode,
  referenceImage: PNG_1x1,
  renderedImage: PNG_1x1,
});

describe("chart judges (JudgeChartCode)", () => {
  let code = "";
  const store = new ImageStore(1 << 24);
  before(async () => {
    for (const seed of seedsOfSplit("test")) {
      if (!(await tryGenerateChart(seed))) continue;
      code = (await chartCodeExample(seed)).code;
      return;
    }
  });

  it("reference: lists exactly the injected errors, with the contract's categories", async () => {
    const judges = new ChartJudges({ defaultJudge: "reference", seed: 0 });
    for (let s = 0; s < 10; s++) {
      const corrupted = corruptChartCode(code, s);
      const answer = await judgeChartCode(request("", code, corrupted.code), judges, store, limits, signal);
      assert.equal(answer.judge, "reference");
      assert.ok(answer.parsed);
      const got = answer.errors.map((e) => `${e.location} ${e.category} ${e.severity}`).sort();
      const want = corrupted.errors
        .map((e) => `${e.location} ${ChartErrorCategory[`CHART_ERROR_CATEGORY_${e.category.toUpperCase()}` as keyof typeof ChartErrorCategory]} ${e.severity}`)
        .sort();
      assert.deepEqual(got, want);
    }
    assert.deepEqual((await judgeChartCode(request("", code, code), judges, store, limits, signal)).errors, []);
    await assert.rejects(judgeChartCode(request("reference", "", code), judges, store, limits, signal), /reference_code|JSON object/);
  });

  it("random: the same code always gets the same errors; unknown and unconfigured judges are refused", async () => {
    const judges = new ChartJudges({ defaultJudge: "reference", seed: 3 });
    const a = await judgeChartCode(request("random", code, code), judges, store, limits, signal);
    const b = await judgeChartCode(request("random", code, code), judges, store, limits, signal);
    assert.deepEqual(a, b);
    assert.ok(a.errors.every((e) => e.severity >= 1 && e.severity <= 3));
    await assert.rejects(judgeChartCode(request("gpt", code, code), judges, store, limits, signal), (e: Error) => e.name === "InvalidArgumentError");
    await assert.rejects(
      judgeChartCode(request("remote-judge", code, code), judges, store, limits, signal),
      (e: Error) => e.name === "FailedPreconditionError",
    );
  });

  describe("remote-judge against FakeVisualErmServer", () => {
    let fake: Awaited<ReturnType<typeof startFakeVisualErmServer>>;
    let judges: ChartJudges;
    const script: Array<string | number> = [];
    before(async () => {
      fake = await startFakeVisualErmServer(script);
      judges = new ChartJudges({
        defaultJudge: "remote-judge",
        seed: 0,
        remote: { url: fake.url, model: "visual-erm-7b", timeoutMs: 5000, maxRetries: 2, requestsPerSecond: 100, maxConcurrency: 4 },
      });
    });
    after(() => fake.close());

    it("reads Visual-ERM's JSON (bare or fenced), sends both images, retries a 503", async () => {
      script.push(503, '```json\n{"errors": [{"category": "Data", "severity": 2, "location": "bar 3", "description": "too tall"}]}\n```');
      const answer = await judgeChartCode(request("", "", "{}"), judges, store, limits, signal);
      assert.equal(answer.judge, "remote-judge");
      assert.ok(answer.parsed);
      assert.deepEqual(answer.errors, [{ category: ChartErrorCategory.CHART_ERROR_CATEGORY_DATA, severity: 2, location: "bar 3", description: "too tall" }]);
      const sent = JSON.stringify(fake.bodies.at(-1));
      assert.equal(sent.match(/data:image\/png;base64,/g)?.length, 2);
    });

    it("reports output that is not Visual-ERM's JSON as unparsed, with the text", async () => {
      script.push("The charts look similar.");
      const answer = await judgeChartCode(request("", "", "{}"), judges, store, limits, signal);
      assert.equal(answer.parsed, false);
      assert.deepEqual(answer.errors, []);
      assert.equal(answer.rawOutput, "The charts look similar.");
    });
  });

  it("parseJudgeOutput accepts exactly Visual-ERM's JSON", () => {
    assert.deepEqual(parseJudgeOutput('{"errors": []}'), []);
    assert.equal(parseJudgeOutput('{"errors": [{"category": "colour", "severity": 1}]}'), undefined);
    assert.equal(parseJudgeOutput('{"errors": [{"category": "style", "severity": 4}]}'), undefined);
    assert.equal(parseJudgeOutput('{"errors": [{"category": "style", "severity": "2"}]}'), undefined);
    assert.equal(parseJudgeOutput('{"mistakes": []}'), undefined);
    assert.equal(parseJudgeOutput("no JSON at all"), undefined);
    assert.deepEqual(parseJudgeOutput('Here: {"errors": [{"category": "text", "severity": 1, "location": "title"}]}'), [
      { category: "text", severity: 1, location: "title", description: "" },
    ]);
  });
});
