/** What `admit` answers: whether to log now, and how many events were held back since the last line. */
export interface Admission {
  readonly log: boolean;
  readonly suppressed: number;
}

interface Slot {
  loggedAt: number;
  suppressed: number;
}

/**
 * Allows one log line per key (a source address) per interval, so that a misconfigured or hostile
 * sender cannot flood the log, while the next line still says how many were held back. Keys are
 * bounded: past `maxKeys`, expired keys are dropped, and if none has expired the oldest goes (its
 * suppressed count is lost, the counters still have it).
 */
export class RateLimitedLog {
  private readonly slots = new Map<string, Slot>();

  constructor(
    private readonly intervalMs = 60_000,
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 10_000,
  ) {}

  admit(key: string): Admission {
    const t = this.now();
    const slot = this.slots.get(key);
    if (slot && t - slot.loggedAt < this.intervalMs) {
      slot.suppressed++;
      return { log: false, suppressed: slot.suppressed };
    }
    const suppressed = slot?.suppressed ?? 0;
    // Re-inserting keeps the map in order of last log line, so the first entries are the oldest.
    this.slots.delete(key);
    if (this.slots.size >= this.maxKeys) this.evict(t);
    this.slots.set(key, { loggedAt: t, suppressed: 0 });
    return { log: true, suppressed };
  }

  /** Keys currently remembered. */
  get size(): number {
    return this.slots.size;
  }

  private evict(t: number): void {
    for (const [key, slot] of this.slots) {
      if (t - slot.loggedAt < this.intervalMs) break; // ordered by loggedAt: the rest are newer
      this.slots.delete(key);
    }
    if (this.slots.size >= this.maxKeys) {
      const oldest = this.slots.keys().next();
      if (!oldest.done) this.slots.delete(oldest.value);
    }
  }
}
