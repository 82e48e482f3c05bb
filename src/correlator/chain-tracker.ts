import type { DeviceEventRecord } from './bucket-aggregate.js';

// A correlated chain: a device event on D at time t, followed within `intervalMs` by error spans or
// error logs on services that D affects. Device events and failures arrive in any order (a device's
// syslog may come after the spans it explains), so recent failures are remembered per service for a
// while and a new device event looks back at them as well as forward.

export interface ChainOptions {
  readonly intervalMs: number;
  readonly clockSkewToleranceMs: number;
  /** Device events that open a chain (event.name). */
  readonly triggerEvents: ReadonlySet<string>;
  readonly maxChains: number;
  readonly maxTracesPerChain: number;
  readonly maxLogsPerChain: number;
  /** Recent failures remembered per service, for device events that arrive after the failures. */
  readonly recentFailuresPerService: number;
  /** Services whose recent failures are remembered (the least recently failing are forgotten first). */
  readonly maxTrackedServices: number;
}

export interface ChainFailure {
  readonly serviceId: number;
  readonly timeMs: number;
  readonly traceIdHex: string | undefined;
  readonly kind: 'span' | 'log';
  readonly body: string | undefined;
}

export interface Chain {
  readonly id: number;
  readonly event: DeviceEventRecord;
  readonly affectedServiceIds: readonly number[];
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  readonly failingTraceIds: string[];
  readonly errorLogs: ChainFailure[];
  /** Every failure counted, also past the per-chain sample limits. */
  failureCount: number;
  readonly failingServiceIds: Set<number>;
}

export interface ChainFilter {
  readonly startMs: number;
  readonly endMs: number;
  /** Chains whose device or affected services are in these sets (either). */
  readonly resourceIds?: ReadonlySet<number>;
}

/** An event that names no interface matches one that does: the trap may carry only ifIndex. */
function sameInterface(a: string | undefined, b: string | undefined): boolean {
  return a === undefined || b === undefined || a.toLowerCase() === b.toLowerCase();
}

export class ChainTracker {
  private readonly chainsById = new Map<number, Chain>();
  private readonly openByService = new Map<number, Chain[]>();
  private readonly recent = new Map<number, ChainFailure[]>();
  private nextId = 1;
  evicted = 0;

  constructor(private readonly options: ChainOptions) {}

  get size(): { chains: number; formed: number } {
    let formed = 0;
    for (const c of this.chainsById.values()) if (c.failureCount > 0) formed++;
    return { chains: this.chainsById.size, formed };
  }

  get intervalMs(): number {
    return this.options.intervalMs;
  }

  isTrigger(eventName: string): boolean {
    return this.options.triggerEvents.has(eventName);
  }

  /**
   * Opens a chain for a triggering device event, and takes in failures already seen in its window.
   * The same event reported twice (a device's syslog and its SNMP trap for one link going down) is
   * one chain: an open chain for the same device, event and interface within the skew tolerance is
   * returned instead of a new one.
   */
  open(event: DeviceEventRecord, affected: ReadonlySet<number>): Chain | undefined {
    if (!this.isTrigger(event.eventName) || affected.size === 0) return undefined;
    const { intervalMs, clockSkewToleranceMs } = this.options;
    for (const existing of this.chainsById.values()) {
      const e = existing.event;
      if (
        e.resourceId === event.resourceId &&
        e.eventName === event.eventName &&
        sameInterface(e.interfaceName, event.interfaceName) &&
        Math.abs(e.timeMs - event.timeMs) <= clockSkewToleranceMs
      ) {
        return existing;
      }
    }
    const chain: Chain = {
      id: this.nextId++,
      event,
      affectedServiceIds: [...affected],
      windowStartMs: event.timeMs - clockSkewToleranceMs,
      windowEndMs: event.timeMs + intervalMs + clockSkewToleranceMs,
      failingTraceIds: [],
      errorLogs: [],
      failureCount: 0,
      failingServiceIds: new Set(),
    };
    if (this.chainsById.size >= this.options.maxChains) this.evictOldest();
    this.chainsById.set(chain.id, chain);
    for (const serviceId of affected) {
      const list = this.openByService.get(serviceId) ?? [];
      list.push(chain);
      this.openByService.set(serviceId, list);
      for (const failure of this.recent.get(serviceId) ?? []) this.attach(chain, failure);
    }
    return chain;
  }

