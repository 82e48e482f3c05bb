import { Counter } from 'prom-client';
import type { Registry } from 'prom-client';

export const DEVICE_EVENTS_METRIC = 'corrgate_device_events_total';

/**
 * The counter of recognised events, shared by every device_events processor on one registry:
 * each pipeline creates its own processor, and a second registration of the name would throw.
 */
export function deviceEventsCounter(registry: Registry): Counter<'processor' | 'event'> {
  const existing = registry.getSingleMetric(DEVICE_EVENTS_METRIC);
  if (existing) return existing as Counter<'processor' | 'event'>;
  return new Counter({
    name: DEVICE_EVENTS_METRIC,
    help: 'Log records a device_events rule recognised, by processor and event.name.',
    labelNames: ['processor', 'event'] as const,
    registers: [registry],
  });
}
