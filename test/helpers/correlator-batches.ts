import { str } from '../../src/model/attributes.js';
import { traceBatch } from '../../src/model/batch.js';
import type { TraceBatch } from '../../src/model/batch.js';
import { EMPTY_SCOPE } from '../../src/model/resource.js';
import { SpanKind, StatusCode } from '../../src/model/span.js';
import type { Span } from '../../src/model/span.js';
import { makeSpan } from './batches.js';

// Batches for correlator tests: a resource from plain attributes, spans under it, one server request.

export const ms = (t: number) => BigInt(t) * 1_000_000n;

export const resource = (attrs: Record<string, string>) => ({ attributes: Object.entries(attrs).map(([key, v]) => ({ key, value: str(v) })), droppedAttributesCount: 0 });

export function spans(attrs: Record<string, string>, list: Span[]): TraceBatch {
  return traceBatch([{ resource: resource(attrs), schemaUrl: '', scopeSpans: [{ scope: EMPTY_SCOPE, schemaUrl: '', spans: list }] }]);
}

/** A server span starting at `startMs` that took `durationMs`, failed when `error`. */
export function request(startMs: number, durationMs: number, error: boolean, overrides: Partial<Span> = {}): Span {
  return makeSpan({
    kind: SpanKind.Server,
    startTimeUnixNano: ms(startMs),
    endTimeUnixNano: ms(startMs) + BigInt(Math.round(durationMs * 1e6)),
    status: { code: error ? StatusCode.Error : StatusCode.Unset, message: '' },
    ...overrides,
  });
}
