// Files re-read while the process runs (certificates, keys, token lists), so a rotated Secret is used
// without a restart. Polling rather than fs.watch: a Kubernetes Secret volume swaps a symlink, which
// inotify watchers on the old file never see; reading a few small files every second costs nothing.
import { readFileSync } from "node:fs";
import { createSecureContext } from "node:tls";
import type { experimental } from "@grpc/grpc-js";

/**
 * Reads `paths` now (throws if one is unreadable or `apply` refuses them) and again every
 * `intervalMs`; `apply` runs when any content changed. A change `apply` refuses (a certificate
 * written before its key) keeps what was applied last and is reported once through `onError`.
 */
export class WatchedFiles {
  private last: Buffer[];
  private refused: Buffer[] | undefined;
  private reported = "";
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly paths: string[],
    intervalMs: number,
    private readonly apply: (contents: Buffer[]) => void,
    private readonly onError: (message: string) => void = () => {},
  ) {
    this.last = paths.map((p) => readFileSync(p));
    apply(this.last);
    this.timer = setInterval(() => this.poll(), intervalMs);
    this.timer.unref(); // never what keeps a process alive
  }

  private poll(): void {
    let contents: Buffer[];
    try {
      contents = this.paths.map((p) => readFileSync(p));
    } catch (err) {
      this.report(undefined, `cannot re-read ${this.paths.join(", ")}: ${(err as Error).message}; keeping the files read before`);
      return;
    }
    const same = (a: Buffer[] | undefined) => a?.every((b, i) => b.equals(contents[i]));
    if (same(this.last) || same(this.refused)) return;
    try {
      this.apply(contents);
      this.last = contents;
      this.refused = undefined;
      this.reported = "";
    } catch (err) {
      this.report(contents, `${this.paths.join(", ")} changed but cannot be used (${(err as Error).message}); keeping the files read before`);
    }
  }

  private report(contents: Buffer[] | undefined, message: string): void {
    this.refused = contents;
    // Once per problem, not on every poll while a file stays missing or broken.
    if (message !== this.reported) this.onError(message);
    this.reported = message;
  }

  close(): void {
    clearInterval(this.timer);
  }
}

type CaListener = experimental.CaCertificateUpdateListener;
type IdentityListener = experimental.IdentityCertificateUpdateListener;

/**
 * A CA certificate, certificate chain and key from files, as grpc-js's CertificateProvider: the
 * interface its certificate-provider server and channel credentials take, which swap the TLS
 * context of a listening server (setSecureContext) and of new client connections when it reports
 * an update. Unlike grpc-js's own FileWatcherCertificateProvider, an update is checked first (the
 * key matches the certificate) and a half-written rotation never reaches the server: it keeps
 * serving the previous pair instead of dropping every connection.
 */
export class CertificateFiles implements experimental.CertificateProvider {
  private ca!: Buffer;
  private identity!: { certificate: Buffer; privateKey: Buffer };
  private readonly caListeners = new Set<CaListener>();
  private readonly identityListeners = new Set<IdentityListener>();
  private readonly files: WatchedFiles;
  /** Times the files changed and were taken (1 after start): for logs and tests. */
  generation = 0;

  constructor(paths: { caFile: string; certFile: string; keyFile: string }, intervalMs: number, onChange: (message: string) => void) {
    this.files = new WatchedFiles(
      [paths.caFile, paths.certFile, paths.keyFile],
      intervalMs,
      ([ca, certificate, privateKey]) => {
        createSecureContext({ ca, cert: certificate, key: privateKey }); // throws on a mismatched or unreadable pair
        this.ca = ca;
        this.identity = { certificate, privateKey };
        this.generation++;
        if (this.generation > 1) onChange("TLS certificate files changed: new connections use them");
        for (const listener of this.caListeners) listener({ caCertificate: ca });
        for (const listener of this.identityListeners) listener(this.identity);
      },
      onChange,
    );
  }

  addCaCertificateListener(listener: CaListener): void {
    this.caListeners.add(listener);
    process.nextTick(listener, { caCertificate: this.ca });
  }
  removeCaCertificateListener(listener: CaListener): void {
    this.caListeners.delete(listener);
  }
  addIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.add(listener);
    process.nextTick(listener, this.identity);
  }
  removeIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.delete(listener);
  }

  close(): void {
    this.files.close();
  }
}
