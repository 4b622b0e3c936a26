#!/usr/bin/env node
// Runs every compiled test file (`*.test.js` under each workspace's dist/) with node's test runner.
// `npm test` builds first. Extra arguments go to `node --test` (e.g. --test-name-pattern=render).
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
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

const files = roots.flatMap((r) => [...testFiles(r)]).sort();
if (files.length === 0) {
  console.error("no test files found: did the build run?");
  process.exit(1);
}
console.log(`running ${files.length} test files: ${files.map((f) => relative(root, f)).join(" ")}`);
const result = spawnSync(
  process.execPath,
  ["--test", "--test-reporter=spec", "--test-timeout=120000", ...process.argv.slice(2), ...files],
  { stdio: "inherit", env: { ...process.env, SKETCHVL_LOG_LEVEL: process.env.SKETCHVL_LOG_LEVEL ?? "warn" } },
);
process.exit(result.status ?? 1);
