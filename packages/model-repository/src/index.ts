// Model repositories and version lifecycles shared by the services that serve models (prm, policy).
export { ModelRepository, type ModelEntry } from "./repository";
export { VersionManager, type LoadedVersion, type Servable, type VersionManagerOptions, type VersionState, type VersionView } from "./versionManager";
export { InFlight } from "./inFlight";
