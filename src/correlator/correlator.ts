import { getStringAttribute } from '../model/attributes.js';
import type { LogBatch, TraceBatch } from '../model/batch.js';
import { idToHex } from '../model/ids.js';
import type { LogRecord } from '../model/log-record.js';
import { SpanKind } from '../model/span.js';
import { SEVERITY_CLASSES } from './bucket-aggregate.js';
import type { DeviceEventRecord, Exemplar } from './bucket-aggregate.js';
import { ChainTracker } from './chain-tracker.js';
import type { Chain, ChainOptions } from './chain-tracker.js';
import { EvidenceStore } from './evidence-store.js';
import type { EvidenceStoreOptions } from './evidence-store.js';
import { RELATIVE_ACCURACY } from './latency-sketch.js';
import { ResourceRegistry } from './resource-registry.js';
import type { ResourceInfo } from './resource-registry.js';
import { resolveScope } from './scope-selector.js';
import type { ResolvedScope, ScopeSelector } from './scope-selector.js';
import { SpanReader, bodyText, logEventName, logIsError, logStringAttribute } from './signal-conventions.js';
import { Topology } from './topology.js';
import type { TopologyConfig } from './topology-config.js';
import { SPAN_FLAG_CLIENT, SPAN_FLAG_ERROR, SPAN_FLAG_ROOT, SPAN_FLAG_SERVER, TraceIndex } from './trace-index.js';
import type { TraceIndexLimits, TraceSummary } from './trace-index.js';

// The correlator turns the stream of spans, log records and device events into evidence a gate can
// ask for. All three signals pass through one instance: spans and logs are joined by trace and span
// ID (TraceIndex), resources get one identity across signals (ResourceRegistry), device events are
// tied to the services they affect (Topology) and to the failures that follow them (ChainTracker), and
// everything is aggregated per resource and event-time bucket (EvidenceStore), so that any scope and
// window is answered by merging buckets. Every store is bounded; what is shed is counted.

export interface CorrelatorOptions {
  readonly evidence: EvidenceStoreOptions;
  readonly traces: TraceIndexLimits;
  readonly chains: Omit<ChainOptions, 'clockSkewToleranceMs'>;
  readonly maxResources: number;
  readonly maxLearnedEdges: number;
  readonly topology?: TopologyConfig;
  /** Receive clock (ms); injectable for tests. */
  readonly now?: () => number;
}

export interface EvidenceQuery {
  readonly scope: ScopeSelector;
  readonly startMs: number;
  readonly endMs: number;
  /** How many exemplar traces to expand with their summaries (default 10). */
  readonly maxExemplars?: number;
}

export interface LatencySummary {
  readonly count: number;
  readonly mean: number | undefined;
  readonly min: number | undefined;
  readonly max: number | undefined;
  readonly p50: number | undefined;
  readonly p90: number | undefined;
  readonly p95: number | undefined;
  readonly p99: number | undefined;
  readonly relativeAccuracy: number;
}

export interface ExemplarView extends Exemplar {
  readonly trace: TraceView | undefined;
}

export interface TraceView {
  readonly traceId: string;
  readonly services: string[];
  readonly rootService: string | undefined;
  /** The root span's id when it is held (or, failing that, the newest span held of the trace). */
  readonly rootSpanId: string | undefined;
  readonly durationMs: number;
  readonly spanCount: number;
  readonly errorSpanCount: number;
  readonly errorLogs: { readonly service: string | undefined; readonly timeMs: number; readonly severityNumber: number; readonly body: string; readonly spanId: string }[];
}

export interface ChainView {
  readonly id: number;
  readonly device: string | undefined;
  readonly event: DeviceEventRecord;
  readonly affectedServices: string[];
  readonly failingServices: string[];
  readonly failureCount: number;
  readonly traceIds: string[];
  readonly errorLogs: { readonly service: string | undefined; readonly timeMs: number; readonly body: string | undefined; readonly traceId: string | undefined }[];
  readonly windowStartMs: number;
  readonly windowEndMs: number;
}

