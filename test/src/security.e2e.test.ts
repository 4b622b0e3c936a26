// Security with real processes and real certificates (a throwaway CA made with openssl at test
// time): mTLS refuses clients without a certificate from the mesh's CA and picks up rotated files
// without a restart; bearer tokens separate callers from operators on gRPC and on the reward
// service's HTTP endpoint; the mesh's own calls carry its service token over mTLS.
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { PrmServiceDefinition, RewardServiceDefinition } from "@sketchvl/contract";
import { createDevCa, freePort, issueDevCertificate, type RunningProcess, type TlsFiles } from "@sketchvl/launcher";
import { createMeshChannel, createMeshClient, type MeshSecurity, meshSecurity, securityOptions, loadConfig } from "@sketchvl/runtime";
import { ChannelCredentials, createChannel, createClient, Metadata } from "nice-grpc";
import { HealthDefinition } from "nice-grpc-server-health";
import { failureOf, startService } from "./support/mesh";
import { listServices } from "./support/reflection";
import { type RewardMesh, startRewardMesh } from "./support/rewardMesh";

const CALLER = "caller-7f3a9c2e1b5d4f60";
const OPERATOR = "operator-2c8e4a6b0d1f3e57";
const SERVICE = "mesh-service-9b1d3f5a7c0e2468";

/** A client's security: these TLS files, and no token of its own (calls pass theirs). */
function clientTls(files: TlsFiles): MeshSecurity {
  const config = loadConfig("test", securityOptions(), [], {});
  return meshSecurity({ ...config, tlsCaFile: files.caFile, tlsCertFile: files.certFile, tlsKeyFile: files.keyFile });
}

/** A PRM repository with the seeded random model (fast to load; these tests are not about scores). */
function randomModelRepository(dir: string): string {
  const models = join(dir, "models");
  mkdirSync(join(models, "random", "1"), { recursive: true });
  writeFileSync(join(models, "random", "1", "config.json"), JSON.stringify({ backend: "random", seed: 7 }));
  return models;
}

const prmArgs = (models: string) => ["--log-level", "error", "--model-repository", models, "--load-models", "random", "--default-model", "random"];
const bearer = (token: string) => Metadata({ authorization: `Bearer ${token}` });

