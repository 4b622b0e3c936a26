// Bearer-token authentication and the operator / caller split, for gRPC (one server middleware) and
// for the reward service's HTTP endpoint (the same check). Three kinds of token:
//  - caller: RL trainers and other clients outside the mesh; any call but a control call;
//  - operator: everything, control calls included (loading and unloading models, configuring runs);
//  - service: the mesh's own calls between its services (reward → renderer, the RL loop → policy);
//    trusted like an operator, since the processes that hold it run the mesh.
// Health and reflection stay open (probes and grpcurl). A refusal never says what was wrong with
// the token, and tokens are compared through their SHA-256 digests with timingSafeEqual, every known
// token every time, so neither the answer nor its timing tells a guess apart from a near miss.
import { createHash, timingSafeEqual } from "node:crypto";
import { PolicyServiceDefinition, PrmServiceDefinition, TrainerServiceDefinition } from "@sketchvl/contract";
import { PermissionDeniedError, UnauthenticatedError } from "@sketchvl/errors";
import type { CallContext, ServerMiddlewareCall } from "nice-grpc";
import { parseTokens } from "./securityOptions";

export type Role = "caller" | "operator" | "service";

/** The control calls: only an operator (or the mesh itself) may make them. */
export const OPERATOR_METHODS: ReadonlySet<string> = new Set([
  `/${PrmServiceDefinition.fullName}/${PrmServiceDefinition.methods.loadModel.name}`,
  `/${PrmServiceDefinition.fullName}/${PrmServiceDefinition.methods.unloadModel.name}`,
  `/${PolicyServiceDefinition.fullName}/${PolicyServiceDefinition.methods.loadPolicy.name}`,
  `/${PolicyServiceDefinition.fullName}/${PolicyServiceDefinition.methods.unloadPolicy.name}`,
  `/${TrainerServiceDefinition.fullName}/${TrainerServiceDefinition.methods.configureRun.name}`,
]);

const OPEN_PREFIXES = ["/grpc.health.v1.", "/grpc.reflection."];

const digest = (token: string) => createHash("sha256").update(token).digest();

/** The tokens a service accepts, by role; replaced whole when a token file changes. */
export class TokenRoles {
  private entries: Array<{ digest: Buffer; role: Role }> = [];

  /** Whether any token is configured: with none, authentication is off. */
  get enabled(): boolean {
    return this.entries.length > 0;
  }

  set(tokens: Record<Role, string[]>): void {
    this.entries = (Object.entries(tokens) as Array<[Role, string[]]>).flatMap(([role, list]) => list.map((t) => ({ digest: digest(t), role })));
  }

  /** The role of `token`, or undefined. Constant time in the token: every entry is compared. */
  roleOf(token: string): Role | undefined {
    const presented = digest(token);
    let found: Role | undefined;
    for (const entry of this.entries) {
      // No early exit: a match's position does not show in the time taken.
      if (timingSafeEqual(entry.digest, presented) && found === undefined) found = entry.role;
    }
    return found;
  }
}

/** The token of an `authorization: Bearer <token>` value, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer +(\S+) *$/i.exec(header ?? "");
  return match?.[1];
}

/**
 * The decision, in one place for gRPC and HTTP: throws UnauthenticatedError (no usable token) or
 * PermissionDeniedError (a caller token on a control call); returns the caller's role.
 */
export function authorize(roles: TokenRoles, authorization: string | undefined, operatorOnly: boolean): Role | undefined {
  if (!roles.enabled) return undefined;
  const token = bearerToken(authorization);
  const role = token === undefined ? undefined : roles.roleOf(token);
  if (role === undefined) throw new UnauthenticatedError();
  if (operatorOnly && role === "caller") throw new PermissionDeniedError();
  return role;
}

/** Server middleware: every call but health and reflection needs a token; control calls an operator's. */
export function authenticateCalls(roles: TokenRoles) {
  return async function* authenticate<Req, Res>(call: ServerMiddlewareCall<Req, Res>, context: CallContext) {
    if (!OPEN_PREFIXES.some((p) => call.method.path.startsWith(p))) {
      authorize(roles, context.metadata.get("authorization"), OPERATOR_METHODS.has(call.method.path));
    }
    return yield* call.next(call.request as never, context);
  };
}

/** Parses token files and values into roles: the service's tokens in files are one per line. */
export function tokensOf(files: Partial<Record<Role, Buffer>>, inline: Record<Role, string>): Record<Role, string[]> {
  const of = (role: Role) => [...parseTokens(files[role]?.toString("utf8") ?? "", /\r?\n/), ...parseTokens(inline[role], /,/)];
  return { caller: of("caller"), operator: of("operator"), service: of("service") };
}