export interface Evidence {
  readonly window: { readonly startMs: number; readonly endMs: number; readonly buckets: number };
  readonly scope: { readonly resources: { readonly id: number; readonly key: string; readonly kind: string; readonly viaTopology: boolean }[] };
  readonly spans: { readonly count: number; readonly errors: number; readonly errorRatio: number | undefined; readonly ratePerSecond: number };
  readonly latencyMs: LatencySummary;
  /** A bounded uniform sample of span durations (ms), for rank tests. */
  readonly latencySamples: readonly number[];
  readonly logs: { readonly bySeverity: Readonly<Record<string, number>>; readonly errors: number };
  readonly deviceEvents: { readonly byName: Readonly<Record<string, number>>; readonly samples: readonly DeviceEventRecord[] };
  readonly exemplars: { readonly errors: readonly ExemplarView[]; readonly slow: readonly ExemplarView[] };
  readonly chains: readonly ChainView[];
  readonly watermarkMs: number;
}

export interface CorrelatorStats {
  readonly traces: number;
  readonly spans: number;
  readonly errorLogs: number;
  readonly resources: number;
  readonly buckets: number;
  readonly chains: number;
  readonly formedChains: number;
  readonly learnedEdges: number;
  readonly evicted: Readonly<Record<'traces' | 'spans' | 'error_logs' | 'resources' | 'buckets' | 'chains' | 'edges', number>>;
  readonly lateDropped: number;
  readonly bytes: number;
}

const NS_PER_MS = 1e6;
/** Bound on each of query()'s caches (see Correlator.cached). */
const MAX_CACHED = 4096;

export class Correlator {
  readonly registry: ResourceRegistry;
  readonly topology: Topology;
  readonly evidence: EvidenceStore;
  readonly traces: TraceIndex;
  readonly chains: ChainTracker;
  private readonly now: () => number;
  private readonly spanReader = new SpanReader();
  /** The peer last learned per client service: topology learning needs each peer once, not per span. */
  private readonly lastPeer = new Map<number, string>();
  /**
   * What query() derives from the registry, topology and trace index (scopes, trace summaries). Those
   * change only when the correlator takes in data or does upkeep (observeTraces, observeLogs,
   * maintain), so it holds until then, and is dropped then. `cached`: whether any of it is held.
   */
  private cached = false;
  private readonly scopes = new Map<string, { readonly scope: ResolvedScope; readonly resources: Evidence['scope']['resources'] }>();
  private readonly traceViews = new Map<string, TraceView | undefined>();
  private readonly exemplarViews = new Map<Exemplar, ExemplarView>();
  /** registry.all() as it is now, and where each service.name occurs in it. */
  private resourceList: ResourceInfo[] | undefined;
  private resourcesByName = new Map<string, number[]>();

  constructor(options: CorrelatorOptions) {
    this.now = options.now ?? Date.now;
    this.evidence = new EvidenceStore(options.evidence, this.now);
    this.traces = new TraceIndex(options.traces);
    this.chains = new ChainTracker({ ...options.chains, clockSkewToleranceMs: options.evidence.clockSkewToleranceMs });
    let topology: Topology | undefined;
    this.registry = new ResourceRegistry({
      maxResources: options.maxResources,
      ...(options.topology ? { topology: options.topology } : {}),
      onEvict: (id) => {
        this.evidence.dropResource(id);
        topology?.forget(id);
      },
      onMerge: (from, into) => this.evidence.mergeResource(from, into),
    });
    topology = new Topology(this.registry, { ...(options.topology ? { topology: options.topology } : {}), maxEdges: options.maxLearnedEdges });
    this.topology = topology;
  }

