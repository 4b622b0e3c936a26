#!/usr/bin/env node
// `npm start`: every built service as its own process on loopback, each waited on until ready
// (grpc.health.v1), then what listens where and an example call. Ctrl-C stops them all cleanly.
// Ports: SKETCHVL_BASE_PORT (default: each service's own, 50051...). Logs: SKETCHVL_LOG_LEVEL.
// mTLS for every service: SKETCHVL_MESH_TLS_DIR (README: Security).
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { startMesh, builtServices } = require("../packages/launcher/dist/index.js");

const basePort = process.env.SKETCHVL_BASE_PORT ? Number(process.env.SKETCHVL_BASE_PORT) : undefined;
const services = builtServices();
const colors = ["\x1b[36m", "\x1b[35m", "\x1b[33m", "\x1b[32m"];
const width = Math.max(...services.map((s) => s.name.length));
const prefix = (name) => `${colors[services.findIndex((s) => s.name === name) % colors.length]}${name.padEnd(width)}\x1b[0m |`;

let mesh;
try {
  mesh = await startMesh({
    services,
    portOf: (spec) => (basePort === undefined ? spec.defaultPort : basePort + services.indexOf(spec)),
    onLog: (name, line) => process.stdout.write(`${prefix(name)} ${line}\n`),
  });
} catch (err) {
  console.error(`\nthe mesh did not start: ${err.message}`);
  process.exit(1);
}

// SKETCHVL_MESH_TLS_DIR (the launcher) turned mTLS on: grpcurl needs the same files.
const grpcurlTls = mesh.tls ? `-cacert ${mesh.tls.caFile} -cert ${mesh.tls.certFile} -key ${mesh.tls.keyFile}` : "-plaintext";
const rows = mesh.processes.map((p) => `  ${p.spec.name.padEnd(width)}  ${p.address}  ${p.spec.readiness}  (pid ${p.child.pid})`);
const renderer = mesh.processes.find((p) => p.spec.name === "renderer");
console.log(`
SketchVL Mesh is up: ${mesh.processes.length} services, each its own process.
${rows.join("\n")}

Try it (in another terminal):
  npm run example                      # a ChartWorld group through the reward service: parse, draw, rate, grade, FinePO
${renderer ? `  grpcurl ${grpcurlTls} ${renderer.address} list   # reflection lists every service` : ""}
${mesh.processes.some((p) => p.spec.name === "reward") ? "  OpenRLHF: --reward.remote_url http://127.0.0.1:8055/get_reward   (Python client: clients/python/README.md)" : ""}

Ctrl-C stops everything.
`);

let stopping = false;
const stop = async (signal) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping ${mesh.processes.length} services...`);
  await mesh.stop();
  console.log("all stopped.");
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
for (const p of mesh.processes) {
  p.child.on("exit", (code) => {
    if (!stopping) {
      console.error(`${p.spec.name} exited unexpectedly (code ${code}); stopping the rest.`);
      void stop("exit");
    }
  });
}
