// A throwaway certificate authority and certificates for running the mesh with mTLS on one machine
// (npm start with SKETCHVL_MESH_TLS_DIR, the security tests). Made with the openssl CLI: node's
// crypto makes keys but not X.509 certificates. A deployment brings its own (cert-manager, infra/).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The files a TLS directory holds, named as in a cert-manager Secret (ca.crt, tls.crt, tls.key). */
export interface TlsFiles {
  caFile: string;
  certFile: string;
  keyFile: string;
}

export function tlsFilesIn(dir: string, name = "tls"): TlsFiles {
  return { caFile: join(dir, "ca.crt"), certFile: join(dir, `${name}.crt`), keyFile: join(dir, `${name}.key`) };
}

const openssl = (args: string[]) => execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
const EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

/** A new CA in `dir` (ca.crt, ca.key), valid for `days`. `subject` tells two CAs apart in tests. */
export function createDevCa(dir: string, { days = 30, subject = "sketchvl-mesh-dev-ca" } = {}): TlsFiles {
  mkdirSync(dir, { recursive: true });
  const files = tlsFilesIn(dir, "ca");
  openssl(["req", "-x509", ...EC_KEY, "-keyout", files.keyFile, "-out", files.caFile, "-days", String(days), "-subj", `/CN=${subject}`]);
  return { ...files, certFile: files.caFile };
}

/**
 * A certificate `name`.crt / `name`.key in `dir`, signed by the CA there, for both ends of a
 * connection (serverAuth and clientAuth): loopback and the mesh's service names as the names it
 * answers to, so one certificate serves every service on one machine.
 */
export function issueDevCertificate(
  dir: string,
  name = "tls",
  { days = 30, hosts = ["localhost", "renderer", "trainer", "prm", "policy", "reward"] } = {},
): TlsFiles {
  const files = tlsFilesIn(dir, name);
  const csr = join(dir, `${name}.csr`);
  const extensions = join(dir, `${name}.ext`);
  const san = [...hosts.map((h) => `DNS:${h}`), "IP:127.0.0.1", "IP:::1"].join(",");
  writeFileSync(extensions, `subjectAltName=${san}\nextendedKeyUsage=serverAuth,clientAuth\nbasicConstraints=CA:FALSE\n`);
  openssl(["req", ...EC_KEY, "-keyout", files.keyFile, "-out", csr, "-subj", `/CN=${name}`]);
  openssl([
    "x509",
    "-req",
    "-in",
    csr,
    "-CA",
    join(dir, "ca.crt"),
    "-CAkey",
    join(dir, "ca.key"),
    "-CAcreateserial",
    "-days",
    String(days),
    "-out",
    files.certFile,
    "-extfile",
    extensions,
  ]);
  rmSync(csr);
  rmSync(extensions);
  return files;
}

/** ca.crt, tls.crt and tls.key in `dir`: the ones there, or a new dev CA and certificate. */
export function ensureDevCertificates(dir: string): TlsFiles {
  const files = tlsFilesIn(dir);
  if (Object.values(files).every((f) => existsSync(f))) return files;
  createDevCa(dir);
  return issueDevCertificate(dir);
}