  /** Reads a traces batch; does not change it. */
  observeTraces(batch: TraceBatch): void {
    this.advance();
    for (const rs of batch.resourceSpans) {
      const service = this.registry.resolveResource(rs.resource);
      const host = getStringAttribute(rs.resource.attributes, 'host.name') ?? getStringAttribute(rs.resource.attributes, 'k8s.node.name');
      if (host !== undefined && service.kind === 'service') this.topology.observeServiceHost(service.id, host);
      for (const ss of rs.scopeSpans) {
        for (const span of ss.spans) {
          const startMs = Number(span.startTimeUnixNano) / NS_PER_MS;
          const durationMs = Math.max(0, Number(span.endTimeUnixNano - span.startTimeUnixNano) / NS_PER_MS);
          const isError = this.spanReader.read(span);
          let flags = isError ? SPAN_FLAG_ERROR : 0;
          if (span.parentSpanId.length === 0) flags |= SPAN_FLAG_ROOT;
          if (span.kind === SpanKind.Server) {
            flags |= SPAN_FLAG_SERVER;
            // A server span whose parent is a client span of another service: that service calls this one.
            if (span.parentSpanId.length > 0) {
              const caller = this.traces.serviceOfSpan(span.parentSpanId);
              if (caller >= 0 && caller !== service.id) this.topology.observeCall(caller, service.id);
            }
          } else if (span.kind === SpanKind.Client) {
            flags |= SPAN_FLAG_CLIENT;
            const peer = this.spanReader.peer;
            if (peer !== undefined && this.lastPeer.get(service.id) !== peer) {
              this.topology.observeServicePeer(service.id, peer);
              if (this.lastPeer.size > 10_000) this.lastPeer.clear();
              this.lastPeer.set(service.id, peer);
            }
          }
          this.traces.addSpan(span.traceId, span.spanId, span.parentSpanId, service.id, 0, startMs, durationMs, flags);
          this.evidence.recordSpan(service.id, startMs, durationMs, isError, () => idToHex(span.traceId));
          if (isError) {
            this.chains.observeFailure({ serviceId: service.id, timeMs: startMs, traceIdHex: idToHex(span.traceId), kind: 'span', body: undefined });
          }
        }
      }
    }
  }

  /** Reads a logs batch: device events, service logs (joined to traces), error logs; does not change it. */
  observeLogs(batch: LogBatch): void {
    this.advance();
    for (const rl of batch.resourceLogs) {
      let service: ResourceInfo | undefined;
      for (const sl of rl.scopeLogs) {
        for (const record of sl.logRecords) {
          const timeMs = Number(record.timeUnixNano !== 0n ? record.timeUnixNano : record.observedTimeUnixNano) / NS_PER_MS;
          const eventName = logEventName(record);
          const deviceSource = eventName !== undefined || logStringAttribute(record, 'syslog.vendor') !== undefined || logStringAttribute(record, 'snmp.trap.oid') !== undefined;
          if (deviceSource) {
            const device = this.registry.resolveDevice(rl.resource, record.attributes);
            if (eventName !== undefined) this.observeDeviceEvent(device, eventName, timeMs, record);
            else this.evidence.recordLog(device.id, timeMs, record.severityNumber);
            continue;
          }
          service ??= this.registry.resolveResource(rl.resource);
          this.evidence.recordLog(service.id, timeMs, record.severityNumber);
          const isError = logIsError(record);
          const hasTrace = record.traceId.length === 16;
          if (hasTrace) this.traces.addLog(record.traceId, record.spanId, service.id, timeMs, isError ? Math.max(17, record.severityNumber) : record.severityNumber, isError ? bodyText(record) : '');
          if (isError) {
            this.chains.observeFailure({ serviceId: service.id, timeMs, traceIdHex: hasTrace ? idToHex(record.traceId) : undefined, kind: 'log', body: bodyText(record) });
          }
        }
      }
    }
  }

  private observeDeviceEvent(device: ResourceInfo, eventName: string, timeMs: number, record: LogRecord): void {
    const interfaceName = logStringAttribute(record, 'network.interface.name');
    const attributes: Record<string, string> = {};
    for (const key of ['network.interface.name', 'network.interface.index', 'network.bgp.neighbor.address', 'user.name', 'device.event.rule', 'syslog.mnemonic', 'snmp.trap.oid']) {
      const v = logStringAttribute(record, key);
      if (v !== undefined) attributes[key] = v;
    }
    const event: DeviceEventRecord = { resourceId: device.id, timeMs, eventName, interfaceName, attributes, body: bodyText(record).slice(0, 512) };
    if (this.evidence.recordDeviceEvent(event) === 'late') return;
    if (this.chains.isTrigger(eventName)) this.chains.open(event, this.topology.affectedServices(device.id, interfaceName));
  }

  /** Periodic upkeep: retention, chain windows, trace age. Cheap enough to run every few seconds. */
  maintain(): void {
    this.advance();
    const watermark = this.evidence.watermarkMs;
    if (!Number.isFinite(watermark)) return;
    this.evidence.expire();
    this.chains.closeBefore(watermark);
    this.chains.expire(watermark - this.evidence.options.retentionMs);
    this.traces.evictExpired(watermark);
  }

