import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { Endpoint } from '../config/endpoint.js';
import { closeServer, listen } from '../net/listen.js';
import type { SelfMetrics } from './self-metrics.js';

/**
 * Prometheus text at /metrics, liveness at /healthz (the process answers), readiness at /readyz
 * (every component started and the service is not shutting down), on service.telemetry.metrics.address.
 */
export class TelemetryServer {
  private server: Server | undefined;
  address: Endpoint | undefined;

  constructor(
    private readonly endpoint: Endpoint,
    private readonly metrics: SelfMetrics,
    private readonly isReady: () => boolean,
  ) {}

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      if (path === '/metrics') {
        this.metrics.registry.metrics().then(
          (text) => res.writeHead(200, { 'content-type': this.metrics.registry.contentType }).end(text),
          (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics collection failed: ${err.message}\n`),
        );
      } else if (path === '/healthz') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      } else if (path === '/readyz') {
        const ready = this.isReady();
        res.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' }).end(ready ? 'ready\n' : 'not ready\n');
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics, /healthz or /readyz\n');
      }
    });
    this.address = await listen(server, this.endpoint, 'the telemetry server (service.telemetry.metrics.address)');
    this.server = server;
  }

  async shutdown(): Promise<void> {
    if (this.server) await closeServer(this.server, 1000);
    this.server = undefined;
  }
}
