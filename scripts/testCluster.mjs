#!/usr/bin/env node
// npm run test:cluster: the mesh as containers (test/src/cluster). Makes Docker usable first, as a
// fresh machine here needs: starts dockerd when it is installed but not running (as root), makes the
// base image when it is missing (infra/docker/make-base-image.sh: no registry is reachable), and
// builds the mesh image from this checkout (infra/docker/build.sh, cached layers). Exits 2 with the
// reason when Docker cannot run here; .ci/run then says it skipped and why.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, openSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const BASE_IMAGE = process.env.BASE_IMAGE ?? "sketchvl/node-base:20-bookworm";
const ok = (cmd, args) => spawnSync(cmd, args, { stdio: "ignore", timeout: 15_000 }).status === 0;
const cannot = (why) => {
  console.error(`test:cluster cannot run here: ${why}`);
  process.exit(2);
};

// `docker --version`, not `docker version`: the latter fails when no daemon answers yet, which is the
// case handled next.
if (!ok("docker", ["--version"])) cannot("no docker command (apt-get install docker.io)");
if (!ok("docker", ["info"])) {
  const dockerd = ["/usr/sbin/dockerd", "/usr/bin/dockerd"].find((p) => existsSync(p));
  if (!dockerd) cannot("no Docker daemon answers and dockerd is not installed (apt-get install docker.io)");
  if (process.getuid?.() !== 0) cannot("no Docker daemon answers, and starting dockerd needs root");
  console.log(`starting ${dockerd} (log: /tmp/dockerd.log)`);
  const log = openSync("/tmp/dockerd.log", "a");
  spawn(dockerd, [], { detached: true, stdio: ["ignore", log, log] }).unref();
  const deadline = Date.now() + 60_000;
  while (!ok("docker", ["info"])) {
    if (Date.now() > deadline) cannot("dockerd did not answer within 60 s (see /tmp/dockerd.log)");
    await new Promise((r) => setTimeout(r, 500));
  }
}
const run = (cmd, args, env = {}) => {
  console.log(`$ ${[cmd, ...args].join(" ")}`);
  execFileSync(cmd, args, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
};
if (!ok("docker", ["image", "inspect", BASE_IMAGE])) run(join(root, "infra/docker/make-base-image.sh"), []);
run(join(root, "infra/docker/build.sh"), []);
const test = spawnSync(process.execPath, ["--test", "--test-reporter=spec", "--test-timeout=900000", join(root, "test/dist/cluster/containers.cluster.js")], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, TESTCONTAINERS_RYUK_DISABLED: "true", SKETCHVL_LOG_LEVEL: process.env.SKETCHVL_LOG_LEVEL ?? "warn" },
});
process.exit(test.status ?? 1);