  /** Aggregates, exemplars, device events and chains for a scope over [startMs, endMs). */
  query(q: EvidenceQuery): Evidence {
    const { scope, resources } = this.resolve(q.scope);
    const { aggregate, reservoir, buckets } = this.evidence.query({ resourceIds: scope.resourceIds, startMs: q.startMs, endMs: q.endMs });
    const latency = aggregate.latency;
    const spanCount = aggregate.spanCount;
    const seconds = Math.max(0.001, (q.endMs - q.startMs) / 1000);
    const bySeverity: Record<string, number> = {};
    SEVERITY_CLASSES.forEach((c, i) => (bySeverity[c] = aggregate.logCounts[i]!));
    const maxExemplars = q.maxExemplars ?? 10;
    const expand = (e: Exemplar): ExemplarView => this.exemplarView(e);
    return {
      window: { startMs: q.startMs, endMs: q.endMs, buckets },
      scope: { resources: resources.map((r) => ({ ...r })) },
      spans: { count: spanCount, errors: aggregate.errorSpanCount, errorRatio: spanCount > 0 ? aggregate.errorSpanCount / spanCount : undefined, ratePerSecond: spanCount / seconds },
      latencyMs: {
        count: latency.count,
        mean: latency.mean,
        min: latency.count ? latency.min : undefined,
        max: latency.count ? latency.max : undefined,
        p50: latency.quantile(0.5),
        p90: latency.quantile(0.9),
        p95: latency.quantile(0.95),
        p99: latency.quantile(0.99),
        relativeAccuracy: RELATIVE_ACCURACY,
      },
      // Drawn on first read (only the rank tests read it), from the buckets as they were at this query.
      get latencySamples() {
        return reservoir.values;
      },
      logs: { bySeverity, errors: (bySeverity.ERROR ?? 0) + (bySeverity.FATAL ?? 0) },
      deviceEvents: { byName: Object.fromEntries(aggregate.deviceEventCounts), samples: aggregate.deviceEvents.slice() },
      exemplars: {
        errors: aggregate.errorExemplars.slice(0, maxExemplars).map(expand),
        slow: aggregate.slowExemplars.slice(0, maxExemplars).map(expand),
      },
      chains: this.chains.chains({ startMs: q.startMs - this.chains.intervalMs, endMs: q.endMs, resourceIds: scope.resourceIds }).map((c) => this.chainView(c)),
      watermarkMs: this.evidence.watermarkMs,
    };
  }

  /** New data or upkeep: what query() remembered is stale, and dropped now (so it dies young). */
  private advance(): void {
    if (!this.cached) return;
    this.scopes.clear();
    this.traceViews.clear();
    this.exemplarViews.clear();
    this.resourceList = undefined;
    this.cached = false;
  }

  /** A selector's resources now, resolved once until the correlator next changes. */
  private resolve(selector: ScopeSelector): { readonly scope: ResolvedScope; readonly resources: Evidence['scope']['resources'] } {
    this.cached = true;
    const key = JSON.stringify(selector);
    const cached = this.scopes.get(key);
    if (cached) return cached;
    const scope = resolveScope(selector, this.registry, this.topology, this.candidatesFor(selector));
    const resources = [...scope.resourceIds].flatMap((id) => {
      const r = this.registry.byId(id);
      return r ? [{ id, key: r.key, kind: r.kind, viaTopology: scope.viaTopology.has(id) }] : [];
    });
    const entry = { scope, resources };
    if (this.scopes.size >= MAX_CACHED) this.scopes.clear();
    this.scopes.set(key, entry);
    return entry;
  }

  /**
   * The resources a selector can match, in registry order: with services named and no hosts or
   * devices, only services of those names can (see compileScope), found through a name index.
   */
  private candidatesFor(selector: ScopeSelector): Iterable<ResourceInfo> {
    if (this.resourceList === undefined) {
      this.resourceList = [...this.registry.all()];
      this.resourcesByName = new Map();
      this.resourceList.forEach((info, i) => {
        const name = info.kind === 'service' ? info.attributes['service.name'] : undefined;
        if (name === undefined) return;
        const at = this.resourcesByName.get(name);
        if (at) at.push(i);
        else this.resourcesByName.set(name, [i]);
      });
    }
    const list = this.resourceList;
    if (selector.services === undefined || selector.hosts !== undefined || selector.devices !== undefined) return list;
    const positions = new Set<number>();
    for (const ref of selector.services) {
      for (const i of this.resourcesByName.get(ref) ?? []) positions.add(i);
      const slash = ref.indexOf('/');
      if (slash > 0) for (const i of this.resourcesByName.get(ref.slice(slash + 1)) ?? []) positions.add(i);
    }
    return [...positions].sort((x, y) => x - y).map((i) => list[i]!);
  }

