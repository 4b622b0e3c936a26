export { builtServices, entryPoint, repoRoot, SERVICES, type ServiceSpec } from "./services";
export { freePort, type LaunchOptions, launchService, type RunningProcess, waitUntilServing } from "./processes";
export { clientSecurity, type Mesh, meshTlsFromEnv, startMesh } from "./mesh";
export { createDevCa, ensureDevCertificates, issueDevCertificate, type TlsFiles, tlsFilesIn } from "./devCertificates";
