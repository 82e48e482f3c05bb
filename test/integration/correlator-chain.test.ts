import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Span as ApiSpan } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChainView, Evidence, TraceView } from '../../src/correlator/correlator.js';
import { freePort, waitFor } from '../helpers/net.js';
import { startService } from '../helpers/service-harness.js';
import type { Harness } from '../helpers/service-harness.js';

// End to end with real clients: an OpenTelemetry-SDK-instrumented service sends spans and logs in
// the same traces over OTLP/HTTP; util-linux `logger` sends a Cisco link-down from the switch the
// topology puts in front of that service; a second switch (a raw datagram from 127.0.0.2) reports
// a link-down too, but nothing behind it fails. The correlator must find exactly one chain.

let h: Harness;
let syslogPort: number;
let evidencePort: number;

beforeAll(async () => {
  syslogPort = await freePort();
  evidencePort = await freePort();
  h = await startService(`
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:HTTP_PORT
  syslog:
    udp:
      listen_address: 127.0.0.1:${syslogPort}
processors:
  device_events:
  correlator:
    bucket_width: 1s
    chain_interval: 1m
    http:
      endpoint: 127.0.0.1:${evidencePort}
    topology:
      devices:
        - name: edge-sw-1
          addresses: [127.0.0.1]
          interfaces:
            - name: GigabitEthernet0/1
              services: [checkout]
        - name: core-sw-9
          addresses: [127.0.0.2]
          services: [inventory]
exporters:
  capture:
service:
  pipelines:
    traces:
      receivers: [otlp]
      processors: [correlator]
      exporters: [capture]
    logs:
      receivers: [otlp, syslog]
      processors: [device_events, correlator]
      exporters: [capture]
  telemetry:
    metrics:
      address: 127.0.0.1:METRICS_PORT
`);
});

afterAll(async () => {
  await h?.service.shutdown();
});

async function evidence(params: string): Promise<Evidence> {
  const res = await fetch(`http://127.0.0.1:${evidencePort}/v1/evidence?${params}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Evidence;
}

/** The instrumented service: each request is a server span with a log record in the same trace. */
function checkoutService() {
  const resource = resourceFromAttributes({ 'service.name': 'checkout', 'service.version': '2.1.0', 'host.name': 'node-7' });
  const tracerProvider = new BasicTracerProvider({
    resource,
    spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `http://127.0.0.1:${h.httpPort}/v1/traces` }))],
  });
  const loggerProvider = new LoggerProvider({
    resource,
    processors: [new SimpleLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `http://127.0.0.1:${h.httpPort}/v1/logs` }) })],
  });
  const tracer = tracerProvider.getTracer('checkout-http');
  const logger = loggerProvider.getLogger('checkout-app');
  return {
    /** One request; `logFirst` sends the log record before its span, to test both arrival orders. */
    async request(fail: boolean, logFirst: boolean): Promise<string> {
      const span: ApiSpan = tracer.startSpan('POST /checkout', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'POST' } });
      const emitLog = () =>
        logger.emit({
          severityNumber: fail ? SeverityNumber.ERROR : SeverityNumber.INFO,
          severityText: fail ? 'ERROR' : 'INFO',
          body: fail ? 'payment backend unreachable: connect ETIMEDOUT' : 'order placed',
          context: trace.setSpan(ROOT_CONTEXT, span),
        });
      const endSpan = () => {
        span.setAttribute('http.response.status_code', fail ? 503 : 200);
        if (fail) span.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream unavailable' });
        span.end();
      };
      if (logFirst) {
        emitLog();
        await loggerProvider.forceFlush();
        endSpan();
        await tracerProvider.forceFlush();
      } else {
        endSpan();
        await tracerProvider.forceFlush();
        emitLog();
        await loggerProvider.forceFlush();
      }
      return span.spanContext().traceId;
    },
    async close() {
      await tracerProvider.shutdown();
      await loggerProvider.shutdown();
    },
  };
}