describe("mTLS between services", () => {
  const dir = mkdtempSync(join(tmpdir(), "mtls-"));
  const first = join(dir, "first");
  const second = join(dir, "second");
  const other = join(dir, "other");
  const served = join(dir, "served"); // the files the PRM reads: copies, rotated in place
  let prm: RunningProcess;
  let healthPort: number;
  const channels: Array<{ close(): void }> = [];
  const listModelsWith = (credentials: ChannelCredentials | MeshSecurity) => {
    const channel =
      credentials instanceof ChannelCredentials
        ? createChannel(prm.address, credentials)
        : createMeshChannel(prm.address, { security: credentials, options: { "grpc.use_local_subchannel_pool": 1 } });
    channels.push(channel);
    return createMeshClient(PrmServiceDefinition, channel, { deadlineMs: 3000 }).listModels({});
  };

  before(async () => {
    for (const [ca, subject] of [
      [first, "first-ca"],
      [second, "second-ca"],
      [other, "other-ca"],
    ]) {
      createDevCa(ca, { subject });
      issueDevCertificate(ca, "tls");
      issueDevCertificate(ca, "client");
    }
    mkdirSync(served);
    for (const f of ["ca.crt", "tls.crt", "tls.key"]) copyFileSync(join(first, f), join(served, f));
    healthPort = await freePort();
    prm = await startService("prm", {
      tls: { caFile: join(served, "ca.crt"), certFile: join(served, "tls.crt"), keyFile: join(served, "tls.key") },
      args: [...prmArgs(randomModelRepository(dir)), "--tls-reload-ms", "200", "--health-port", String(healthPort)],
    });
  });
  after(async () => {
    for (const c of channels) c.close();
    await prm?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves a client with a certificate from the mesh's CA", async () => {
    const models = await listModelsWith(clientTls({ caFile: join(first, "ca.crt"), certFile: join(first, "client.crt"), keyFile: join(first, "client.key") }));
    assert.ok(models.models.some((m) => m.model === "random"));
  });

  it("refuses a client with no certificate, one from another CA, or plaintext", async () => {
    const ca = readFileSync(join(first, "ca.crt"));
    const noCertificate = await failureOf(() => listModelsWith(ChannelCredentials.createSsl(ca)));
    assert.equal(noCertificate.code, "UNAVAILABLE");
    const otherCa = await failureOf(() =>
      listModelsWith(ChannelCredentials.createSsl(ca, readFileSync(join(other, "client.key")), readFileSync(join(other, "client.crt")))),
    );
    assert.equal(otherCa.code, "UNAVAILABLE");
    const plaintext = await failureOf(() => listModelsWith(ChannelCredentials.createInsecure()));
    assert.equal(plaintext.code, "UNAVAILABLE");
  });

  it("answers health in plaintext on --health-port, for probes without a certificate, and nothing else there", async () => {
    const channel = createChannel(`127.0.0.1:${healthPort}`);
    channels.push(channel);
    const health = await createClient(HealthDefinition, channel).check({ service: "sketchvl.v1.PrmService" });
    assert.equal(health.status, 1);
    const other = await failureOf(() => createMeshClient(PrmServiceDefinition, channel, { deadlineMs: 3000 }).listModels({}));
    assert.equal(other.code, "UNIMPLEMENTED");
  });

  it("uses rotated certificate files for new connections, without a restart", async () => {
    const pid = prm.child.pid;
    const secondClient = { caFile: join(second, "ca.crt"), certFile: join(second, "client.crt"), keyFile: join(second, "client.key") };
    assert.equal((await failureOf(() => listModelsWith(clientTls(secondClient)))).code, "UNAVAILABLE", "before: the second CA is not trusted");
    // As a Secret volume does: each new file written beside, then renamed over the old one.
    for (const f of ["ca.crt", "tls.key", "tls.crt"]) {
      copyFileSync(join(second, f), join(served, `${f}.new`));
      await import("node:fs/promises").then((fs) => fs.rename(join(served, `${f}.new`), join(served, f)));
    }
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await listModelsWith(clientTls(secondClient));
        break;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    const firstClient = clientTls({ caFile: join(first, "ca.crt"), certFile: join(first, "client.crt"), keyFile: join(first, "client.key") });
    assert.equal((await failureOf(() => listModelsWith(firstClient))).code, "UNAVAILABLE", "after: the old CA's certificates are refused");
    assert.equal(prm.child.pid, pid);
    assert.equal(prm.child.exitCode, null);
  });
});

