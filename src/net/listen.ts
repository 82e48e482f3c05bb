import type { Server as NetServer } from 'node:net';
import type { Endpoint } from '../config/endpoint.js';
import { formatEndpoint } from '../config/endpoint.js';

/** Listens and resolves with the bound address; a port in use or a bad address rejects with a message that names both. */
export function listen(server: NetServer, endpoint: Endpoint, what: string): Promise<Endpoint> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      const why = err.code === 'EADDRINUSE' ? 'the address is already in use' : err.code === 'EACCES' ? 'permission denied' : err.message;
      reject(new Error(`${what} cannot listen on ${formatEndpoint(endpoint)}: ${why}`, { cause: err }));
    };
    server.once('error', onError);
    server.listen(endpoint.port, endpoint.host, () => {
      server.off('error', onError);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? { host: addr.address, port: addr.port } : endpoint);
    });
  });
}

/**
 * Stops accepting connections and waits for open ones to finish, up to graceMs; then cuts them,
 * so a stuck client cannot hold shutdown forever.
 */
export function closeServer(
  server: NetServer & { closeIdleConnections?: () => void; closeAllConnections?: () => void },
  graceMs: number,
): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections?.(), graceMs);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections?.();
  });
}
