#!/usr/bin/env node
// Prints the workspace folders the image needs, one per line: the services and every workspace they
// depend on (@sketchvl/* dependencies and tsconfig references, transitively). build.sh puts exactly
// these in the build context, so the Dockerfile names no workspace and follows refactors (a new
// shared package) by itself, while test/, bench/, examples/ and unrelated packages stay out.
//   node infra/docker/workspaces.mjs                    every built service (see below)
//   node infra/docker/workspaces.mjs renderer trainer   only these
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const readJson = (path) => JSON.parse(readFileSync(join(repo, path), "utf8"));

// Workspace globs are "dir" or "dir/*" in this repo; anything else is refused rather than guessed.
const byName = new Map();
for (const pattern of readJson("package.json").workspaces) {
  if (/[*?[{]/.test(pattern.replace(/\/\*$/, ""))) throw new Error(`unsupported workspace glob ${pattern}`);
  const dirs = pattern.endsWith("/*")
    ? readdirSync(join(repo, pattern.slice(0, -2)), { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => `${pattern.slice(0, -2)}/${d.name}`)
    : [pattern];
  for (const dir of dirs) {
    if (existsSync(join(repo, dir, "package.json"))) byName.set(readJson(`${dir}/package.json`).name, dir);
  }
}

const wanted = process.argv.slice(2);
// By default the services `npm run build` builds (root tsconfig.json references) that have a main:
// a service still being written joins the image once it joins the build.
const services =
  wanted.length > 0
    ? wanted.map((s) => `services/${s}`)
    : readJson("tsconfig.json")
        .references.map((r) => r.path.replace(/^\.\//, "").replace(/\/$/, ""))
        .filter((d) => d.startsWith("services/") && existsSync(join(repo, d, "src/main.ts")));
const needed = new Set();
const visit = (dir) => {
  if (needed.has(dir)) return;
  if (!existsSync(join(repo, dir, "package.json"))) {
    console.error(`workspaces.mjs: ${dir} is not a workspace (no package.json)`);
    process.exit(1);
  }
  needed.add(dir);
  for (const dep of Object.keys(readJson(`${dir}/package.json`).dependencies ?? {})) {
    if (byName.has(dep)) visit(byName.get(dep));
  }
  // tsc -b follows tsconfig references too; a reference missing from package.json must still ship.
  let references = [];
  try {
    references = readJson(`${dir}/tsconfig.json`).references ?? [];
  } catch {} // no tsconfig, or one with comments: package.json dependencies alone
  for (const { path } of references) {
    const ref = relative(repo, resolve(repo, dir, path))
      .split(sep)
      .join("/");
    if ([...byName.values()].includes(ref)) visit(ref);
  }
};
services.forEach(visit);
console.log([...needed].sort().join("\n"));
