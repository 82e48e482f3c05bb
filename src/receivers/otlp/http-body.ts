import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import { gunzip, inflate } from 'node:zlib';

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`request body exceeds the limit of ${limit} bytes`);
  }
}

export class BadEncodingError extends Error {}

/**
 * Reads a request body up to `limit` bytes. A Content-Length over the limit is refused before a
 * byte is read; a body that grows past it while streaming stops being buffered at once.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = req.headers['content-length'] === undefined ? -1 : Number(req.headers['content-length']);
  if (declared > limit) return Promise.reject(new BodyTooLargeError(limit));
  return new Promise((resolve, reject) => {
    // One allocation when the length is known, which is what OTLP clients send.
    const exact = declared >= 0 ? Buffer.allocUnsafe(declared) : undefined;
    const chunks: Buffer[] = [];
    let received = 0;
    const onData = (chunk: Buffer) => {
      if (received + chunk.length > (exact ? declared : limit)) {
        req.off('data', onData);
        req.resume();
        reject(exact ? new BadEncodingError('request body is longer than its Content-Length') : new BodyTooLargeError(limit));
        return;
      }
      if (exact) chunk.copy(exact, received);
      else chunks.push(chunk);
      received += chunk.length;
    };
    req.on('data', onData);
    req.once('end', () => {
      if (exact) {
        if (received !== declared) reject(new BadEncodingError(`request body ended after ${received} of ${declared} bytes`));
        else resolve(exact);
      } else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received));
    });
    req.once('error', reject);
    req.once('close', () => {
      if (!req.complete) reject(new BadEncodingError('client closed the connection before the body ended'));
    });
  });
}

/** Decompresses per Content-Encoding; the output is capped at `limit` too, so a zip bomb gets 413. */
export async function decodeContentEncoding(body: Buffer, encoding: string, limit: number): Promise<Buffer> {
  const opts = { maxOutputLength: limit };
  try {
    if (encoding === 'gzip' || encoding === 'x-gzip') return await gunzipAsync(body, opts);
    if (encoding === 'deflate') return await inflateAsync(body, opts);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new BodyTooLargeError(limit);
    throw new BadEncodingError(`body is not valid ${encoding}: ${(err as Error).message}`);
  }
  return body;
}

export const SUPPORTED_CONTENT_ENCODINGS = new Set(['', 'identity', 'gzip', 'x-gzip', 'deflate']);
