import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { LogBatch } from '../model/batch.js';
import type { LogsConsumer } from '../pipeline/consumer.js';
import { CorrgateError, ERR_STARTUP, RetryableError } from '../pipeline/errors.js';

// Pull sources (journal, files) remember how far they have read, so that a restart neither loses
// nor repeats records. Two rules make that hold: a position is saved only once the pipeline has
// taken every record up to it (DeliveryTracker), and a saved file is either the old one or the new
// one, never half of each (write a temporary file, fsync it, rename it over, fsync the directory).

/**
 * Where checkpoints go when a receiver names no `storage_directory`: the state directory systemd
 * gives the unit (StateDirectory= sets STATE_DIRECTORY; the unit's root is read-only), else
 * `data/checkpoints` under the working directory.
 */
export function defaultStorageDirectory(env: NodeJS.ProcessEnv = process.env): string {
  const state = env.STATE_DIRECTORY?.split(':')[0];
  return state ? join(state, 'checkpoints') : resolve('data', 'checkpoints');
}

interface CheckpointFile<T> {
  readonly version: 1;
  readonly receiver: string;
  readonly position: T;
}

/** One JSON file per receiver id under a directory, holding that receiver's read position. */
export class CheckpointStore<T> {
  readonly path: string;
  private writing: Promise<void> | undefined;
  private next: { value: T } | undefined;
  private failure: unknown;

  /** `onError` hears of each failed write; the next save tries again with the newest position. */
  constructor(
    readonly directory: string,
    private readonly receiverId: string,
    private readonly onError: (err: unknown) => void = () => {},
  ) {
    // A receiver id may hold a slash (`filelog/devices`), which must not become a sub-directory.
    this.path = join(directory, `${encodeURIComponent(receiverId)}.json`);
  }

  /** Makes the directory and returns the saved position, or undefined when there is none yet. */
  async load(): Promise<T | undefined> {
    try {
      await mkdir(this.directory, { recursive: true });
    } catch (err) {
      throw new CorrgateError(ERR_STARTUP, `storage_directory ${this.directory} cannot be created: ${(err as Error).message}`, { cause: err });
    }
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new CorrgateError(ERR_STARTUP, `checkpoint ${this.path} cannot be read: ${(err as Error).message}`, { cause: err });
    }
    let parsed: Partial<CheckpointFile<T>>;
    try {
      parsed = JSON.parse(text) as Partial<CheckpointFile<T>>;
    } catch (err) {
      // Writes are atomic, so this is a file someone edited; guessing a position would lose or repeat data.
      throw new CorrgateError(ERR_STARTUP, `checkpoint ${this.path} is not valid JSON (${(err as Error).message}); fix or delete it`, { cause: err });
    }
    if (parsed.version !== 1 || parsed.position === undefined) {
      throw new CorrgateError(ERR_STARTUP, `checkpoint ${this.path} is not a version 1 checkpoint; fix or delete it`);
    }
    return parsed.position;
  }

  /**
   * Saves a position. Saves never overlap and a burst of them collapses into one write of the
   * newest value, so a caller may save after every batch without waiting.
   */
  save(value: T): Promise<void> {
    this.next = { value };
    this.writing ??= this.drain();
    return this.writing;
  }

  /** Resolves when every save asked for so far is on disk; rejects with the last write error. */
  async flush(): Promise<void> {
    if (this.writing) await this.writing;
    if (this.failure !== undefined) {
      const err = this.failure;
      this.failure = undefined;
      throw err;
    }
  }

  private async drain(): Promise<void> {
    try {
      while (this.next) {
        const { value } = this.next;
        this.next = undefined;
        try {
          await this.write(value);
          this.failure = undefined;
        } catch (err) {
          this.failure = err;
          this.onError(err);
        }
      }
    } finally {
      this.writing = undefined;
    }
  }

  private async write(value: T): Promise<void> {
    const body: CheckpointFile<T> = { version: 1, receiver: this.receiverId, position: value };
    const tmp = `${this.path}.tmp-${process.pid}`;
    const file = await open(tmp, 'w', 0o640);
    try {
      await file.writeFile(JSON.stringify(body));
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, this.path);
    // The rename itself lives in the directory; without this a power cut may bring back the old file.
    const dir = await open(this.directory, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}

/**
 * Tells which read positions the pipeline has taken. The LogEmitter hands batches on one at a
 * time, in the order records were pushed, and every batch holds the oldest records waiting; so
 * counting the records of each batch the pipeline took (or refused for good) tells how long a
 * prefix of the pushed records is settled. Records the emitter gives up on at a shutdown deadline
 * are never counted, so their positions are never saved and a restart reads them again.
 */
export class DeliveryTracker<P> {
  private pushed = 0;
  private settled = 0;
  private readonly marks: { readonly seq: number; readonly position: P }[] = [];

  constructor(private readonly onProgress: () => void = () => {}) {}

  /** The consumer to give the LogEmitter in place of the pipeline's own. */
  wrap(consumer: LogsConsumer): LogsConsumer {
    return {
      consume: async (batch: LogBatch) => {
        try {
          await consumer.consume(batch);
        } catch (err) {
          // A throttled batch is retried by the emitter and counted when it finally goes.
          if (err instanceof RetryableError) throw err;
          this.advance(batch.itemCount);
          throw err;
        }
        this.advance(batch.itemCount);
      },
    };
  }

  /** Records `count` records just pushed to the emitter, the last of which ends at `position`. */
  handedOver(count: number, position: P): void {
    this.pushed += count;
    this.marks.push({ seq: this.pushed, position });
  }

  /** Records pushed but not yet taken by the pipeline. */
  get outstanding(): number {
    return this.pushed - this.settled;
  }

  /** Positions whose records are all settled, oldest first; each is returned once. */
  takeSettled(): P[] {
    let n = 0;
    while (n < this.marks.length && this.marks[n]!.seq <= this.settled) n++;
    return this.marks.splice(0, n).map((m) => m.position);
  }

  private advance(count: number): void {
    this.settled += count;
    this.onProgress();
  }
}
