import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { FailedPreconditionError, InvalidArgumentError, NotFoundError } from "@sketchvl/errors";
import { z } from "zod";
import { ModelRepository } from "./repository";

const schema = z.object({ backend: z.enum(["a", "b"]), size: z.number().default(1) });

describe("ModelRepository", () => {
  let base: string;
  let root: string;
  let repository: ModelRepository<z.output<typeof schema>>;
  const write = (path: string, text: string) => {
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(path, text);
  };

  before(() => {
    base = mkdtempSync(join(tmpdir(), "model-repository-"));
    root = join(base, "models");
    write(join(root, "m", "1", "config.json"), JSON.stringify({ backend: "a" }));
    write(join(root, "m", "2", "config.json"), JSON.stringify({ backend: "b", size: 3 }));
    write(join(root, "m", "10", "config.json"), JSON.stringify({ backend: "a" }));
    write(join(root, "m", "0", "config.json"), "{}"); // not a version
    write(join(root, "m", ".3.tmp", "config.json"), "{}"); // an export in progress
    write(join(root, "bad", "1", "config.json"), JSON.stringify({ backend: "c" }));
    write(join(base, "outside", "1", "config.json"), JSON.stringify({ backend: "a" }));
    write(join(base, "secret.json"), JSON.stringify({ backend: "a" }));
    symlinkSync(join(base, "outside"), join(root, "escape"));
    mkdirSync(join(root, "linked", "1"), { recursive: true });
    symlinkSync(join(base, "secret.json"), join(root, "linked", "1", "config.json"));
    symlinkSync(join(root, "m", "2"), join(root, "m", "20")); // inside the root: fine
    repository = new ModelRepository(root, schema);
  });

  after(() => rmSync(base, { recursive: true, force: true }));

  it("lists versions numerically and resolves the newest", () => {
    assert.deepEqual(repository.versions("m"), ["1", "2", "10", "20"]);
    assert.equal(repository.resolve("m", "").version, "20");
    assert.deepEqual(repository.config(repository.resolve("m", "2")), { backend: "b", size: 3 });
    assert.deepEqual(repository.config(repository.resolve("m", "20")), { backend: "b", size: 3 });
  });

  it("a bad config names the file and the field", () => {
    assert.throws(
      () => repository.config(repository.resolve("bad", "1")),
      (err: Error) => err instanceof FailedPreconditionError && err.reason === "MODEL_UNUSABLE" && /bad\/1\/config\.json: backend/.test(err.message),
    );
  });

  it("unknown models and versions are NOT_FOUND", () => {
    assert.throws(
      () => repository.resolve("nope", ""),
      (err: Error) => err instanceof NotFoundError && err.field === "model" && err.reason === "MODEL_NOT_FOUND",
    );
    assert.throws(
      () => repository.resolve("m", "7"),
      (err: Error) => err instanceof NotFoundError && err.field === "version" && err.reason === "MODEL_NOT_FOUND",
    );
  });

  it("names that would leave the root are refused", () => {
    for (const model of ["..", "../models/m", "/etc", "m/1", ".hidden", ""]) {
      assert.throws(
        () => repository.resolve(model, ""),
        (err: Error) => err instanceof InvalidArgumentError && err.field === "model",
        model,
      );
    }
    for (const version of ["../1", "/1", "1/..", "01", "-1"]) {
      assert.throws(
        () => repository.resolve("m", version),
        (err: Error) => err instanceof InvalidArgumentError && err.field === "version",
        version,
      );
    }
    assert.throws(() => repository.resolve("m", "1").file("../2/config.json"), FailedPreconditionError);
    assert.throws(() => repository.resolve("m", "1").file("/etc/passwd"), FailedPreconditionError);
  });

  it("symlinks out of the repository are refused, for a model folder and for a file", () => {
    assert.throws(
      () => repository.resolve("escape", "1"),
      (err: Error) => err instanceof FailedPreconditionError && /outside the model repository/.test(err.message),
    );
    const linked = repository.resolve("linked", "1");
    assert.throws(
      () => repository.config(linked),
      (err: Error) => err instanceof FailedPreconditionError && /outside the model repository/.test(err.message),
    );
  });
});
