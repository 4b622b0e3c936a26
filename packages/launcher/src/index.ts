export { builtServices, entryPoint, repoRoot, SERVICES, type ServiceSpec } from "./services";
export { freePort, type LaunchOptions, launchService, type RunningProcess, waitUntilServing } from "./processes";
export { type Mesh, startMesh } from "./mesh";
