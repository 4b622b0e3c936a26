// The security options every service shares (part of serverOptions): mTLS certificate files and
// bearer tokens. All off by default, so `npm start` and `npm test` stay plaintext on loopback.
// Tokens come from files (a Kubernetes Secret mounted as files, re-read when it changes) or from
// the environment (comma-separated); never pass them as flags, which `ps` shows to everyone.
import { existsSync, readFileSync } from "node:fs";
import { createSecureContext } from "node:tls";
import { z } from "zod";
import type { Options } from "./config";

const path = z.string().default("");
const tokenList = z.string().default("");

export function securityOptions() {
  return {
    tlsCaFile: { schema: path, doc: "mTLS: CA certificate (PEM) peers' certificates must chain to; with the two below, turns TLS on" },
    tlsCertFile: { schema: path, doc: "mTLS: this process's certificate chain (PEM), served to clients and presented to servers" },
    tlsKeyFile: { schema: path, doc: "mTLS: this process's private key (PEM)" },
    tlsReloadMs: {
      schema: z.coerce.number().int().min(100).default(2000),
      doc: "how often certificate and token files are re-read: a rotated file is used without restart (new connections)",
    },
    authCallerTokensFile: { schema: path, doc: "file of caller tokens (one per line, # comments): any of them may call the services" },
    authCallerTokens: { schema: tokenList, doc: "caller tokens, comma-separated (set it in the environment, not as a flag)" },
    authOperatorTokensFile: { schema: path, doc: "file of operator tokens: control calls (LoadModel, UnloadModel, LoadPolicy, UnloadPolicy, ConfigureRun)" },
    authOperatorTokens: { schema: tokenList, doc: "operator tokens, comma-separated (environment)" },
    authServiceTokenFile: {
      schema: path,
      doc: "file of the mesh's own tokens: the first is sent on this process's calls to other services, all are accepted from them (rotation: add, roll, remove)",
    },
    authServiceToken: { schema: tokenList, doc: "the mesh's own tokens, comma-separated (environment); the first is the one sent" },
  } satisfies Options;
}

export interface SecurityConfig {
  tlsCaFile: string;
  tlsCertFile: string;
  tlsKeyFile: string;
  tlsReloadMs: number;
  authCallerTokensFile: string;
  authCallerTokens: string;
  authOperatorTokensFile: string;
  authOperatorTokens: string;
  authServiceTokenFile: string;
  authServiceToken: string;
}

/** Shortest token accepted: a guessable token would make the check pointless. */
export const MIN_TOKEN_CHARS = 16;

/** Tokens in a file or a comma-separated value: trimmed, blank lines and `#` comments dropped. */
export function parseTokens(text: string, separator: RegExp): string[] {
  return text
    .split(separator)
    .map((t) => t.trim())
    .filter((t) => t !== "" && !t.startsWith("#"));
}

/** Why a token is unusable, or undefined. The token itself is never part of the message. */
export function tokenProblem(token: string): string | undefined {
  if (token.length < MIN_TOKEN_CHARS) return `a token is shorter than ${MIN_TOKEN_CHARS} characters`;
  if (/[\s,]/.test(token) || !/^[\x21-\x7e]+$/.test(token)) return "a token has whitespace, a comma or a non-ASCII character";
  return undefined;
}

/**
 * Checks across options and files, run by loadConfig: the three TLS files together, readable and
 * a certificate that matches its key; token files readable and every token usable. Returns the
 * first problem as "option: what is wrong".
 */
export function securityProblem(config: SecurityConfig): string | undefined {
  const tls = [config.tlsCaFile, config.tlsCertFile, config.tlsKeyFile];
  if (tls.some(Boolean) && !tls.every(Boolean)) return "tlsCaFile, tlsCertFile and tlsKeyFile must be set together (or none, for plaintext)";
  if (tls.every(Boolean)) {
    for (const [key, file] of [
      ["tlsCaFile", config.tlsCaFile],
      ["tlsCertFile", config.tlsCertFile],
      ["tlsKeyFile", config.tlsKeyFile],
    ]) {
      if (!existsSync(file)) return `${key}: no file ${file}`;
    }
    try {
      createSecureContext({ ca: readFileSync(config.tlsCaFile), cert: readFileSync(config.tlsCertFile), key: readFileSync(config.tlsKeyFile) });
    } catch (err) {
      return `tlsCertFile / tlsKeyFile / tlsCaFile: not a usable certificate, key and CA: ${(err as Error).message}`;
    }
  }
  for (const [key, file, inline] of [
    ["caller", config.authCallerTokensFile, config.authCallerTokens],
    ["operator", config.authOperatorTokensFile, config.authOperatorTokens],
    ["service", config.authServiceTokenFile, config.authServiceToken],
  ] as const) {
    if (file && !existsSync(file)) return `auth ${key} tokens: no file ${file}`;
    const tokens = [...(file ? parseTokens(readFileSync(file, "utf8"), /\r?\n/) : []), ...parseTokens(inline, /,/)];
    const problem = tokens.map(tokenProblem).find(Boolean);
    if (problem) return `auth ${key} tokens: ${problem}`;
    if (file && tokens.length === 0) return `auth ${key} tokens: ${file} holds no token`;
  }
  return undefined;
}
