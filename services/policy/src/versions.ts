// The policy's loaded versions: each a rollout backend with the groups running on it. Loading,
// switching, draining (the groups already on a version finish there) and unloading are
// packages/model-repository's VersionManager, shared with the PRM.
import { InFlight, type ModelRepository, type Servable, VersionManager } from "@sketchvl/model-repository";
import type { BackendFactory, RolloutBackend } from "./backends";
import type { PolicyConfig } from "./repository";

export class PolicyVersion implements Servable {
  readonly inFlight = new InFlight();
  /** Since it was loaded. */
  rollouts = 0;
  tokens = 0;

  constructor(readonly backend: RolloutBackend) {}

  drain(): Promise<void> {
    return this.inFlight.idle();
  }

  close(): Promise<void> {
    return this.backend.close();
  }
}

export type PolicyVersions = VersionManager<PolicyConfig, PolicyVersion>;

export function policyVersions(repository: ModelRepository<PolicyConfig>, createBackend: BackendFactory, onChange?: (model: string) => void): PolicyVersions {
  return new VersionManager(repository, async (entry, config) => new PolicyVersion(await createBackend(entry, config)), { onChange });
}
