import { str } from '../../src/model/attributes.js';
import { traceBatch } from '../../src/model/batch.js';
import type { TraceBatch } from '../../src/model/batch.js';
import { EMPTY_SCOPE } from '../../src/model/resource.js';
import { SpanKind, StatusCode } from '../../src/model/span.js';
import type { Span } from '../../src/model/span.js';

let counter = 1;

/** A span with distinct IDs and the attributes a service would set; for tests that build batches by hand. */
export function makeSpan(overrides: Partial<Span> = {}): Span {
  const n = counter++;
  const traceId = new Uint8Array(16);
  new DataView(traceId.buffer).setUint32(12, n);
  traceId[0] = 0xab;
  const spanId = new Uint8Array(8);
  new DataView(spanId.buffer).setUint32(4, n);
  spanId[0] = 0xcd;
  return {
    traceId,
    spanId,
    traceState: '',
    parentSpanId: new Uint8Array(0),
    flags: 1,
    name: `GET /items/${n}`,
    kind: SpanKind.Server,
    startTimeUnixNano: 1_700_000_000_000_000_000n + BigInt(n) * 1000n,
    endTimeUnixNano: 1_700_000_000_005_000_000n + BigInt(n) * 1000n,
    attributes: [{ key: 'http.request.method', value: str('GET') }],
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: { code: StatusCode.Unset, message: '' },
    ...overrides,
  };
}

export function makeTraceBatch(spanCount: number, serviceName = 'checkout'): TraceBatch {
  return traceBatch([
    {
      resource: { attributes: [{ key: 'service.name', value: str(serviceName) }], droppedAttributesCount: 0 },
      schemaUrl: '',
      scopeSpans: [{ scope: EMPTY_SCOPE, schemaUrl: '', spans: Array.from({ length: spanCount }, () => makeSpan()) }],
    },
  ]);
}