/** The clock as IOS prints it with `service timestamps log datetime msec show-timezone`: "Nov 25 05:55:00.123 UTC". */
function ciscoClock(d: Date): string {
  const month = d.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${month} ${String(d.getUTCDate()).padStart(2, ' ')} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)} UTC`;
}

function sendRawSyslog(from: string, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.bind(0, from, () => {
      socket.send(line, syslogPort, '127.0.0.1', (err) => {
        socket.close();
        if (err) reject(err);
        else resolve();
      });
    });
  });
}

describe('correlator, end to end', () => {
  it('joins logs to their traces in either arrival order, and chains a link-down to the failures behind it', async () => {
    const checkout = checkoutService();
    const okTraces: string[] = [];
    for (let i = 0; i < 10; i++) okTraces.push(await checkout.request(false, i % 2 === 0));

    // The switch in front of checkout reports its uplink down (the message as Cisco IOS words it);
    // the unrelated switch reports one of its ports down too.
    // IOS's own header after the BSD one: sequence number (logger's tag), clock, mnemonic.
    execFileSync('logger', ['-n', '127.0.0.1', '-P', String(syslogPort), '-d', '--rfc3164', '-p', 'local7.err', '-t', '41',
      `*${ciscoClock(new Date())}: %LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to down`]);
    await sendRawSyslog('127.0.0.2', `<187>97: core-sw-9: *${ciscoClock(new Date())}: %LINK-3-UPDOWN: Interface GigabitEthernet1/0/7, changed state to down`);

    await waitFor('both device events to be correlated', async () => {
      const e = await evidence('device=edge-sw-1&device=core-sw-9&from=now-10m&to=now%2B1m');
      return (e.deviceEvents.byName['network.interface.down'] ?? 0) >= 2;
    });

    const failedTraces: string[] = [];
    for (let i = 0; i < 5; i++) failedTraces.push(await checkout.request(true, i % 2 === 1));
    await checkout.close();

    let chains: readonly ChainView[] = [];
    await waitFor('a chain with every failing trace', async () => {
      chains = (await evidence('service=checkout&include_dependencies=true&from=now-10m&to=now%2B1m')).chains;
      return chains.length > 0 && chains[0]!.traceIds.length === failedTraces.length;
    });
    expect(chains).toHaveLength(1);
    const chain = chains[0]!;
    expect(chain.device).toBe('edge-sw-1');
    expect(chain.event.eventName).toBe('network.interface.down');
    expect(chain.event.interfaceName).toBe('GigabitEthernet0/1');
    expect(chain.affectedServices).toEqual(['checkout@2.1.0']);
    expect(chain.failingServices).toEqual(['checkout@2.1.0']);
    expect([...chain.traceIds].sort()).toEqual([...failedTraces].sort());
    expect(chain.errorLogs.map((l) => l.body)).toContain('payment backend unreachable: connect ETIMEDOUT');

    // The unrelated switch's event is evidence for its own scope but forms no chain.
    const core = await evidence('device=core-sw-9&from=now-10m&to=now%2B1m');
    expect(core.deviceEvents.byName['network.interface.down']).toBe(1);
    expect(core.chains).toEqual([]);

    // Window aggregates for the service, with error exemplars expanded into their traces.
    const e = await evidence('service=checkout&version=2.1.0&from=now-10m&to=now%2B1m');
    expect(e.spans.count).toBe(15);
    expect(e.spans.errors).toBe(5);
    expect(e.logs.bySeverity.ERROR).toBe(5);
    expect(e.logs.bySeverity.INFO).toBe(10);
    expect(e.exemplars.errors.map((x) => x.traceIdHex).every((id) => failedTraces.includes(id))).toBe(true);

    // Logs joined to their traces, whichever came first.
    for (const id of failedTraces) {
      const res = await fetch(`http://127.0.0.1:${evidencePort}/v1/traces/${id}`);
      expect(res.status).toBe(200);
      const t = (await res.json()) as TraceView;
      expect(t.spanCount).toBe(1);
      expect(t.errorSpanCount).toBe(1);
      expect(t.services).toEqual(['checkout@2.1.0']);
      expect(t.errorLogs).toHaveLength(1);
      expect(t.errorLogs[0]!.body).toBe('payment backend unreachable: connect ETIMEDOUT');
    }
  });

  it('rejects a malformed evidence query with 400 naming the parameter', async () => {
    const res = await fetch(`http://127.0.0.1:${evidencePort}/v1/evidence?from=yesterday`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toContain('from:');
    expect((await fetch(`http://127.0.0.1:${evidencePort}/v1/evidence?servce=x`)).status).toBe(400);
  });
});
