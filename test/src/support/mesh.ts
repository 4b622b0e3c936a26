// Helpers for cross-service tests: real service processes on loopback, real gRPC clients.
import { type ClientError, Status } from "nice-grpc";
import { BadRequest, RichClientError } from "nice-grpc-error-details";
import { type ServiceSpec, SERVICES, freePort, launchService, type LaunchOptions, type RunningProcess } from "@sketchvl/launcher";
import { sentReason } from "@sketchvl/runtime";

export function spec(name: string): ServiceSpec {
  const found = SERVICES.find((s) => s.name === name);
  if (!found) throw new Error(`unknown service ${name}`);
  return found;
}

/** Starts a service as its own process on a free loopback port. */
export async function startService(name: string, options: Partial<LaunchOptions> = {}): Promise<RunningProcess> {
  return launchService(spec(name), { port: await freePort(), ...options });
}

/** Asserts-friendly view of a failed call: status name, message, the BadRequest fields named, and the ErrorInfo reason. */
export function describeError(err: unknown): { code: string; message: string; fields: string[]; reason: string } {
  const e = err as ClientError;
  const fields =
    err instanceof RichClientError ? err.extra.flatMap((d) => (d.$type === BadRequest.$type ? (d as BadRequest).fieldViolations.map((v) => v.field) : [])) : [];
  return { code: Status[e.code], message: e.details, fields, reason: sentReason(e) };
}

/** Runs `call`, expecting it to fail; returns the failure as describeError does. */
export async function failureOf(call: () => Promise<unknown>): Promise<ReturnType<typeof describeError>> {
  try {
    await call();
  } catch (err) {
    return describeError(err);
  }
  throw new Error("expected the call to fail, it succeeded");
}
