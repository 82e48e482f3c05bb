import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';

/** corrgate's own log: JSON lines on stdout (or a given stream), one per event, never one per record. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, base: { service: 'corrgate' }, timestamp: pino.stdTimeFunctions.isoTime };
  return destination ? pino(options, destination) : pino(options);
}
