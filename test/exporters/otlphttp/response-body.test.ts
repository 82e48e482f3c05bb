import { describe, expect, it } from 'vitest';
import { readErrorMessage, readPartialSuccess } from '../../../src/exporters/otlphttp/response-body.js';
import { encodeRpcStatus } from '../../../src/wire/grpc/rpc-status.js';
import { encodeRpcStatusJson, encodeTracesResponseJson } from '../../../src/wire/otlp/json-responses.js';
import { encodeLogsResponse } from '../../../src/wire/otlp/protobuf-responses.js';

describe('readPartialSuccess', () => {
  it('reads the answer in the encoding its content-type names', () => {
    const proto = Buffer.from(encodeLogsResponse({ rejected: 4, errorMessage: 'too old' }));
    expect(readPartialSuccess('logs', 'application/x-protobuf', proto)).toEqual({ rejected: 4, errorMessage: 'too old' });
    const json = Buffer.from(encodeTracesResponseJson({ rejected: 1, errorMessage: 'no name' }));
    expect(readPartialSuccess('traces', 'application/json; charset=utf-8', json)).toEqual({ rejected: 1, errorMessage: 'no name' });
  });

  it('treats an empty, unknown or unreadable 2xx body as full success', () => {
    const full = { rejected: 0, errorMessage: '' };
    expect(readPartialSuccess('traces', 'application/x-protobuf', Buffer.alloc(0))).toEqual(full);
    expect(readPartialSuccess('traces', 'text/plain', Buffer.from('ok'))).toEqual(full);
    expect(readPartialSuccess('traces', 'application/json', Buffer.from('{not json'))).toEqual(full);
  });
});

describe('readErrorMessage', () => {
  it('takes the message of a google.rpc.Status in protobuf or JSON', () => {
    expect(readErrorMessage('application/x-protobuf', Buffer.from(encodeRpcStatus({ code: 3, message: 'bad id' })))).toBe('bad id');
    expect(readErrorMessage('application/json', Buffer.from(encodeRpcStatusJson(8, 'slow down')))).toBe('slow down');
  });

  it('falls back to the text, clipped', () => {
    expect(readErrorMessage('text/html', Buffer.from(' <h1>Bad Gateway</h1> '))).toBe('<h1>Bad Gateway</h1>');
    expect(readErrorMessage(undefined, Buffer.from('x'.repeat(2_000))).length).toBeLessThan(600);
  });
});
