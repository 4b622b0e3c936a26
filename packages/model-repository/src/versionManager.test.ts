import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { FailedPreconditionError, NotFoundError } from "@sketchvl/errors";
import { z } from "zod";
import { InFlight } from "./inFlight";
import { ModelRepository } from "./repository";
import { VersionManager } from "./versionManager";

const schema = z.object({ backend: z.string(), fail: z.boolean().default(false) });

/** A loaded version that counts its work and records when it closed. */
class Fake {
  readonly inFlight = new InFlight();
  closed = false;
  constructor(readonly version: string) {}
  async work(ms: number): Promise<string> {
    const leave = this.inFlight.enter();
    try {
      if (this.closed) throw new Error(`version ${this.version} used after close`);
      await new Promise((r) => setTimeout(r, ms));
      if (this.closed) throw new Error(`version ${this.version} closed while working`);
      return this.version;
    } finally {
      leave();
    }
  }
  drain() {
    return this.inFlight.idle();
  }
  async close() {
    this.closed = true;
  }
}

describe("VersionManager", () => {
  let root: string;
  let manager: VersionManager<z.output<typeof schema>, Fake>;
  const changes: string[] = [];

  before(() => {
    root = mkdtempSync(join(tmpdir(), "versions-"));
    for (const [v, config] of [
      ["1", {}],
      ["2", {}],
      ["3", { fail: true }],
    ] as const) {
      mkdirSync(join(root, "m", v), { recursive: true });
      writeFileSync(join(root, "m", v, "config.json"), JSON.stringify({ backend: "fake", ...config }));
    }
    const repository = new ModelRepository(root, schema);
    manager = new VersionManager(
      repository,
      async (entry, config) => {
        await new Promise((r) => setTimeout(r, 20));
        if (config.fail) throw new FailedPreconditionError(`version ${entry.version} refuses to load`, "MODEL_UNUSABLE");
        return new Fake(entry.version);
      },
      { onChange: (model) => changes.push(`${model}:${manager.isServing(model) ? manager.serving(model).version : "-"}`) },
    );
  });

  after(async () => {
    await manager.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("nothing serves before a load: present models are FAILED_PRECONDITION, absent ones NOT_FOUND", () => {
    assert.throws(
      () => manager.serving("m"),
      (err) => err instanceof FailedPreconditionError && err.reason === "MODEL_NOT_LOADED",
    );
    assert.throws(
      () => manager.serving("x"),
      (err) => err instanceof NotFoundError && err.reason === "MODEL_NOT_FOUND",
    );
    assert.deepEqual(
      manager.list().map((v) => [v.version, v.state]),
      [
        ["1", "AVAILABLE"],
        ["2", "AVAILABLE"],
        ["3", "AVAILABLE"],
      ],
    );
  });

  it("switches versions under load with zero failures; the old one drains before it closes", async () => {
    const v1 = (await manager.load("m", "1")).servable;
    let stop = false;
    const seen = new Set<string>();
    let failures = 0;
    const load = Array.from({ length: 6 }, async () => {
      while (!stop) {
        try {
          seen.add(await manager.serving("m").servable.work(15));
        } catch {
          failures++;
        }
      }
    });
    await new Promise((r) => setTimeout(r, 50));
    const loaded = await manager.load("m", "2");
    assert.equal(v1.closed, true, "the old version closed once drained");
    assert.equal(v1.inFlight.size, 0);
    await new Promise((r) => setTimeout(r, 50));
    stop = true;
    await Promise.all(load);
    assert.equal(failures, 0);
    assert.deepEqual([...seen].sort(), ["1", "2"]);
    assert.equal(loaded.state, "READY");
    assert.deepEqual(
      manager.list().map((v) => [v.version, v.state]),
      [
        ["1", "AVAILABLE"],
        ["2", "READY"],
        ["3", "AVAILABLE"],
      ],
    );
  });

  it("a version that fails to load leaves the serving one in place", async () => {
    await assert.rejects(manager.load("m", "3"), /refuses to load/);
    assert.equal(manager.serving("m").version, "2");
  });

  it("unloading stops serving first, then drains, then closes", async () => {
    const v2 = manager.serving("m").servable;
    const busy = v2.work(60);
    const unloaded = manager.unload("m");
    await new Promise((r) => setImmediate(r));
    assert.equal(manager.isServing("m"), false, "no new work goes to it while it drains");
    assert.equal(v2.closed, false);
    assert.deepEqual(
      (await unloaded).map((v) => v.version),
      ["2"],
    );
    assert.equal(await busy, "2");
    assert.equal(v2.closed, true);
    assert.deepEqual(changes, ["m:1", "m:2", "m:-"]);
    await assert.rejects(manager.unload("m"), (err) => err instanceof NotFoundError && err.reason === "MODEL_NOT_LOADED");
  });
});
