import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { attributesToPlain } from '../../../src/model/attributes.js';
import type { LogRecord } from '../../../src/model/log-record.js';
import { syslogReceiverFactory } from '../../../src/receivers/syslog/factory.js';
import { freePort } from '../../helpers/net.js';
import { startService } from '../../helpers/service-harness.js';
import type { Harness } from '../../helpers/service-harness.js';

const run = promisify(execFile);

/** One record as it reached the capture exporter, with resource and attributes as plain objects. */
export interface Received {
  readonly resource: Record<string, unknown>;
  readonly attributes: Record<string, unknown>;
  readonly body: unknown;
  readonly record: LogRecord;
}

export function received(h: Harness): Received[] {
  return h.capture.logs.flatMap((b) =>
    b.resourceLogs.flatMap((rl) =>
      rl.scopeLogs.flatMap((sl) =>
        sl.logRecords.map((record) => ({
          resource: attributesToPlain(rl.resource.attributes),
          attributes: attributesToPlain(record.attributes),
          body: record.body.type === 'string' ? record.body.value : record.body.type,
          record,
        })),
      ),
    ),
  );
}

export const bodies = (h: Harness): unknown[] => received(h).map((r) => r.body);

export interface SyslogService extends Harness {
  readonly udpPort: number;
  readonly tcpPort: number;
}

/**
 * A corrgate with one `syslog` receiver feeding `capture`. `receiver` is the YAML under
 * `receivers.syslog` and may use UDP_PORT and TCP_PORT; `pipeline` is extra YAML for the pipeline.
 */
export async function startSyslogService(receiver: string, pipeline = ''): Promise<SyslogService> {
  const [udpPort, tcpPort] = [await freePort(), await freePort()];
  const indented = receiver
    .trim()
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
  const yaml = `
receivers:
  syslog:
${indented}
exporters:
  capture:
service:
  pipelines:
    logs:
      receivers: [syslog]
      exporters: [capture]
${pipeline}
  telemetry:
    metrics:
      address: 127.0.0.1:METRICS_PORT
`
    .replaceAll('UDP_PORT', String(udpPort))
    .replaceAll('TCP_PORT', String(tcpPort));
  const h = await startService(yaml, [syslogReceiverFactory]);
  return Object.assign(h, { udpPort, tcpPort });
}

/** Runs util-linux logger (its local time in UTC, whatever the machine's zone); it exits once its message is sent. */
export async function logger(args: readonly string[]): Promise<void> {
  await run('logger', [...args], { timeout: 10_000, env: { ...process.env, TZ: 'UTC' } });
}
