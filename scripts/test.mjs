#!/usr/bin/env node
// Runs every compiled test file (`*.test.js` under each workspace's dist/) with node's test runner.
// `npm test` builds first. Extra arguments go to `node --test` (e.g. --test-name-pattern=render).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const roots = ["packages", "services", "test", "bench"].map((d) => join(root, d));

function* testFiles(dir, inDist = false) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of entries) {
    if (name === "node_modules") continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* testFiles(path, inDist || name === "dist");
    else if (inDist && name.endsWith(".test.js")) yield path;
  }
}

// dist/ mirrors src/: a compiled test whose source is gone (moved, deleted) is stale, not a test.
const sourceOf = (file) => file.replace("/dist/", "/src/").replace(/\.test\.js$/, ".test.ts");
const files = roots
  .flatMap((r) => [...testFiles(r)])
  .filter((f) => existsSync(sourceOf(f)))
  .sort();
if (files.length === 0) {
  console.error("no test files found: did the build run?");
  process.exit(1);
}
console.log(`running ${files.length} test files: ${files.map((f) => relative(root, f)).join(" ")}`);
const result = spawnSync(process.execPath, ["--test", "--test-reporter=spec", "--test-timeout=120000", ...process.argv.slice(2), ...files], {
  stdio: "inherit",
  env: { ...process.env, SKETCHVL_LOG_LEVEL: process.env.SKETCHVL_LOG_LEVEL ?? "warn" },
});
process.exit(result.status ?? 1);
