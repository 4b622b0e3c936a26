// The contract: proto/ is lint-clean, and the committed generated code and descriptor set are
// exactly what the generator produces today (nobody hand-edited them, nobody forgot to regenerate).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, describe, it } from "node:test";
import { repoRoot } from "@sketchvl/launcher";

const buf = join(repoRoot, "node_modules", ".bin", "buf");
const scratch = mkdtempSync(join(tmpdir(), "sketchvl-contract-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe("contract", () => {
  it("is clean under buf lint (STANDARD)", () => {
    execFileSync(buf, ["lint"], { cwd: repoRoot, stdio: "pipe" });
  });

  it("regenerating the TypeScript code gives no diff", () => {
    execFileSync(buf, ["generate", "-o", scratch], { cwd: repoRoot, stdio: "pipe" });
    const committedDir = join(repoRoot, "packages/contract/src/gen");
    const freshDir = join(scratch, "packages/contract/src/gen");
    const committed = filesUnder(committedDir)
      .map((f) => relative(committedDir, f))
      .sort();
    const fresh = filesUnder(freshDir)
      .map((f) => relative(freshDir, f))
      .sort();
    assert.deepEqual(committed, fresh, "generated file set differs: run `npm run generate`");
    for (const file of fresh) {
      assert.equal(
        readFileSync(join(committedDir, file), "utf8"),
        readFileSync(join(freshDir, file), "utf8"),
        `${file} differs from the generator's output: run \`npm run generate\``,
      );
    }
  });

  it("the reflection descriptor set is current", () => {
    const out = join(scratch, "descriptor.binpb");
    execFileSync(buf, ["build", "-o", out], { cwd: repoRoot, stdio: "pipe" });
    assert.ok(readFileSync(out).equals(readFileSync(join(repoRoot, "packages/contract/descriptor.binpb"))), "run `npm run generate`");
  });
});
