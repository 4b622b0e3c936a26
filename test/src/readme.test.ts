// The README against reality: its first screen has the two set-up commands, every command it
// documents exists (a package.json script, an entry file that is there), and every one is run by
// .ci/run on a clean clone exactly as written (or says here why not), with the OS packages the
// README names and no environment a newcomer would not have.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { repoRoot } from "@sketchvl/launcher";

const read = (path: string) => readFileSync(join(repoRoot, path), "utf8");
const readme = read("README.md");
const scripts: Record<string, string> = JSON.parse(read("package.json")).scripts;
/** .ci/run without its comments. */
const ci = read(".ci/run")
  .split("\n")
  .filter((line) => !/^\s*#/.test(line))
  .join("\n");

/** The README's first screen: everything before its first section. */
const firstScreen = readme.slice(0, readme.search(/^## /m));

/** Markdown's code: each line of its fenced blocks, and each inline `span` of its prose. */
function codeOf(markdown: string): { fenced: string[]; inline: string[] } {
  const fence = /^```[^\n]*\n([\s\S]*?)^```/gm;
  const fenced = [...markdown.matchAll(fence)].flatMap((m) => m[1].split("\n"));
  const inline = [...markdown.replace(fence, "").matchAll(/`([^`\n]+)`/g)].map((m) => m[1]);
  return { fenced, inline };
}

/**
 * The npm commands a markdown file shows. A fenced line's commands are taken whole (comment
 * dropped, `&&` split: `npm test -- --test-name-pattern=renderer`); an inline span gives the
 * command's name only (`npm run bench:prm`), since the prose around it is not a command line.
 */
function npmCommands(markdown: string): { command: string; name: string }[] {
  const nameOf = (command: string) => command.match(/^npm (run [^\s`]+|[a-z-]+)/)![0];
  const { fenced, inline } = codeOf(markdown);
  const whole = fenced
    .flatMap((line) => line.replace(/\s#.*$/, "").split("&&"))
    .map((part) => part.trim())
    .filter((part) => part.startsWith("npm "));
  const named = inline.flatMap((span) => [...span.matchAll(/\bnpm (run [^\s`]+|[a-z-]+)/g)].map((m) => m[0]));
  return [...whole, ...named].map((command) => ({ command, name: nameOf(command) }));
}

/** What `npm <name>` runs: a package.json script, or one of npm's own commands. */
const NPM_OWN = new Set(["install", "ci"]);
function scriptOf(name: string): string | undefined {
  const run = name.match(/^npm run (.+)$/);
  if (run) return run[1];
  const command = name.slice("npm ".length);
  return NPM_OWN.has(command) ? undefined : command; // npm start / npm test / ...: the script
}

/** README commands .ci/run does not run, and why. Each is still checked to exist. */
const NOT_IN_CI: Record<string, string> = {
  "npm run train:prm": "retrains the shipped model from scratch: about 15 minutes on 2 cores and 6.5 GB of encoded samples",
  "npm run format": "rewrites files in place (npm run lint, which .ci/run runs, checks what it would change)",
  "npm run ablation": "ten training runs (five arms, two seeds): about an hour on 2 cores; test/src/training.e2e.test.ts trains through the same loop",
};

/** A file a command names; `x/dist/y.js` is built from `x/src/y.ts`, which must be there. */
function sourceExists(path: string): boolean {
  const built = path.match(/^(.*)\/dist\/(.*)\.js$/);
  return existsSync(join(repoRoot, built ? `${built[1]}/src/${built[2]}.ts` : path));
}

/** The repository's own README.md files (not dependencies'). */
function readmes(dir = "."): string[] {
  return readdirSync(join(repoRoot, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = dir === "." ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory()) return ["node_modules", "dist", "out", "tmp"].includes(entry.name) || entry.name.startsWith(".") ? [] : readmes(path);
    return entry.name === "README.md" ? [path] : [];
  });
}

describe("README", () => {
  it("starts with the two set-up commands (the main job, the tests), serving, the example and the OS packages they need", () => {
    const lines = codeOf(firstScreen).fenced.map((line) => line.replace(/\s#.*$/, "").trim());
    assert.deepEqual(lines.slice(0, 2), ["npm install && npm run train", "npm install && npm test"], `the first two commands: ${JSON.stringify(lines)}`);
    assert.ok(lines.includes("npm install && npm start"), `first screen lacks \`npm install && npm start\`: ${JSON.stringify(lines)}`);
    assert.ok(lines.includes("npm run example"), "first screen lacks `npm run example`");
    assert.ok(firstScreen.includes("apt-get install"), "first screen does not say what to install from the OS");
  });

  it("names exactly the OS packages .ci/run installs", () => {
    const documented = firstScreen
      .match(/apt-get install ([^`\n]+)/)![1]
      .split(/\s+/)
      .filter((word) => word && !word.startsWith("-"));
    const installed = read(".ci/run")
      .match(/^apt_packages=\(([^)]*)\)/m)![1]
      .split(/\s+/)
      .filter(Boolean);
    assert.deepEqual([...documented].sort(), [...installed].sort());
  });

  it("names package.json's engines field as the Node it needs", () => {
    const version = firstScreen.match(/Node ≥ ?([\d.]+)/)?.[1];
    assert.equal(`>=${version}`, JSON.parse(read("package.json")).engines.node);
  });

  for (const path of readmes()) {
    it(`${path}: every npm command it shows exists`, () => {
      for (const { name } of npmCommands(read(path))) {
        const script = scriptOf(name);
        if (script !== undefined) assert.ok(scripts[script], `${path} shows \`${name}\`, but package.json has no "${script}" script`);
      }
    });

    it(`${path}: every file a \`node\` command in it runs is there`, () => {
      const { fenced, inline } = codeOf(read(path));
      for (const code of [...fenced, ...inline]) {
        for (const [, file] of code.matchAll(/\bnode (?:--?\S+ (?:@\S+ )?)*([\w.-]+(?:\/[\w.-]+)+\.m?js)\b/g)) {
          assert.ok(sourceExists(file), `${path}: \`${code.trim()}\` runs ${file}, which is not built from anything`);
        }
      }
    });
  }

  it("every package.json script's entry file is there", () => {
    for (const [name, command] of Object.entries(scripts)) {
      for (const [file] of command.matchAll(/[\w.-]+(?:\/[\w.-]+)+\.(?:m?js|sh)\b/g)) {
        assert.ok(sourceExists(file), `script "${name}" runs ${file}, which is not built from anything`);
      }
    }
  });

  it("every command it documents is run by .ci/run as written (or is listed here with why not)", () => {
    const commands = npmCommands(readme);
    for (const name of ["npm install", "npm run train", "npm start", "npm test", "npm run example"]) {
      assert.ok(
        commands.some((c) => c.name === name),
        `the README no longer shows \`${name}\``,
      );
    }
    for (const { command, name } of commands) {
      if (NOT_IN_CI[name]) continue;
      const escaped = command.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      assert.ok(new RegExp(`^\\s*${escaped}(\\s|$)`, "m").test(ci), `.ci/run does not run the README's \`${command}\``);
    }
    for (const name of Object.keys(NOT_IN_CI)) {
      assert.ok(
        commands.some((c) => c.name === name),
        `NOT_IN_CI lists \`${name}\`, which the README no longer shows`,
      );
    }
  });

  it("npm run train:prm rebuilds the shipped model with the command packages/prm-model documents", () => {
    const documented = read("packages/prm-model/README.md").match(/^node packages\/prm-model\/dist\/cli\.js train .*$/m)![0];
    assert.ok(scripts["train:prm"].endsWith(`&& ${documented}`), `"train:prm": ${scripts["train:prm"]} vs the README's ${documented}`);
  });

  it(".ci/run adds nothing a newcomer would not have: no `npm ci`, no environment", () => {
    assert.ok(!/\bnpm ci\b/.test(ci), ".ci/run runs `npm ci`; the README says `npm install`");
    const exported = [...ci.matchAll(/\bexport ([A-Z_][A-Z0-9_]*)=/g)].map((m) => m[1]);
    assert.deepEqual(
      exported.filter((name) => name !== "DEBIAN_FRONTEND"),
      [],
      "apt-get's DEBIAN_FRONTEND is the only export",
    );
    assert.ok(!/^\s*[A-Za-z_][A-Za-z0-9_]*=\S*\s+npm\s/m.test(ci), ".ci/run runs an npm command with a variable set before it");
  });
});
