import { expect } from 'vitest';
import type { SyslogMessage } from '../../../src/wire/syslog/syslog-message.js';

/** The parts a vendor test pins down, field by field; `undefined` is asserted as absent. */
export interface Expected {
  readonly format: SyslogMessage['format'];
  readonly timestamp: string | undefined; // ISO instant, ms precision
  readonly hostname: string | undefined;
  readonly appName?: string | undefined;
  readonly procId?: string | undefined;
  readonly vendor: string | undefined;
  readonly mnemonic: string | undefined;
  readonly severity: number | undefined;
  readonly message: string;
  readonly fields?: readonly (readonly [string, string])[];
}

export function expectMessage(m: SyslogMessage, e: Expected): void {
  expect(m.parseError).toBeUndefined();
  expect(m.format).toBe(e.format);
  expect(m.timestamp).toBe(e.timestamp === undefined ? undefined : BigInt(Date.parse(e.timestamp)) * 1_000_000n);
  expect(m.hostname).toBe(e.hostname);
  expect(m.appName).toBe(e.appName);
  expect(m.procId).toBe(e.procId);
  expect(m.vendor).toBe(e.vendor);
  expect(m.mnemonic).toBe(e.mnemonic);
  expect(m.severity).toBe(e.severity);
  expect(m.message).toBe(e.message);
  if (e.fields !== undefined) expect(m.fields).toEqual(e.fields);
}
