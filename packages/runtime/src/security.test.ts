import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { PermissionDeniedError, UnauthenticatedError } from "@sketchvl/errors";
import { authorize, bearerToken, OPERATOR_METHODS, TokenRoles } from "./auth";
import { ConfigError, loadConfig, serverOptions } from "./config";
import { WatchedFiles } from "./watchedFiles";

const CALLER = "caller-token-0123456789";
const OPERATOR = "operator-token-0123456789";
const SERVICE = "service-token-0123456789";

function roles(): TokenRoles {
  const r = new TokenRoles();
  r.set({ caller: [CALLER], operator: [OPERATOR], service: [SERVICE] });
  return r;
}

describe("authentication decisions", () => {
  it("is off with no token configured", () => {
    assert.equal(authorize(new TokenRoles(), undefined, true), undefined);
  });

  it("refuses a missing, malformed or unknown token with the same message, never echoing it", () => {
    const messages = [undefined, "Basic abc", `Bearer ${CALLER}x`, "Bearer", `bearer  ${OPERATOR.slice(0, -1)}`].map((header) => {
      try {
        authorize(roles(), header, false);
      } catch (err) {
        assert.ok(err instanceof UnauthenticatedError, String(header));
        return err.message;
      }
      return assert.fail(`accepted ${header}`);
    });
    assert.equal(new Set(messages).size, 1);
    assert.ok(!messages[0].includes("token-0123"));
  });

  it("lets a caller make data calls but not control calls; operators and the mesh make both", () => {
    assert.equal(authorize(roles(), `Bearer ${CALLER}`, false), "caller");
    assert.throws(() => authorize(roles(), `Bearer ${CALLER}`, true), PermissionDeniedError);
    assert.equal(authorize(roles(), `Bearer ${OPERATOR}`, true), "operator");
    assert.equal(authorize(roles(), `Bearer ${SERVICE}`, true), "service");
  });

  it("names exactly the control calls of the contract", () => {
    assert.deepEqual([...OPERATOR_METHODS].sort(), [
      "/sketchvl.v1.PolicyService/LoadPolicy",
      "/sketchvl.v1.PolicyService/UnloadPolicy",
      "/sketchvl.v1.PrmService/LoadModel",
      "/sketchvl.v1.PrmService/UnloadModel",
      "/sketchvl.v1.TrainerService/ConfigureRun",
    ]);
  });

  it("reads the bearer token of an authorization value", () => {
    assert.equal(bearerToken(`Bearer ${CALLER}`), CALLER);
    assert.equal(bearerToken(`bearer ${CALLER}`), CALLER);
    assert.equal(bearerToken(`Bearer ${CALLER} extra`), undefined);
  });
});

describe("security options", () => {
  const dir = mkdtempSync(join(tmpdir(), "security-options-"));
  const load = (args: string[], env: NodeJS.ProcessEnv = {}) => loadConfig("prm", serverOptions(1), args, env);

  it("are off by default", () => {
    const config = load([]);
    assert.equal(config.tlsCaFile, "");
    assert.equal(config.authCallerTokens, "");
  });

  it("refuse TLS files set partly, missing, or not a certificate", () => {
    assert.throws(() => load(["--tls-ca-file", "/nonexistent"]), /must be set together/);
    assert.throws(() => load(["--tls-ca-file", "/x", "--tls-cert-file", "/y", "--tls-key-file", "/z"]), /tlsCaFile: no file \/x/);
    const junk = join(dir, "junk.pem");
    writeFileSync(junk, "not a certificate");
    assert.throws(() => load(["--tls-ca-file", junk, "--tls-cert-file", junk, "--tls-key-file", junk]), ConfigError);
  });

  it("refuse short tokens and empty token files, without printing the token", () => {
    assert.throws(
      () => load([], { SKETCHVL_AUTH_CALLER_TOKENS: "short" }),
      (err: Error) => /shorter than 16/.test(err.message) && !err.message.includes('short"'),
    );
    const empty = join(dir, "empty");
    writeFileSync(empty, "# no tokens yet\n");
    assert.throws(() => load(["--auth-operator-tokens-file", empty]), /holds no token/);
    const good = join(dir, "operators");
    writeFileSync(good, `# operators\n${OPERATOR}\n`);
    assert.equal(load(["--auth-operator-tokens-file", good]).authOperatorTokensFile, good);
  });
});

describe("watched files", () => {
  it("applies a change, and keeps the last good contents when a change is refused", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "watched-")), "f");
    writeFileSync(file, "one");
    const applied: string[] = [];
    const errors: string[] = [];
    const watch = new WatchedFiles(
      [file],
      20,
      ([b]) => {
        if (b.toString() === "bad") throw new Error("refused");
        applied.push(b.toString());
      },
      (m) => errors.push(m),
    );
    const settle = () => new Promise((r) => setTimeout(r, 120));
    writeFileSync(file, "two");
    await settle();
    writeFileSync(file, "bad");
    await settle();
    writeFileSync(file, "three");
    await settle();
    watch.close();
    assert.deepEqual(applied, ["one", "two", "three"]);
    assert.equal(errors.length, 1, "a refused change is reported once, not on every poll");
  });
});
