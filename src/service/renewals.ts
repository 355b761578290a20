/**
 * Heartbeat renewals written together: the users whose heartbeats arrive within one window
 * are renewed by one UPDATE, and each heartbeat is answered once that UPDATE has committed.
 * Ten thousand agents beating every 30 s then cost a few statements a second, not hundreds.
 * One write at a time: heartbeats arriving while one runs wait for the next window.
 */
export type RenewUsers = (userIds: number[], now: number) => Promise<void>;

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class RenewalBatch {
  private users = new Set<number>();
  private waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  /** UPDATEs written so far (for tests and /metrics). */
  writes = 0;

  constructor(
    private readonly renew: RenewUsers,
    private readonly windowMs: number,
  ) {}

  /** Resolves once this user's deadline is renewed in the store. */
  add(userId: number): Promise<void> {
    this.users.add(userId);
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.timer ??= setTimeout(() => this.flush(), this.windowMs);
    return done;
  }

  private flush(): void {
    this.writing = this.writing.then(async () => {
      this.timer = null;
      const users = [...this.users];
      const waiters = this.waiters;
      this.users = new Set();
      this.waiters = [];
      try {
        this.writes++;
        // The deadline runs from the write, not the heartbeat: at most one window later.
        await this.renew(users, Date.now());
        for (const w of waiters) w.resolve();
      } catch (error) {
        for (const w of waiters) w.reject(error);
      }
    });
  }
}
