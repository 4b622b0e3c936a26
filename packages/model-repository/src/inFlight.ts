// Counts work in progress on a loaded version, so that draining it can wait until that work is done.
export class InFlight {
  private count = 0;
  private idleWaiters: Array<() => void> = [];

  get size(): number {
    return this.count;
  }

  /** Counts one piece of work until the returned function is called (once). */
  enter(): () => void {
    this.count++;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.count--;
      if (this.count === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    };
  }

  /** Resolves when nothing is in progress. */
  idle(): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}