  /** An error span or error log on a service. Cheap when no chain is open for the service. */
  observeFailure(failure: ChainFailure): void {
    this.remember(failure);
    const open = this.openByService.get(failure.serviceId);
    if (!open) return;
    for (const chain of open) this.attach(chain, failure);
  }

  private attach(chain: Chain, f: ChainFailure): void {
    if (f.timeMs < chain.windowStartMs || f.timeMs > chain.windowEndMs) return;
    chain.failureCount++;
    chain.failingServiceIds.add(f.serviceId);
    if (f.traceIdHex && chain.failingTraceIds.length < this.options.maxTracesPerChain && !chain.failingTraceIds.includes(f.traceIdHex)) {
      chain.failingTraceIds.push(f.traceIdHex);
    }
    if (f.kind === 'log' && chain.errorLogs.length < this.options.maxLogsPerChain) chain.errorLogs.push(f);
  }

  private remember(f: ChainFailure): void {
    let list = this.recent.get(f.serviceId);
    if (list) {
      // Re-inserting keeps the map in least-recently-failing order for eviction.
      this.recent.delete(f.serviceId);
    } else {
      list = [];
      if (this.recent.size >= this.options.maxTrackedServices) {
        const oldest = this.recent.keys().next();
        if (!oldest.done) this.recent.delete(oldest.value);
      }
    }
    list.push(f);
    if (list.length > this.options.recentFailuresPerService) list.shift();
    this.recent.set(f.serviceId, list);
  }

  /** Closes chains whose window the watermark has passed: they stop taking failures; formed ones are kept. */
  closeBefore(watermarkMs: number): void {
    for (const [serviceId, list] of this.openByService) {
      const still = list.filter((c) => c.windowEndMs >= watermarkMs);
      if (still.length === 0) this.openByService.delete(serviceId);
      else if (still.length !== list.length) this.openByService.set(serviceId, still);
    }
    for (const [id, chain] of this.chainsById) {
      if (chain.windowEndMs < watermarkMs && chain.failureCount === 0) this.chainsById.delete(id);
    }
    for (const [serviceId, list] of this.recent) {
      const horizon = watermarkMs - this.options.intervalMs - 2 * this.options.clockSkewToleranceMs;
      while (list.length > 0 && list[0]!.timeMs < horizon) list.shift();
      if (list.length === 0) this.recent.delete(serviceId);
    }
  }

  /** Drops chains older than the horizon (retention). */
  expire(horizonMs: number): void {
    for (const [id, chain] of this.chainsById) if (chain.windowEndMs < horizonMs) this.remove(id);
  }

  private evictOldest(): void {
    const oldest = this.chainsById.keys().next();
    if (oldest.done) return;
    this.remove(oldest.value);
    this.evicted++;
  }

  private remove(id: number): void {
    const chain = this.chainsById.get(id);
    if (!chain) return;
    this.chainsById.delete(id);
    for (const serviceId of chain.affectedServiceIds) {
      const list = this.openByService.get(serviceId);
      if (!list) continue;
      const still = list.filter((c) => c.id !== id);
      if (still.length === 0) this.openByService.delete(serviceId);
      else this.openByService.set(serviceId, still);
    }
  }

  /** Formed chains (at least one failure) whose device event falls in the window and touches the resources. */
  chains(filter: ChainFilter): Chain[] {
    const out: Chain[] = [];
    for (const chain of this.chainsById.values()) {
      if (chain.failureCount === 0) continue;
      if (chain.event.timeMs < filter.startMs || chain.event.timeMs >= filter.endMs) continue;
      const ids = filter.resourceIds;
      if (ids && !ids.has(chain.event.resourceId) && !chain.affectedServiceIds.some((s) => ids.has(s))) continue;
      out.push(chain);
    }
    return out;
  }
}
