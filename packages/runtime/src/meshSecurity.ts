// A process's security, built once from its security options: the TLS files (server credentials
// for its own server, channel credentials for every mesh channel it opens), the tokens its server
// accepts, and the service token its own calls carry. startServer and createMeshChannel both take it
// from here, so no service wires TLS or tokens itself.
import { type ChannelCredentials, credentials, experimental, ServerCredentials } from "@grpc/grpc-js";
import { type Role, TokenRoles, tokensOf } from "./auth";
import { type SecurityConfig, securityProblem } from "./securityOptions";
import { WatchedFiles, CertificateFiles } from "./watchedFiles";
import { ConfigError } from "./config";

export class MeshSecurity {
  readonly roles = new TokenRoles();
  readonly certificates: CertificateFiles | undefined;
  private readonly tokenFiles: WatchedFiles | undefined;
  private sentToken: string | undefined;

  constructor(
    config: SecurityConfig,
    private readonly log: (message: string) => void = () => {},
  ) {
    const problem = securityProblem(config);
    if (problem) throw new ConfigError(problem);
    if (config.tlsCaFile) {
      this.certificates = new CertificateFiles(
        { caFile: config.tlsCaFile, certFile: config.tlsCertFile, keyFile: config.tlsKeyFile },
        config.tlsReloadMs,
        (message) => this.log(message),
      );
    }
    const inline: Record<Role, string> = { caller: config.authCallerTokens, operator: config.authOperatorTokens, service: config.authServiceToken };
    const fileRoles = (["caller", "operator", "service"] as const).filter((role) => fileOf(config, role));
    const tokensFrom = (contents: Buffer[]) => tokensOf(Object.fromEntries(fileRoles.map((role, i) => [role, contents[i]])), inline);
    const apply = (tokens: Record<Role, string[]>) => {
      this.roles.set(tokens);
      this.sentToken = tokens.service[0];
    };
    if (fileRoles.length === 0) apply(tokensFrom([]));
    else {
      let first = true;
      this.tokenFiles = new WatchedFiles(
        fileRoles.map((role) => fileOf(config, role)),
        config.tlsReloadMs,
        (contents) => {
          const tokens = tokensFrom(contents);
          // A rotation that empties a file would silently turn authentication off: refuse it.
          if (fileRoles.some((role) => tokens[role].length === 0)) throw new Error("a token file holds no token");
          apply(tokens);
          if (!first) this.log("token files changed: the new tokens apply to new calls");
          first = false;
        },
        (message) => this.log(message),
      );
    }
  }

  get tls(): boolean {
    return this.certificates !== undefined;
  }

  /** mTLS (clients must present a certificate from the CA) when the files are set, else plaintext. */
  serverCredentials(): ServerCredentials {
    if (!this.certificates) return ServerCredentials.createInsecure();
    // grpc-js names this function's parameters (ca, identity) but passes them on as (identity, ca):
    // one provider serves both, so the order cannot matter.
    return experimental.createCertificateProviderServerCredentials(this.certificates, this.certificates, true) as unknown as ServerCredentials;
  }

  /** For mesh channels: TLS with this process's certificate when set; a new connection reads the latest files. */
  channelCredentials(): ChannelCredentials {
    if (!this.certificates) return credentials.createInsecure();
    return experimental.createCertificateProviderChannelCredentials(this.certificates, this.certificates);
  }

  /** The `authorization` value this process's own calls carry, if it holds a service token. */
  authorization(): string | undefined {
    return this.sentToken === undefined ? undefined : `Bearer ${this.sentToken}`;
  }

  close(): void {
    this.certificates?.close();
    this.tokenFiles?.close();
  }
}

function fileOf(config: SecurityConfig, role: Role): string {
  return { caller: config.authCallerTokensFile, operator: config.authOperatorTokensFile, service: config.authServiceTokenFile }[role];
}

const shared = new Map<string, MeshSecurity>();

/**
 * The process's MeshSecurity for these options: one per distinct configuration, so the server and
 * every channel of a service share one set of file watchers. Throws ConfigError for bad options.
 */
export function meshSecurity(config: SecurityConfig, log?: (message: string) => void): MeshSecurity {
  const key = JSON.stringify([
    config.tlsCaFile,
    config.tlsCertFile,
    config.tlsKeyFile,
    config.tlsReloadMs,
    config.authCallerTokensFile,
    config.authCallerTokens,
    config.authOperatorTokensFile,
    config.authOperatorTokens,
    config.authServiceTokenFile,
    config.authServiceToken,
  ]);
  let found = shared.get(key);
  if (!found) {
    found = new MeshSecurity(config, log);
    shared.set(key, found);
  }
  return found;
}
