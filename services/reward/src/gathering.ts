// What renderBatches.ts and stepBatches.ts share: items added within `windowMs` of the first one
// go out as one batch, or at once when their sizes reach `max`. With a window of 0 each item goes
// out alone, at once.
export class Gathering<T> {
  private items: T[] = [];
  private size = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly send: (batch: T[]) => void,
    private readonly options: { windowMs: number; max: number; sizeOf: (item: T) => number },
  ) {}

  add(item: T): void {
    this.items.push(item);
    this.size += this.options.sizeOf(item);
    if (this.options.windowMs <= 0 || this.size >= this.options.max) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.options.windowMs);
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.items;
    this.items = [];
    this.size = 0;
    this.send(batch);
  }
}
