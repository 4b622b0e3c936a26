// The PRM service's chart judges, one instance each, chosen per request by name (JudgeChartCode's
// `judge`, else --chart-judge). remote-judge exists only when --chart-judge-url names an endpoint.
import { FailedPreconditionError, InvalidArgumentError } from "@sketchvl/errors";
import type { RemoteEndpointConfig } from "@sketchvl/runtime";
import { RandomChartJudge } from "./random";
import { ReferenceChartJudge } from "./reference";
import { RemoteChartJudge } from "./remoteJudge";
import { CHART_JUDGES, type ChartJudge, type ChartJudgeName } from "./types";

export interface ChartJudgesConfig {
  defaultJudge: ChartJudgeName;
  seed: number;
  /** Absent: no remote judge configured. */
  remote?: RemoteEndpointConfig;
}

export class ChartJudges {
  private readonly judges = new Map<ChartJudgeName, ChartJudge>();

  constructor(private readonly config: ChartJudgesConfig) {
    this.judges.set("reference", new ReferenceChartJudge());
    this.judges.set("random", new RandomChartJudge(config.seed));
    if (config.remote) this.judges.set("remote-judge", new RemoteChartJudge(config.remote));
  }

  /** The judge `name` names (empty: the default); refuses unknown and unconfigured ones. */
  get(name: string): { name: ChartJudgeName; judge: ChartJudge } {
    const chosen = (name || this.config.defaultJudge) as ChartJudgeName;
    if (!CHART_JUDGES.includes(chosen)) throw new InvalidArgumentError("judge", `unknown chart judge "${name}"; one of ${CHART_JUDGES.join(", ")}`);
    const judge = this.judges.get(chosen);
    if (!judge)
      throw new FailedPreconditionError(`chart judge "${chosen}" is not configured: start the PRM service with --chart-judge-url`, "MODEL_NOT_LOADED");
    return { name: chosen, judge };
  }
}

export { CHART_JUDGES, type ChartJudge, type ChartJudgeName } from "./types";