describe("tokens: callers and operators", () => {
  const dir = mkdtempSync(join(tmpdir(), "auth-"));
  let prm: RunningProcess;
  let client: ReturnType<typeof createMeshClient<typeof PrmServiceDefinition>>;
  let channel: ReturnType<typeof createMeshChannel>;

  before(async () => {
    const operators = join(dir, "operators");
    writeFileSync(operators, `# operators of this test\n${OPERATOR}\n`);
    prm = await startService("prm", {
      args: [...prmArgs(randomModelRepository(dir)), "--auth-operator-tokens-file", operators],
      env: { PRM_AUTH_CALLER_TOKENS: `${CALLER},another-caller-0123456789` },
    });
    channel = createMeshChannel(prm.address);
    client = createMeshClient(PrmServiceDefinition, channel);
  });
  after(async () => {
    channel?.close();
    await prm?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("refuses a call with no token or an unknown one (UNAUTHENTICATED), never echoing it", async () => {
    const none = await failureOf(() => client.listModels({}));
    assert.deepEqual([none.code, none.reason], ["UNAUTHENTICATED", "NOT_AUTHENTICATED"]);
    const wrong = await failureOf(() => client.listModels({}, { metadata: bearer(`${CALLER}0`) }));
    assert.deepEqual([wrong.code, wrong.reason], ["UNAUTHENTICATED", "NOT_AUTHENTICATED"]);
    assert.equal(wrong.message, none.message, "the same answer whatever was wrong");
    assert.ok(!wrong.message.includes(CALLER));
  });

  it("lets a caller score and list, not load or unload (PERMISSION_DENIED)", async () => {
    const models = await client.listModels({}, { metadata: bearer(CALLER) });
    assert.ok(models.models.length > 0);
    const load = await failureOf(() => client.loadModel({ model: "random", version: "1" }, { metadata: bearer(CALLER) }));
    assert.deepEqual([load.code, load.reason], ["PERMISSION_DENIED", "OPERATOR_REQUIRED"]);
    const unload = await failureOf(() => client.unloadModel({ model: "random", version: "" }, { metadata: bearer(CALLER) }));
    assert.equal(unload.code, "PERMISSION_DENIED");
  });

  it("lets an operator load a model", async () => {
    const loaded = await client.loadModel({ model: "random", version: "1" }, { metadata: bearer(OPERATOR) });
    assert.ok(loaded);
  });

  it("keeps health and reflection open", async () => {
    const health = createChannel(prm.address);
    try {
      assert.equal((await createClient(HealthDefinition, health).check({ service: "" })).status, 1);
    } finally {
      health.close();
    }
    assert.ok((await listServices(prm.address)).includes("sketchvl.v1.PrmService"));
  });
});

describe("the reward service with mTLS and tokens everywhere", () => {
  const dir = mkdtempSync(join(tmpdir(), "secure-mesh-"));
  let tls: TlsFiles;
  let mesh: RewardMesh;
  let security: MeshSecurity;
  let channel: ReturnType<typeof createMeshChannel>;
  const env = { SKETCHVL_AUTH_CALLER_TOKENS: CALLER, SKETCHVL_AUTH_OPERATOR_TOKENS: OPERATOR, SKETCHVL_AUTH_SERVICE_TOKEN: SERVICE };

  before(async () => {
    createDevCa(dir);
    tls = issueDevCertificate(dir, "tls");
    mesh = await startRewardMesh(["--http-rate-limit-per-second", "0.2", "--http-rate-limit-burst", "2"], {}, { tls, env });
    security = clientTls(tls);
    channel = createMeshChannel(mesh.reward.address, { security });
  });
  after(async () => {
    channel?.close();
    await mesh?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("scores a group for a caller: the reward service's calls to the renderer, PRM and trainer carry the mesh's token over mTLS", async () => {
    const client = createMeshClient(RewardServiceDefinition, channel, { deadlineMs: 60_000 });
    const refused = await failureOf(() => client.scoreGroup(mesh.request()));
    assert.equal(refused.code, "UNAUTHENTICATED");
    const group = await client.scoreGroup(mesh.request(), { metadata: bearer(CALLER) });
    const [response] = group.group?.responses ?? [];
    assert.equal(response.maskSample, false, response.failureReason);
    assert.ok(response.steps.length > 0 && response.steps.every((s) => s.label !== 0), "every step rated by the PRM");
  });

  it("answers POST /get_reward 401 without a caller token, 200 with one, 429 with Retry-After past the caller's rate", async () => {
    const post = (headers: Record<string, string>) =>
      fetch(mesh.httpUrl, {
        method: "POST",
        body: JSON.stringify({ query: [], prompts: [], labels: [] }),
        headers: { "content-type": "application/json", ...headers },
      });
    const anonymous = await post({});
    assert.equal(anonymous.status, 401);
    assert.match(anonymous.headers.get("www-authenticate") ?? "", /^Bearer/);
    const wrong = await post({ authorization: `Bearer ${OPERATOR}x` });
    assert.equal(wrong.status, 401);
    assert.ok(!(await wrong.text()).includes(OPERATOR));
    // The burst is 2 per caller: the anonymous address already spent its own bucket, the token has its own.
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await post({ authorization: `Bearer ${CALLER}` })).status);
    assert.deepEqual(statuses, [200, 200, 429]);
    const limited = await post({ authorization: `Bearer ${CALLER}` });
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get("retry-after")) >= 1);
    assert.equal((await post({ authorization: `Bearer ${OPERATOR}` })).status, 200, "another caller is not limited by this one");
  });
});
