import { Counter } from 'prom-client';
import type { Registry } from 'prom-client';

// One counter for every control call, by transport, operation and outcome, so a dashboard shows
// refused tokens and bad specs next to the decisions (a restart in one process shares the registry).

export interface ControlMetrics {
  readonly requests: Counter<'api' | 'operation' | 'code'>;
}

const perRegistry = new WeakMap<Registry, ControlMetrics>();

export function controlMetrics(registry: Registry): ControlMetrics {
  const known = perRegistry.get(registry);
  if (known) return known;
  const metrics: ControlMetrics = {
    requests: new Counter({
      name: 'corrgate_control_requests_total',
      help: 'Control API calls, by api (http, grpc), operation (open, list, get, evaluations, evaluate, close, abort, decisions, argo, flagger, ...) and code (ok, or the error: invalid_argument, unauthenticated, permission_denied, not_found, ...).',
      labelNames: ['api', 'operation', 'code'] as const,
      registers: [registry],
    }),
  };
  perRegistry.set(registry, metrics);
  return metrics;
}
