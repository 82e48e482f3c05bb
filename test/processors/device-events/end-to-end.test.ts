import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attributesToPlain } from '../../../src/model/attributes.js';
import type { LogRecord } from '../../../src/model/log-record.js';
import { deviceEventsProcessorFactory } from '../../../src/processors/device-events/factory.js';
import { startService } from '../../helpers/service-harness.js';
import type { Harness } from '../../helpers/service-harness.js';

// A logs pipeline otlp -> device_events -> capture, fed over OTLP/HTTP JSON with the attributes
// the syslog and snmptrap receivers set, as a collector forwarding device logs would send them.

const CONFIG = `
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:HTTP_PORT
processors:
  device_events:
exporters:
  capture:
service:
  pipelines:
    logs:
      receivers: [otlp]
      processors: [device_events]
      exporters: [capture]
  telemetry:
    metrics:
      address: 127.0.0.1:METRICS_PORT
`;

const s = (stringValue: string) => ({ stringValue });
const kv = (key: string, value: object) => ({ key, value });

const request = {
  resourceLogs: [
    {
      resource: { attributes: [kv('host.name', s('core-sw1')), kv('service.name', s('bgp'))] },
      scopeLogs: [
        {
          scope: { name: 'corrgate.syslog' },
          logRecords: [
            {
              timeUnixNano: '1700000000000000000',
              severityNumber: 10,
              severityText: 'notice',
              body: s('neighbor 192.0.2.2 Down BGP Notification sent'),
              attributes: [kv('syslog.format', s('cisco')), kv('syslog.vendor', s('cisco')), kv('syslog.mnemonic', s('BGP-5-ADJCHANGE'))],
            },
            {
              timeUnixNano: '1700000000000000001',
              severityNumber: 10,
              body: s('Logging to host 192.0.2.50 port 514 started - CLI initiated'),
              attributes: [kv('syslog.format', s('cisco')), kv('syslog.vendor', s('cisco')), kv('syslog.mnemonic', s('SYS-6-LOGGINGHOST_STARTSTOP'))],
            },
          ],
        },
      ],
    },
    {
      resource: { attributes: [kv('host.name', s('mx1'))] },
      scopeLogs: [
        {
          scope: { name: 'corrgate.snmptrap' },
          logRecords: [
            {
              timeUnixNano: '1700000000000000002',
              severityNumber: 13,
              body: s('linkDown from mx1: ifIndex=526 ifAdminStatus=up(1) ifOperStatus=down(2) ifName=ge-0/0/0'),
              attributes: [
                kv('snmp.trap.oid', s('1.3.6.1.6.3.1.1.5.3')),
                kv('snmp.trap.name', s('linkDown')),
                kv('snmp.varbind.ifIndex', { intValue: '526' }),
                kv('snmp.varbind.ifName', s('ge-0/0/0')),
                kv('network.peer.address', s('192.0.2.10')),
              ],
            },
          ],
        },
      ],
    },
  ],
};

describe('device_events in a running pipeline', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startService(CONFIG, [deviceEventsProcessorFactory]);
  });
  afterAll(() => h?.service.shutdown());

  it('sets event.name and the extracted attributes on device logs sent over OTLP/HTTP JSON', async () => {
    const res = await fetch(`http://127.0.0.1:${h.httpPort}/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
    expect(res.status).toBe(200);
    await expect.poll(() => h.capture.logCount()).toBe(3);

    const records: LogRecord[] = h.capture.logs.flatMap((b) => b.resourceLogs.flatMap((rl) => rl.scopeLogs.flatMap((sl) => sl.logRecords)));
    const [bgp, other, link] = records.map((r) => attributesToPlain(r.attributes));
    expect(bgp).toEqual({
      'syslog.format': 'cisco',
      'syslog.vendor': 'cisco',
      'syslog.mnemonic': 'BGP-5-ADJCHANGE',
      'event.name': 'network.bgp.session.down',
      'device.event.rule': 'cisco-bgp-down',
      'device.event.vendor': 'cisco',
      'network.bgp.neighbor.address': '192.0.2.2',
    });
    expect(records[0]!.eventName).toBe('network.bgp.session.down');
    expect(other).not.toHaveProperty('event.name');
    expect(records[1]!.eventName).toBe('');
    expect(link).toMatchObject({ 'event.name': 'network.interface.down', 'device.event.rule': 'snmp-link-down', 'network.interface.name': 'ge-0/0/0', 'network.interface.index': 526 });
    expect(await h.metric('corrgate_device_events_total', { processor: 'logs/device_events', event: 'network.bgp.session.down' })).toBe(1);
    expect(await h.metric('corrgate_device_events_total', { event: 'network.interface.down' })).toBe(1);
  });
});
