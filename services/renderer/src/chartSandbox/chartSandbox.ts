// Renders chart code that a policy wrote, which may be hostile or just broken: each render runs
// in a sandbox child process (sandboxProcess.ts) with a V8 heap limit (--max-old-space-size) and
// a wall-clock limit. A process that runs out of heap dies by itself, one still busy at the time
// limit is killed; either way it is replaced and the service goes on. Processes are kept warm
// between renders (loading Vega costs ~0.5 s). Outcomes, not exceptions: a render that fails is the
// policy's failure (reward 0); only the sandbox's own breakage is an error.
import { type ChildProcess, fork } from "node:child_process";
import { join } from "node:path";
import { ResourceExhaustedError, UnavailableError } from "@sketchvl/errors";
import type { FromSandbox, SandboxJob, SandboxOutcome } from "./sandboxProcess";

export interface SandboxLimits {
  /** Processes rendering at once. */
  workers: number;
  /** Wall-clock limit of one render. */
  timeoutMs: number;
  /** V8 old-generation heap of one sandbox process. */
  memoryMb: number;
  /** Renders waiting for a process; beyond it, RESOURCE_EXHAUSTED at once. */
  maxQueue: number;
  maxPixels: number;
  maxSvgBytes: number;
}

export type RenderOutcome = SandboxOutcome | { status: "timeout" | "memory-limit"; detail: string };

interface Waiting {
  code: string;
  resolve(outcome: RenderOutcome): void;
  reject(error: Error): void;
}

/** A sandbox process and the tail of its stderr (where V8 says it ran out of heap). */
interface Sandbox {
  child: ChildProcess;
  stderr: string;
}

const shuttingDown = () => new UnavailableError("the chart sandbox is shutting down; retry", { reason: "SHUTTING_DOWN" });

export class ChartSandbox {
  private readonly idle: Sandbox[] = [];
  private readonly queue: Waiting[] = [];
  private readonly live = new Set<Sandbox>();
  private running = 0;
  private nextId = 0;
  private closed = false;

  constructor(private readonly limits: SandboxLimits) {}

  render(code: string): Promise<RenderOutcome> {
    if (this.closed) return Promise.reject(shuttingDown());
    if (this.queue.length >= this.limits.maxQueue) {
      return Promise.reject(new ResourceExhaustedError(`${this.queue.length} chart renders are waiting; retry later`, "OVERLOADED"));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ code, resolve, reject });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.queue.splice(0)) w.reject(shuttingDown());
    for (const s of this.live) s.child.kill("SIGKILL");
  }

  private pump(): void {
    while (this.running < this.limits.workers && this.queue.length > 0) {
      const job = this.queue.shift() as Waiting;
      this.running++;
      this.run(job).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  private async run(job: Waiting): Promise<void> {
    let sandbox: Sandbox;
    try {
      sandbox = this.idle.pop() ?? (await this.start());
    } catch (err) {
      return job.reject(new UnavailableError(`the chart sandbox could not start: ${(err as Error).message}`, { reason: "WORKER_FAILED" }));
    }
    const outcome = await this.send(sandbox, job.code);
    // Only a process that answered goes back to work; the others are gone (or going).
    if (!(outcome instanceof Error) && outcome.status !== "timeout" && outcome.status !== "memory-limit" && !this.closed) this.idle.push(sandbox);
    else sandbox.child.kill("SIGKILL");
    if (outcome instanceof Error) job.reject(outcome);
    else job.resolve(outcome);
  }

  private send(sandbox: Sandbox, code: string): Promise<RenderOutcome | Error> {
    const { child } = sandbox;
    const id = this.nextId++;
    const { timeoutMs, memoryMb } = this.limits;
    return new Promise((resolve) => {
      const timer = setTimeout(() => done({ status: "timeout", detail: `still rendering after ${timeoutMs} ms` }), timeoutMs);
      const onMessage = (m: FromSandbox) => {
        if ("id" in m && m.id === id) done(m);
      };
      // "close", not "exit": by then stderr has been read to its end.
      const onClose = (code: number | null, signal: string | null) => {
        // V8 prints this, then aborts, when the heap limit is reached.
        const outOfHeap = /heap out of memory|Allocation failed/.test(sandbox.stderr);
        done(
          outOfHeap
            ? { status: "memory-limit", detail: `allocated past the ${memoryMb} MB heap limit` }
            : new UnavailableError(`the chart sandbox stopped (${signal ?? `exit code ${code}`})`, { reason: "WORKER_FAILED" }),
        );
      };
      let settled = false;
      function done(result: RenderOutcome | Error | FromSandbox) {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        child.off("message", onMessage).off("close", onClose);
        resolve(result as RenderOutcome | Error);
      }
      child.on("message", onMessage).on("close", onClose);
      child.send({ id, code, maxPixels: this.limits.maxPixels, maxSvgBytes: this.limits.maxSvgBytes } satisfies SandboxJob);
    });
  }

  /** A sandbox process with Vega loaded. */
  private start(): Promise<Sandbox> {
    const { memoryMb } = this.limits;
    const child = fork(join(__dirname, "sandboxProcess.js"), [], {
      execArgv: [`--max-old-space-size=${memoryMb}`, `--max-semi-space-size=${Math.max(1, Math.min(16, memoryMb / 16))}`],
      // No stdin; stdout dropped; stderr kept (its tail says why the process died).
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      serialization: "advanced",
    });
    const sandbox: Sandbox = { child, stderr: "" };
    this.live.add(sandbox);
    child.stderr?.on("data", (d: Buffer) => (sandbox.stderr = (sandbox.stderr + d.toString()).slice(-4096)));
    child.once("exit", () => {
      this.live.delete(sandbox);
      const at = this.idle.indexOf(sandbox);
      if (at >= 0) this.idle.splice(at, 1);
    });
    return new Promise((resolve, reject) => {
      const failed = (why: string) => reject(new Error(`${why}: ${sandbox.stderr.slice(-300)}`));
      child.once("error", (err) => failed(err.message));
      child.once("exit", (code) => failed(`exited with code ${code} while starting`));
      child.once("message", (m: FromSandbox) => {
        if ("kind" in m && m.kind === "ready") resolve(sandbox);
        else failed("unexpected first message");
      });
    });
  }
}
