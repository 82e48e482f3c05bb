import * as grpc from '@grpc/grpc-js';
import { LOGS_EXPORT_PATH, TRACES_EXPORT_PATH } from '../../../src/exporters/otlp/grpc-transport.js';
import type { Batch } from '../../../src/model/batch.js';
import { decodeLogsRequest } from '../../../src/wire/otlp/protobuf-logs-decoder.js';
import { decodeTracesRequest } from '../../../src/wire/otlp/protobuf-traces-decoder.js';

export interface ReceivedCall {
  readonly path: string;
  readonly metadata: Record<string, unknown>;
  readonly batch: Batch;
}

/** What the sink answers one call with: a status error, or OK with a response body. */
export type GrpcAnswer =
  | { readonly code: grpc.status; readonly details: string; readonly metadata?: grpc.Metadata }
  | { readonly code: grpc.status.OK; readonly response: Uint8Array };

const identity = (b: Buffer): Buffer => b;

function exportMethod(path: string): grpc.ServiceDefinition {
  return {
    Export: {
      path,
      requestStream: false,
      responseStream: false,
      requestSerialize: identity,
      requestDeserialize: identity,
      responseSerialize: identity,
      responseDeserialize: identity,
      originalName: 'export',
    },
  };
}

/**
 * A real OTLP/gRPC peer: a grpc-js Server with generic byte-level Export methods that decodes what
 * arrives with corrgate's decoders and answers from a script (then OK with an empty response).
 */
export class GrpcSink {
  readonly calls: ReceivedCall[] = [];
  readonly script: GrpcAnswer[] = [];
  attempts = 0;
  endpoint = '';
  private held: (() => void)[] | undefined;
  private readonly server = new grpc.Server();

  async listen(credentials: grpc.ServerCredentials = grpc.ServerCredentials.createInsecure()): Promise<this> {
    for (const [path, decode] of [
      [TRACES_EXPORT_PATH, (b: Buffer) => decodeTracesRequest(b).batch],
      [LOGS_EXPORT_PATH, (b: Buffer) => decodeLogsRequest(b).batch],
    ] as const) {
      this.server.addService(exportMethod(path), {
        Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) =>
          void this.handle(path, decode, call, callback),
      });
    }
    const port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync('127.0.0.1:0', credentials, (err, p) => (err ? reject(err) : resolve(p))),
    );
    this.endpoint = `127.0.0.1:${port}`;
    return this;
  }

  hold(): void {
    this.held ??= [];
  }

  release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const go of held) go();
  }

  get heldCount(): number {
    return this.held?.length ?? 0;
  }

  close(): void {
    this.release();
    this.server.forceShutdown();
  }

  private async handle(
    path: string,
    decode: (b: Buffer) => Batch,
    call: grpc.ServerUnaryCall<Buffer, Buffer>,
    callback: grpc.sendUnaryData<Buffer>,
  ): Promise<void> {
    this.attempts++;
    if (this.held !== undefined) await new Promise<void>((resolve) => this.held!.push(resolve));
    const answer = this.script.shift() ?? { code: grpc.status.OK, response: new Uint8Array(0) };
    if (answer.code !== grpc.status.OK || !('response' in answer)) {
      const failure = answer as { code: grpc.status; details: string; metadata?: grpc.Metadata };
      callback({ code: failure.code, details: failure.details, metadata: failure.metadata ?? new grpc.Metadata() });
      return;
    }
    this.calls.push({ path, metadata: call.metadata.getMap(), batch: decode(call.request) });
    callback(null, Buffer.from(answer.response));
  }
}
