import { SeverityNumber } from '../../model/log-record.js';

// Syslog severities (RFC 5424 section 6.2.1) in OpenTelemetry's terms, as the log data model's
// syslog appendix maps them. SeverityText is the severity as the source names it: the keywords
// syslog.conf, logger(1), journalctl and the OpenTelemetry Collector's syslog parser use.

/** Syslog keyword per severity 0-7. */
export const SYSLOG_SEVERITY_NAMES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;

const OTEL_NUMBERS: readonly SeverityNumber[] = [
  SeverityNumber.Fatal, // 0 emerg
  SeverityNumber.Error3, // 1 alert
  SeverityNumber.Error2, // 2 crit
  SeverityNumber.Error, // 3 err
  SeverityNumber.Warn, // 4 warning
  SeverityNumber.Info2, // 5 notice
  SeverityNumber.Info, // 6 info
  SeverityNumber.Debug, // 7 debug
];

export interface OtelSeverity {
  readonly number: SeverityNumber;
  readonly text: string;
}

const MAPPED: readonly OtelSeverity[] = OTEL_NUMBERS.map((number, i) => Object.freeze({ number, text: SYSLOG_SEVERITY_NAMES[i]! }));
const UNSPECIFIED: OtelSeverity = Object.freeze({ number: SeverityNumber.Unspecified, text: '' });

/** SeverityNumber and SeverityText for a syslog severity; Unspecified and "" outside 0-7. */
export function syslogSeverityToOtel(severity: number): OtelSeverity {
  return Number.isInteger(severity) && severity >= 0 && severity <= 7 ? MAPPED[severity]! : UNSPECIFIED;
}

// Severity names vendors write in their own fields (FortiOS `level=`, Cisco and Arista manuals,
// RFC 5424's table), to a syslog severity.
const NAMED_SEVERITIES: ReadonlyMap<string, number> = new Map([
  ['emerg', 0],
  ['emergency', 0],
  ['emergencies', 0],
  ['panic', 0],
  ['alert', 1],
  ['alerts', 1],
  ['crit', 2],
  ['critical', 2],
  ['err', 3],
  ['error', 3],
  ['errors', 3],
  ['warning', 4],
  ['warnings', 4],
  ['warn', 4],
  ['notice', 5],
  ['notification', 5],
  ['notifications', 5],
  ['info', 6],
  ['information', 6],
  ['informational', 6],
  ['debug', 7],
  ['debugging', 7],
]);

/** The syslog severity a vendor's level name stands for ("information" -> 6), or undefined. */
export function severityFromName(name: string): number | undefined {
  return NAMED_SEVERITIES.get(name.toLowerCase());
}
