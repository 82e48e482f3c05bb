import { timingSafeEqual } from 'node:crypto';
import type { ControlAuthConfig } from './control-config.js';
import { ControlError } from './control-error.js';

// Two tokens, two levels: the read token lets dashboards, Nagios and Argo's read calls look; the
// write token opens and ends gates, and may also read. A level without a token is open: a corrgate
// on loopback behind a mesh may need none.

export type AccessLevel = 'read' | 'write';

/** What a caller proved: which token it presented, if any. */
export interface Caller {
  readonly presented: boolean;
  readonly level: AccessLevel | undefined;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  // Constant time for equal lengths, so a token cannot be learned byte by byte from response timing.
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The token in `Authorization: Bearer <token>` (HTTP header or gRPC metadata), if any. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1] : undefined;
}

export function callerOf(token: string | undefined, auth: ControlAuthConfig): Caller {
  if (token === undefined || token === '') return { presented: false, level: undefined };
  if (auth.write_token !== undefined && same(token, auth.write_token)) return { presented: true, level: 'write' };
  if (auth.read_token !== undefined && same(token, auth.read_token)) return { presented: true, level: 'read' };
  return { presented: true, level: undefined };
}

/** Throws unauthenticated (no or wrong token) or permission_denied (a read token asking to write). */
export function authorize(caller: Caller, needed: AccessLevel, auth: ControlAuthConfig): void {
  if (needed === 'read') {
    if (auth.read_token === undefined && auth.write_token === undefined) return;
    if (auth.read_token === undefined && !caller.presented) return;
    if (caller.level !== undefined) return;
  } else {
    if (auth.write_token === undefined) return;
    if (caller.level === 'write') return;
    if (caller.level === 'read') throw new ControlError('permission_denied', 'the read token cannot change gates; use the write token');
  }
  throw new ControlError('unauthenticated', caller.presented ? 'the bearer token is not valid here' : 'a bearer token is required (Authorization: Bearer <token>)');
}
