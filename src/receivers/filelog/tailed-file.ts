import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';

const CHUNK_BYTES = 64 * 1024;
const LF = 0x0a;
const CR = 0x0d;

/** What a file is, beyond its name: device and inode, and its first bytes (the fingerprint). */
export interface FileIdentity {
  readonly dev: bigint;
  readonly ino: bigint;
  readonly fingerprint: Buffer;
}

/** True when one fingerprint is the start of the other: the same file, seen at two sizes. */
export function sameStart(a: Buffer, b: Buffer): boolean {
  const n = Math.min(a.length, b.length);
  return a.subarray(0, n).equals(b.subarray(0, n));
}

export interface LineSink {
  /** Takes one line; `truncated` when it was cut at max_line_size. False: stop reading (the receiver is closing). */
  line(bytes: Buffer, truncated: boolean): boolean;
  /** Called after each chunk with the number of lines taken and the offset they end at. */
  progress(lines: number, offset: number): void;
  /** True while reading should pause (the pipeline is behind). */
  readonly paused: boolean;
}

/**
 * One file being tailed, held open so that it can be read to its end after it was renamed or
 * deleted by a rotation. `offset` is where the next unread line starts; bytes past it that do not
 * end in a line feed yet wait in `partial` until the line is completed or force-flushed.
 */
export class TailedFile {
  /** Bumped when the file is truncated, so that positions from before do not land on the new content. */
  generation = 0;
  /** The offset whose lines the pipeline has taken, the one saved. */
  acceptedOffset: number;
  offset: number;
  private readPos: number;
  private partial: Buffer[] = [];
  private partialBytes = 0;
  private truncatedLine = false;
  private partialSinceMs = 0;
  private readonly buffer = Buffer.allocUnsafe(CHUNK_BYTES);

  private constructor(
    public path: string,
    public identity: FileIdentity,
    private readonly handle: FileHandle,
    offset: number,
    private readonly maxLineSize: number,
  ) {
    this.offset = offset;
    this.readPos = offset;
    this.acceptedOffset = offset;
  }

  static async open(path: string, fingerprintSize: number, maxLineSize: number, startAt: (identity: FileIdentity, size: number) => number): Promise<TailedFile> {
    const handle = await open(path, 'r');
    try {
      const st = await handle.stat({ bigint: true });
      const fingerprint = await readHead(handle, fingerprintSize);
      const identity = { dev: st.dev, ino: st.ino, fingerprint };
      const size = Number(st.size);
      return new TailedFile(path, identity, handle, Math.min(startAt(identity, size), size), maxLineSize);
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  get key(): string {
    return fileKey(this.identity.dev, this.identity.ino);
  }

  /**
   * Reads the first bytes again and starts the file over when they no longer start as they did
   * (rewritten in place) or it is shorter than what was read (truncated, as copytruncate does).
   * True when it was started over.
   */
  async recheck(fingerprintSize: number): Promise<boolean> {
    const head = await readHead(this.handle, fingerprintSize);
    const size = Number((await this.handle.stat()).size);
    if (sameStart(head, this.identity.fingerprint) && size >= this.readPos) {
      if (head.length > this.identity.fingerprint.length) this.identity = { ...this.identity, fingerprint: head };
      return false;
    }
    this.identity = { ...this.identity, fingerprint: head };
    this.restart();
    return true;
  }

  /** How far the file has been read, the unterminated last line included. */
  get readPosition(): number {
    return this.readPos;
  }

  private restart(): void {
    this.generation++;
    this.offset = 0;
    this.readPos = 0;
    this.acceptedOffset = 0;
    this.partial = [];
    this.partialBytes = 0;
    this.truncatedLine = false;
  }

  /**
   * Reads what was appended and hands on every complete line. Returns true when it read to the
   * end of the file, false when it stopped because the sink paused or refused.
   */
  async readNew(sink: LineSink, nowMs: number, forceFlushMs: number): Promise<boolean> {
    for (;;) {
      if (sink.paused) return false;
      const { bytesRead } = await this.handle.read(this.buffer, 0, CHUNK_BYTES, this.readPos);
      if (bytesRead === 0) break;
      const chunkStart = this.readPos;
      this.readPos += bytesRead;
      const chunk = this.buffer.subarray(0, bytesRead);
      let lines = 0;
      let from = 0;
      for (let lf = chunk.indexOf(LF, from); lf !== -1; lf = chunk.indexOf(LF, from)) {
        const segment = chunk.subarray(from, lf);
        from = lf + 1;
        const end = chunkStart + from;
        // Most lines lie whole in one chunk and go without a copy (the sink decodes them at once).
        const ok = this.partialBytes === 0 && !this.truncatedLine && segment.length <= this.maxLineSize
          ? sink.line(withoutCr(segment), false)
          : (this.append(segment), this.emit(sink));
        if (!ok) {
          sink.progress(lines, this.offset);
          return false;
        }
        this.offset = end;
        lines++;
      }
      if (from < chunk.length) {
        this.append(chunk.subarray(from));
        this.partialSinceMs = nowMs;
      }
      sink.progress(lines, this.offset);
    }
    // A last line without its line feed is taken as it is once the writer has left it alone for a while.
    if ((this.partialBytes > 0 || this.truncatedLine) && forceFlushMs > 0 && nowMs - this.partialSinceMs >= forceFlushMs) {
      if (!this.emit(sink)) return false;
      this.offset = this.readPos;
      sink.progress(1, this.offset);
    }
    return true;
  }

  /** Hands on what is left of an unterminated last line, as when a rotated-away file is closed. */
  flushPartial(sink: LineSink): void {
    if (this.partialBytes === 0 && !this.truncatedLine) return;
    if (!this.emit(sink)) return;
    this.offset = this.readPos;
    sink.progress(1, this.offset);
  }

  async close(): Promise<void> {
    await this.handle.close();
  }

  private append(bytes: Buffer): void {
    if (this.truncatedLine) return;
    const room = this.maxLineSize - this.partialBytes;
    if (bytes.length > room) {
      // A line past max_line_size keeps its start (where syslog headers are) and loses the rest.
      this.truncatedLine = true;
      bytes = bytes.subarray(0, room);
    }
    if (bytes.length === 0) return;
    // The read buffer is reused, so what waits for its line feed must be copied.
    this.partial.push(Buffer.from(bytes));
    this.partialBytes += bytes.length;
  }

  private emit(sink: LineSink): boolean {
    const line = withoutCr(this.partial.length === 1 ? this.partial[0]! : Buffer.concat(this.partial, this.partialBytes));
    const truncated = this.truncatedLine;
    this.partial = [];
    this.partialBytes = 0;
    this.truncatedLine = false;
    return sink.line(line, truncated);
  }
}

function withoutCr(line: Buffer): Buffer {
  return line.length > 0 && line[line.length - 1] === CR ? line.subarray(0, line.length - 1) : line;
}

export function fileKey(dev: bigint, ino: bigint): string {
  return `${dev}:${ino}`;
}

async function readHead(handle: FileHandle, size: number): Promise<Buffer> {
  const buf = Buffer.alloc(size);
  const { bytesRead } = await handle.read(buf, 0, size, 0);
  return buf.subarray(0, bytesRead);
}
