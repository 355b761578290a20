/**
 * A check that concurrent callers share without being served by one that is too old: a caller
 * is served by the first run that starts after it arrived. A run already going may have read
 * before the caller's own write was acknowledged elsewhere, so it cannot serve it; everyone
 * arriving meanwhile shares the next run. Under load one run serves every caller of a round
 * trip, instead of one run each.
 */
export class CoalescedCheck {
  private running: Promise<void> | null = null;
  private next: Promise<void> | null = null;
  /** Runs started so far. */
  runs = 0;

  constructor(private readonly check: () => Promise<void>) {}

  run(): Promise<void> {
    if (!this.running) return this.start();
    this.next ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.next = null;
        return this.start();
      });
    return this.next;
  }

  private start(): Promise<void> {
    this.runs++;
    const running = this.check().finally(() => {
      if (this.running === running) this.running = null;
    });
    this.running = running;
    return running;
  }
}
