// Admission by cost, not only by call count: a call reserves the bytes of working memory it will
// hold (its own estimate), and beyond the service's budget it is refused at once — RESOURCE_EXHAUSTED,
// which a caller retries with backoff — instead of running with everything else until the process
// runs out of memory. A call that could never fit is the caller's to change: INVALID_ARGUMENT.
import { metrics } from "@opentelemetry/api";
import { InvalidArgumentError, ResourceExhaustedError } from "@sketchvl/errors";

const MiB = 1024 * 1024;
const mib = (bytes: number) => `${Math.ceil(bytes / MiB)} MiB`;

export interface Reservation {
  release(): void;
}

export class WorkBudget {
  private used = 0;

  constructor(
    readonly bytes: number,
    /** The option that sets `bytes`, named in errors: "--work-budget-bytes". */
    private readonly option: string,
    service: string,
  ) {
    metrics
      .getMeter("sketchvl-mesh")
      .createObservableGauge("work_budget.used", { unit: "By", description: "Working memory reserved by calls in flight, against the budget" })
      .addCallback((gauge) => gauge.observe(this.used, { service, budget: this.bytes }));
  }

  get inUse(): number {
    return this.used;
  }

  /**
   * Throws as reserve() would for a call costing at least `cost`, reserving nothing: a cheap first
   * check, so a call that cannot fit is refused before the work of estimating its full cost.
   */
  check(cost: number, field: string): void {
    if (cost > this.bytes) {
      throw new InvalidArgumentError(
        field,
        `needs about ${mib(cost)} of working memory, more than this service's ${this.option} (${mib(this.bytes)}): send less per call`,
        "LIMIT_EXCEEDED",
      );
    }
    if (this.used + cost > this.bytes) {
      throw new ResourceExhaustedError(
        `busy: this call needs about ${mib(cost)} of working memory and ${mib(this.used)} of ${mib(this.bytes)} are in use; retry with backoff`,
      );
    }
  }

  /** Reserves `cost` bytes or throws; `field` names what the cost comes from ("actions"). Release exactly once. */
  reserve(cost: number, field: string): Reservation {
    this.check(cost, field);
    this.used += cost;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.used -= cost;
      },
    };
  }
}
