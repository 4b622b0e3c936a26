// A model repository laid out as Triton's: <root>/<model>/<version>/config.json (+ the backend's
// files). Versions are positive integers; the newest is the largest. Generic over the config
// schema: each service validates config.json with its own (zod) schema of backends.
//
// Names come from callers (LoadModel / LoadPolicy requests), so nothing they name may leave the
// root: a model is one plain path segment (no "/", no leading "." — so neither ".." nor an
// absolute path), a version is digits, and every directory and file read is resolved through
// symlinks and must still lie inside the root's real path (a symlink out of the repository is
// refused, as FAILED_PRECONDITION: the request is fine, the repository is not).
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { join, sep } from "node:path";
import { FailedPreconditionError, InvalidArgumentError, NotFoundError } from "@sketchvl/errors";
import type { z } from "zod";

export interface ModelEntry {
  model: string;
  version: string;
  dir: string;
  /** The path of a file in the version's folder, checked to resolve inside the repository. */
  file(name: string): string;
}

const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const VERSION_NAME = /^[1-9][0-9]*$/;

export class ModelRepository<Config> {
  constructor(
    readonly root: string,
    private readonly schema: z.ZodType<Config>,
  ) {}

  /** Every model version present, sorted by model then version. */
  list(): ModelEntry[] {
    if (!existsSync(this.root)) return [];
    return readdirSync(this.root)
      .filter((m) => MODEL_NAME.test(m) && isDirectory(join(this.root, m)))
      .sort()
      .flatMap((model) => this.versions(model).map((version) => this.entry(model, version)));
  }

  /** The versions of `model` (ascending); none for a name that is not a plain model name. */
  versions(model: string): string[] {
    if (!MODEL_NAME.test(model)) return [];
    const dir = join(this.root, model);
    if (!isDirectory(dir)) return [];
    return readdirSync(dir)
      .filter((v) => VERSION_NAME.test(v) && existsSync(join(dir, v, "config.json")))
      .sort((a, b) => Number(a) - Number(b));
  }

  /** The entry for `version`, or the newest when it is empty. */
  resolve(model: string, version: string): ModelEntry {
    if (!MODEL_NAME.test(model)) {
      throw new InvalidArgumentError("model", `"${model}" is not a model name (letters, digits, ".", "_", "-"; no "/", not starting with ".")`);
    }
    if (version && !VERSION_NAME.test(version)) throw new InvalidArgumentError("version", `"${version}" is not a version (a positive integer)`);
    const versions = this.versions(model);
    if (versions.length === 0) throw new NotFoundError("model", `no model "${model}" in the repository ${this.root}`, "MODEL_NOT_FOUND");
    const chosen = version || versions[versions.length - 1];
    if (!versions.includes(chosen)) {
      throw new NotFoundError("version", `model "${model}" has no version "${version}" (has ${versions.join(", ")})`, "MODEL_NOT_FOUND");
    }
    const entry = this.entry(model, chosen);
    this.inside(entry.dir, `${model}/${chosen}`);
    return entry;
  }

  /** config.json of a version, validated by the service's schema (FAILED_PRECONDITION naming what is wrong). */
  config(entry: ModelEntry): Config {
    const path = entry.file("config.json");
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path, "utf8"));
    } catch (err) {
      throw new FailedPreconditionError(`${path}: ${(err as Error).message}`, "MODEL_UNUSABLE");
    }
    const parsed = this.schema.safeParse(raw);
    if (!parsed.success) {
      throw new FailedPreconditionError(`${path}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`, "MODEL_UNUSABLE");
    }
    return parsed.data;
  }

  private entry(model: string, version: string): ModelEntry {
    const dir = join(this.root, model, version);
    const file = (name: string) => {
      if (name.split(/[\\/]/).some((part) => part === ".." || part === "")) {
        throw new FailedPreconditionError(`"${name}" is not a file name inside a version folder`, "MODEL_UNUSABLE");
      }
      const path = join(dir, name);
      if (existsSync(path)) this.inside(path, `${model}/${version}/${name}`);
      return path;
    };
    return { model, version, dir, file };
  }

  /** Throws unless `path`, symlinks resolved, lies inside the root (symlinks resolved too). */
  private inside(path: string, what: string): void {
    const root = realpathSync(this.root);
    const real = realpathSync(path);
    if (real !== root && !real.startsWith(root + sep)) {
      throw new FailedPreconditionError(`${what} resolves to ${real}, outside the model repository ${root}: refused`, "MODEL_UNUSABLE");
    }
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
