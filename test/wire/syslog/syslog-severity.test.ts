import { describe, expect, it } from 'vitest';
import { SeverityNumber } from '../../../src/model/log-record.js';
import { severityFromName, syslogSeverityToOtel } from '../../../src/wire/syslog/syslog-severity.js';

describe('syslog severity', () => {
  it('maps 0-7 as the OpenTelemetry log data model appendix does, with the syslog keyword as text', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7].map(syslogSeverityToOtel)).toEqual([
      { number: SeverityNumber.Fatal, text: 'emerg' },
      { number: SeverityNumber.Error3, text: 'alert' },
      { number: SeverityNumber.Error2, text: 'crit' },
      { number: SeverityNumber.Error, text: 'err' },
      { number: SeverityNumber.Warn, text: 'warning' },
      { number: SeverityNumber.Info2, text: 'notice' },
      { number: SeverityNumber.Info, text: 'info' },
      { number: SeverityNumber.Debug, text: 'debug' },
    ]);
    expect([21, 19, 18, 17, 13, 10, 9, 5]).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((s) => syslogSeverityToOtel(s).number));
  });

  it('leaves anything else unspecified', () => {
    for (const s of [-1, 8, 2.5, Number.NaN]) expect(syslogSeverityToOtel(s)).toEqual({ number: SeverityNumber.Unspecified, text: '' });
  });

  it('reads vendor level names', () => {
    expect(['emergency', 'alert', 'critical', 'error', 'warning', 'notification', 'information', 'debug'].map(severityFromName)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(severityFromName('Informational')).toBe(6);
    expect(severityFromName('notice')).toBe(5);
    expect(severityFromName('loud')).toBeUndefined();
  });
});
