// Configuration from flags and environment, validated at start-up.
// Precedence: --flag > <SERVICE>_<KEY> > SKETCHVL_<KEY> (one setting for every service) > default.
// A bad value ends the process with one readable line (see loadConfigOrExit).
import { parseArgs } from "node:util";
import { z } from "zod";
import { type SecurityConfig, securityOptions, securityProblem } from "./securityOptions";

/** One option: its schema (with a default) and the sentence `--help` prints. */
export interface Option<T extends z.ZodType = z.ZodType> {
  schema: T;
  doc: string;
}

export type Options = Record<string, Option>;
export type ConfigOf<O extends Options> = { [K in keyof O]: z.output<O[K]["schema"]> };

/** Options every service has. */
export function serverOptions(defaultPort: number) {
  return {
    host: { schema: z.string().min(1).default("0.0.0.0"), doc: "address to listen on" },
    port: {
      schema: z.coerce.number().int().min(0).max(65535).default(defaultPort),
      doc: "port to listen on (0 picks a free one)",
    },
    healthPort: {
      schema: z.coerce.number().int().min(-1).max(65535).default(-1),
      doc:
        "a second, plaintext port serving only grpc.health.v1, for probes that cannot present a client certificate " +
        "(Kubernetes' native gRPC probes) when mTLS is on (-1: none; 0 picks a free one)",
    },
    maxMessageBytes: {
      schema: z.coerce
        .number()
        .int()
        .min(1024)
        .default(64 * 1024 * 1024),
      doc: "largest gRPC message received or sent, in bytes (images travel inline)",
    },
    maxInFlight: {
      schema: z.coerce.number().int().min(1).default(512),
      doc: "calls handled at once; beyond this, calls are rejected at once with RESOURCE_EXHAUSTED",
    },
    shutdownGraceMs: {
      schema: z.coerce.number().int().min(0).default(10_000),
      doc: "on SIGTERM: how long in-flight calls may finish before they are cut",
    },
    maxConnectionAgeMs: {
      schema: z.coerce
        .number()
        .int()
        .min(1000)
        .default(5 * 60_000),
      doc: "connections are closed after this age so clients re-resolve new replicas (new calls go to a new connection)",
    },
    maxConnectionAgeGraceMs: {
      schema: z.coerce
        .number()
        .int()
        .min(0)
        .default(60 * 60_000),
      doc: "how long calls already open on an aged connection may go on (long training streams live here)",
    },
    logLevel: {
      schema: z.enum(["trace", "debug", "info", "warn", "error", "silent"]).default("info"),
      doc: "JSON log level",
    },
    ...securityOptions(),
  } satisfies Options;
}

const MiB = 1024 * 1024;

/** The image limits a service's domain code needs (structurally @sketchvl/drawing's ImageLimits). */
export interface ImageLimitsConfig {
  /** Largest image in pixels, checked from its header before any decoding (decompression bombs). */
  maxPixels: number;
  /** Largest encoded image in bytes. */
  maxBytes: number;
}

/**
 * The image options of every service that takes images (renderer, PRM, reward, policy), declared
 * once: `--max-pixels`, `--max-bytes` and `--store-bytes`. `subject` names what the images are in
 * --help ("image", "prompt image"); the store's size and sentence differ by what it keeps.
 */
export function imageLimitOptions({ subject = "image", storeBytes, storeDoc }: { subject?: string; storeBytes: number; storeDoc: string }) {
  const positiveInt = z.coerce.number().int().positive();
  return {
    maxPixels: {
      schema: positiveInt.default(40_000_000),
      doc: `largest ${subject} in pixels, checked from the header before decoding (decompression bombs)`,
    },
    maxBytes: { schema: positiveInt.default(32 * MiB), doc: `largest encoded ${subject} in bytes` },
    storeBytes: { schema: positiveInt.default(storeBytes), doc: storeDoc },
  } satisfies Options;
}

/** Only the limits, for domain code that must not see (or depend on) the whole config. */
export function imageLimitsOf(config: ImageLimitsConfig): ImageLimitsConfig {
  return { maxPixels: config.maxPixels, maxBytes: config.maxBytes };
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const envName = (service: string, key: string) => `${service}_${key.replace(/[A-Z]/g, (c) => `_${c}`)}`.toUpperCase().replace(/[^A-Z0-9_]/g, "_");

/** Parses and validates; throws ConfigError naming the option, its source and what was wrong. */
export function loadConfig<O extends Options>(
  service: string,
  options: O,
  argv: readonly string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
): ConfigOf<O> {
  const flagSpec = Object.fromEntries(Object.keys(options).map((k) => [kebab(k), { type: "string" as const }]));
  let flags: Record<string, string | boolean | undefined>;
  try {
    flags = parseArgs({ args: [...argv], options: flagSpec, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new ConfigError(`${(err as Error).message} (see --help)`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, option] of Object.entries(options)) {
    const flag = flags[kebab(key)];
    const envKey = [envName(service, key), envName("sketchvl", key)].find((name) => env[name] !== undefined);
    const raw = flag ?? (envKey ? env[envKey] : undefined);
    const source = flag !== undefined ? `--${kebab(key)}` : (envKey ?? "default");
    const parsed = option.schema.safeParse(raw === "" ? undefined : raw);
    if (!parsed.success) {
      const why = parsed.error.issues.map((i) => i.message).join("; ");
      throw new ConfigError(`invalid ${key} (${source}=${JSON.stringify(raw)}): ${why}`);
    }
    out[key] = parsed.data;
  }
  // Security options hang together (all three TLS files, usable tokens): checked here so a bad one
  // stops the service at start with the same one line as any other option.
  if ("tlsCaFile" in options) {
    const problem = securityProblem(out as unknown as SecurityConfig);
    if (problem) throw new ConfigError(problem);
  }
  return out as ConfigOf<O>;
}

/** The `--help` text: every option with its flag, environment variable, default and meaning. */
export function helpText(service: string, options: Options): string {
  const lines = [`${service} options (flag, environment variable, default):`];
  for (const [key, option] of Object.entries(options)) {
    const def = option.schema.safeParse(undefined);
    const shown = def.success ? JSON.stringify(def.data) : "(required)";
    lines.push(`  --${kebab(key)}  ${envName(service, key)}  ${shown}\n      ${option.doc}`);
  }
  return lines.join("\n");
}

/** For main.ts: prints help or a one-line error and exits; otherwise returns the config. */
export function loadConfigOrExit<O extends Options>(service: string, options: O): ConfigOf<O> {
  const argv = process.argv.slice(2);
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${helpText(service, options)}\n`);
    process.exit(0);
  }
  try {
    return loadConfig(service, options, argv);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    exitWithConfigError(service, err.message);
  }
}

/** Start-up checks beyond the schema (a file that must parse): the same one line, the same exit code. */
export function exitWithConfigError(service: string, message: string): never {
  process.stderr.write(`${service}: configuration error: ${message}\n`);
  process.exit(2);
}