  /** An exemplar with its trace, remembered until the correlator next changes (buckets hand the same exemplar to every window over them). */
  private exemplarView(e: Exemplar): ExemplarView {
    let view = this.exemplarViews.get(e);
    if (view === undefined) {
      view = { ...e, trace: this.cachedTrace(e.traceIdHex) };
      if (this.exemplarViews.size >= 4 * MAX_CACHED) this.exemplarViews.clear();
      this.exemplarViews.set(e, view);
    }
    return view;
  }

  /** trace(), remembered until the correlator next changes: windows of one scope share most of their exemplars. */
  private cachedTrace(traceIdHex: string): TraceView | undefined {
    if (this.traceViews.has(traceIdHex)) return this.traceViews.get(traceIdHex);
    const view = this.trace(traceIdHex);
    if (this.traceViews.size >= MAX_CACHED) this.traceViews.clear();
    this.traceViews.set(traceIdHex, view);
    return view;
  }

  /** One trace's summary with its error logs, readable names instead of ids. */
  trace(traceIdHex: string): TraceView | undefined {
    const bytes = Buffer.from(traceIdHex, 'hex');
    if (bytes.length !== 16) return undefined;
    const t: TraceSummary | undefined = this.traces.getTrace(bytes);
    if (!t) return undefined;
    return {
      traceId: t.traceIdHex,
      services: t.serviceIds.map((id) => this.name(id) ?? String(id)),
      rootService: t.rootSpan ? this.name(t.rootSpan.serviceId) : undefined,
      rootSpanId: t.rootSpan?.spanIdHex ?? t.spans[0]?.spanIdHex,
      durationMs: t.durationMs,
      spanCount: t.spanCount,
      errorSpanCount: t.errorSpanCount,
      errorLogs: t.errorLogs.map((l) => ({ service: this.name(l.serviceId), timeMs: l.timeMs, severityNumber: l.severityNumber, body: l.body, spanId: l.spanIdHex })),
    };
  }

  private chainView(c: Chain): ChainView {
    return {
      id: c.id,
      device: this.name(c.event.resourceId),
      event: c.event,
      affectedServices: c.affectedServiceIds.map((id) => this.name(id) ?? String(id)),
      failingServices: [...c.failingServiceIds].map((id) => this.name(id) ?? String(id)),
      failureCount: c.failureCount,
      traceIds: c.failingTraceIds,
      errorLogs: c.errorLogs.map((l) => ({ service: this.name(l.serviceId), timeMs: l.timeMs, body: l.body, traceId: l.traceIdHex })),
      windowStartMs: c.windowStartMs,
      windowEndMs: c.windowEndMs,
    };
  }

  /** A resource's readable name: service.name (with version) or host name. */
  name(id: number): string | undefined {
    const r = this.registry.byId(id);
    if (!r) return undefined;
    const a = r.attributes;
    if (r.kind === 'service') return a['service.version'] ? `${a['service.name']}@${a['service.version']}` : a['service.name'];
    return a['host.name'] ?? r.key;
  }

  stats(): CorrelatorStats {
    const t = this.traces.size;
    const e = this.evidence.size;
    const c = this.chains.size;
    return {
      traces: t.traces,
      spans: t.spans,
      errorLogs: t.errorLogs,
      resources: this.registry.size,
      buckets: e.buckets,
      chains: c.chains,
      formedChains: c.formed,
      learnedEdges: this.topology.edgeCount,
      evicted: {
        traces: this.traces.evicted.traces,
        spans: this.traces.evicted.spans,
        error_logs: this.traces.evicted.errorLogs,
        resources: this.registry.evicted,
        buckets: this.evidence.bucketsShed + this.evidence.bucketsExpired,
        chains: this.chains.evicted,
        edges: this.topology.evicted,
      },
      lateDropped: this.evidence.lateDropped,
      bytes: this.traces.byteSize() + this.evidence.byteSize(),
    };
  }
}
