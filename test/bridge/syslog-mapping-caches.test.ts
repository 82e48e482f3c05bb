import { describe, expect, it } from 'vitest';
import { attributesToPlain } from '../../src/model/attributes.js';
import { syslogToLogRecord } from '../../src/bridge/syslog-mapping.js';
import { parseSyslog } from '../../src/wire/syslog/parse-syslog.js';
import { newSyslogMessage } from '../../src/wire/syslog/syslog-message.js';
import type { SyslogParseOptions } from '../../src/wire/syslog/syslog-message.js';

// The mapping shares what it makes for parts the parser shares (a cached origin, cached structured
// data): the same resource array per origin, the same attributes per structured data. These tests
// check that a shared part maps exactly as a fresh one does, and that no message gets another's.

const options: SyslogParseOptions = { protocol: 'auto', receivedAtMs: Date.UTC(2024, 2, 5, 12, 0, 0), timeZone: 'UTC' };
const ctx = { observedTimeUnixNano: 1n, transport: 'tcp' as const };

describe('syslogToLogRecord with the parser caches', () => {
  it('maps a cached origin to the resource of its own names, the same array every time', () => {
    const resources = new Map<string, unknown>();
    for (let round = 0; round < 4; round++) {
      for (const host of ['h1', 'h2', '-']) {
        for (const app of ['a1', 'a2', '-']) {
          const msg = parseSyslog(`<13>1 - ${host} ${app} - - - x`, options);
          const { resource } = syslogToLogRecord(msg, ctx);
          const plain: Record<string, string> = {};
          if (host !== '-') plain['host.name'] = host;
          if (app !== '-') plain['service.name'] = app;
          expect(attributesToPlain(resource)).toEqual(plain);
          const key = `${host} ${app}`;
          if (round === 2) resources.set(key, resource);
          if (round === 3) expect(resource).toBe(resources.get(key));
        }
      }
    }
  });

  it('gives a message with a cached origin the same resource array as one without', () => {
    for (let i = 0; i < 3; i++) parseSyslog('<13>1 - dev-9 app-9 - - - x', options);
    const cached = parseSyslog('<13>1 - dev-9 app-9 - - - x', options);
    expect(cached.origin).toBeDefined();
    const plain = { ...newSyslogMessage('x'), hostname: 'dev-9', appName: 'app-9' };
    expect(syslogToLogRecord(cached, ctx).resource).toBe(syslogToLogRecord(plain, ctx).resource);
  });

  it('maps shared structured data as it maps the same data parsed afresh', () => {
    const sd = '[exampleSDID@32473 iut="3" eventSource="Application"][meta][x@1 a="1" a="2"]';
    const fresh = parseSyslog(`<13>1 - h a 1 ID ${sd} first`, options);
    const records = [1, 2, 3, 4].map((i) => syslogToLogRecord(parseSyslog(`<13>1 - h a ${i} ID ${sd} m`, options), ctx).record);
    const want = {
      'syslog.format': 'rfc5424',
      'syslog.facility': 1,
      'syslog.version': 1,
      'syslog.msgid': 'ID',
      'syslog.sd.exampleSDID@32473.iut': '3',
      'syslog.sd.exampleSDID@32473.eventSource': 'Application',
      'syslog.sd.meta': true,
      'syslog.sd.x@1.a': ['1', '2'],
      'network.transport': 'tcp',
    };
    expect(attributesToPlain(syslogToLogRecord(fresh, ctx).record.attributes)).toEqual({ ...want, 'syslog.procid': '1' });
    records.forEach((r, i) => expect(attributesToPlain(r.attributes)).toEqual({ ...want, 'syslog.procid': String(i + 1) }));
    // Each record has its own attributes array; the structured-data entries in it are shared.
    expect(records[2]!.attributes).not.toBe(records[3]!.attributes);
    const sdEntries = (i: number) => records[i]!.attributes.filter((kv) => kv.key.startsWith('syslog.sd.'));
    expect(sdEntries(3)).toHaveLength(4);
    sdEntries(3).forEach((kv, k) => expect(kv).toBe(sdEntries(2)[k]));
  });

  it('does not give one structured data the attributes of another', () => {
    for (let i = 0; i < 30; i++) {
      const v = i % 3;
      const { record } = syslogToLogRecord(parseSyslog(`<13>1 - h a - - [meta seq="${v}"][o@2 k="${v}"] m`, options), ctx);
      expect(attributesToPlain(record.attributes)).toMatchObject({ 'syslog.sd.meta.seq': String(v), 'syslog.sd.o@2.k': String(v) });
    }
  });
});
