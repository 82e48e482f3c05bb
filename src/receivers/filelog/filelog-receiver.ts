import { stat } from 'node:fs/promises';
import type { Attributes } from '../../model/attributes.js';
import { nowNanos } from '../../model/time.js';
import type { Component, ComponentSettings, ReceiverConsumers } from '../../pipeline/component.js';
import { CorrgateError, ERR_STARTUP } from '../../pipeline/errors.js';
import { CheckpointStore, DeliveryTracker, defaultStorageDirectory } from '../checkpoint-store.js';
import { LogEmitter } from '../log-emitter.js';
import type { FilelogReceiverConfig } from './config.js';
import { Glob } from './glob.js';
import { fileAttributes, lineToLogRecord } from './line-mapping.js';
import { TailedFile, fileKey, sameStart } from './tailed-file.js';
import type { FileIdentity, LineSink } from './tailed-file.js';

/** One file in the saved position: its identity and the offset up to which the pipeline took its lines. */
export interface SavedFile {
  readonly path: string;
  readonly dev: string;
  readonly ino: string;
  /** The file's first bytes (up to fingerprint_size), base64. */
  readonly fingerprint: string;
  readonly offset: number;
}

export interface FilelogPosition {
  readonly files: readonly SavedFile[];
}

interface Mark {
  readonly file: TailedFile;
  readonly generation: number;
  readonly offset: number;
}

interface Tracked {
  readonly file: TailedFile;
  attrs: Attributes;
  attrsPath: string;
  /** No longer matched by include (renamed away or deleted): read to its end, then closed. */
  missing: boolean;
}

/** Rotated-away files remembered after they are let go of (see `released`). */
const MAX_RELEASED = 1024;
const SCOPE = Object.freeze({ name: 'corrgate/receiver/filelog', version: '', attributes: Object.freeze([]), droppedAttributesCount: 0 });
const ENCODING: Record<FilelogReceiverConfig['encoding'], BufferEncoding> = {
  'utf-8': 'utf8',
  utf8: 'utf8',
  latin1: 'latin1',
  'iso-8859-1': 'latin1',
  ascii: 'ascii',
};

/**
 * The `filelog` receiver: polls the files its globs match and hands on each new line. Files are
 * known by device and inode and by their first bytes, not by name, so a rotation that renames a
 * file is read to its end and the new file from its start, a copy-and-truncate rotation starts
 * the file again, and a restart resumes each file where the pipeline last took a line.
 */
export class FilelogReceiver implements Component {
  private readonly includes: Glob[];
  private readonly excludes: Glob[];
  private readonly store: CheckpointStore<FilelogPosition>;
  private readonly encoding: BufferEncoding;
  private emitter: LogEmitter | undefined;
  private tracker: DeliveryTracker<Mark> | undefined;
  private readonly files = new Map<string, Tracked>();
  /** Closed files whose last lines the pipeline has not taken yet: still saved, so a crash reads them again. */
  private readonly closing = new Set<TailedFile>();
  private restored: readonly SavedFile[] = [];
  /**
   * Files let go of after they were rotated away and went quiet, by device and inode, with how far
   * they were read. A directory listing runs beside the writer: it can list a file under its old name
   * just before a rename, so that the renamed file is missed for one poll, let go of, and found again
   * under its new name at the next. It then continues where it was instead of being read again.
   */
  private readonly released = new Map<string, { readonly fingerprint: Buffer; readonly offset: number }>();
  private hadCheckpoint = false;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private lastSaved = '';
  private readonly warned = new Set<string>();
  private readonly parseErrors;
  private readonly tooLong;

  constructor(
    private readonly settings: ComponentSettings,
    private readonly config: FilelogReceiverConfig,
    private readonly consumers: ReceiverConsumers,
  ) {
    this.includes = config.include.map((g) => new Glob(g));
    this.excludes = config.exclude.map((g) => new Glob(g));
    this.encoding = ENCODING[config.encoding];
    const directory = config.storage_directory ?? defaultStorageDirectory();
    this.store = new CheckpointStore(directory, settings.id, (err) =>
      settings.logger.warn({ err, path: this.store.path }, 'file positions could not be saved; they are tried again with the next batch'),
    );
    this.parseErrors = settings.metrics.receiverParseErrors.labels(settings.id, config.format);
    this.tooLong = settings.metrics.receiverBadFrames.labels(settings.id, 'file', 'line_too_long');
  }

  async start(): Promise<void> {
    if (this.running) return;
    const consumer = this.consumers.logs;
    if (!consumer) throw new CorrgateError(ERR_STARTUP, `receiver ${this.settings.id} is in no logs pipeline`);
    const saved = await this.store.load();
    this.hadCheckpoint = saved !== undefined;
    this.restored = saved?.files ?? [];
    this.lastSaved = '';
    const tracker = new DeliveryTracker<Mark>(() => this.checkpoint());
    this.tracker = tracker;
    this.emitter = new LogEmitter({
      receiverId: this.settings.id,
      transport: 'file',
      consumer: tracker.wrap(consumer),
      metrics: this.settings.metrics,
      logger: this.settings.logger,
      scope: SCOPE,
    });
    this.running = true;
    // The first look decides where each file present now starts (saved offset, or start_at);
    // reading starts right after, outside start().
    await this.discover(true);
    this.restored = []; // saved files not found now are gone for good
    this.checkpoint();
    this.settings.logger.info({ include: this.config.include, files: this.files.size, resumed: this.hadCheckpoint }, 'filelog receiver tailing files');
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.polling = this.poll().finally(() => {
        this.polling = undefined;
        if (this.running) this.schedule(this.config.poll_interval);
      });
    }, delayMs);
  }

  private async poll(): Promise<void> {
    try {
      await this.discover(false);
      await this.readAll();
      this.checkpoint();
    } catch (err) {
      this.warnOnce('poll', { err }, 'filelog poll failed; trying again at the next poll');
    }
  }

  private async matchingPaths(): Promise<string[]> {
    const paths = new Set<string>();
    for (const glob of this.includes) {
      for (const path of await glob.expand()) if (!this.excludes.some((x) => x.match(path))) paths.add(path);
    }
    return [...paths].sort();
  }

  private async discover(first: boolean): Promise<void> {
    const seen = new Set<Tracked>();
    for (const path of await this.matchingPaths()) {
      if (!this.running) return;
      let tracked: Tracked | undefined;
      try {
        const st = await stat(path, { bigint: true });
        tracked = this.files.get(fileKey(st.dev, st.ino));
        if (tracked) {
          if (seen.has(tracked)) continue; // a second hard link to a file already read
          await this.recheck(tracked, path);
        } else {
          const file = await TailedFile.open(path, this.config.fingerprint_size, this.config.max_line_size, (id, size) => this.startOffset(id, size, first));
          // The name may have moved on to another file between stat and open; key by what was opened.
          tracked = this.files.get(file.key);
          if (tracked) {
            await file.close();
          } else {
            tracked = { file, attrs: fileAttributes(this.config, path), attrsPath: path, missing: false };
            this.files.set(file.key, tracked);
          }
        }
        this.warned.delete(path);
      } catch (err) {
        this.warnOnce(path, { err, path }, 'a log file cannot be read; trying again at the next poll');
        continue;
      }
      tracked.missing = false;
      seen.add(tracked);
    }
    for (const tracked of this.files.values()) if (!seen.has(tracked)) tracked.missing = true;
  }

  /** A file known before: follow a rename, and start again when it was truncated or rewritten in place. */
  private async recheck(tracked: Tracked, path: string): Promise<void> {
    const { file } = tracked;
    if (file.path !== path) file.path = path;
    if (tracked.attrsPath !== path) {
      tracked.attrs = fileAttributes(this.config, path);
      tracked.attrsPath = path;
    }
    if (await file.recheck(this.config.fingerprint_size)) {
      this.settings.logger.debug({ path }, 'log file truncated or rewritten; reading it from the start');
    }
  }

  private startOffset(identity: FileIdentity, size: number, first: boolean): number {
    const dev = String(identity.dev);
    const ino = String(identity.ino);
    for (const s of this.restored) {
      if (s.dev === dev && s.ino === ino && sameStart(Buffer.from(s.fingerprint, 'base64'), identity.fingerprint)) {
        // Smaller than the saved offset: truncated while corrgate was stopped.
        return s.offset <= size ? s.offset : 0;
      }
    }
    const released = this.released.get(fileKey(identity.dev, identity.ino));
    if (released !== undefined && sameStart(released.fingerprint, identity.fingerprint) && released.offset <= size) return released.offset;
    // The same first bytes under another inode: a copy of a file already read (copytruncate's copy,
    // a move across file systems). Its lines up to that file's offset were taken already.
    if (identity.fingerprint.length === this.config.fingerprint_size) {
      for (const s of this.restored) if (Buffer.from(s.fingerprint, 'base64').equals(identity.fingerprint)) return Math.min(s.offset, size);
      for (const { file } of this.files.values()) if (file.identity.fingerprint.equals(identity.fingerprint)) return Math.min(file.offset, size);
    }
    // start_at only applies the very first time; a file that appears later (a rotation's new file,
    // or one created while corrgate was stopped) is read whole.
    return first && !this.hadCheckpoint && this.config.start_at === 'end' ? size : 0;
  }

  private async readAll(): Promise<void> {
    const nowMs = Date.now();
    const observed = nowNanos();
    for (const tracked of [...this.files.values()]) {
      if (!this.running) return;
      const { file } = tracked;
      const before = file.readPosition;
      let reachedEnd: boolean;
      try {
        reachedEnd = await file.readNew(this.sinkFor(tracked, observed, nowMs), nowMs, this.config.force_flush_period);
      } catch (err) {
        this.warnOnce(file.path, { err, path: file.path }, 'a log file cannot be read; trying again at the next poll');
        continue;
      }
      if (tracked.missing && reachedEnd && file.readPosition === before) {
        // Rotated away and quiet for a poll: the writer has moved to the new file.
        file.flushPartial(this.sinkFor(tracked, observed, nowMs));
        this.files.delete(file.key);
        this.released.delete(file.key);
        this.released.set(file.key, { fingerprint: file.identity.fingerprint, offset: file.offset });
        if (this.released.size > MAX_RELEASED) this.released.delete(this.released.keys().next().value!);
        if (file.acceptedOffset < file.offset) this.closing.add(file);
        await file.close();
      }
    }
  }

  private sinkFor(tracked: Tracked, observed: bigint, nowMs: number): LineSink {
    const emitter = this.emitter!;
    const tracker = this.tracker!;
    const { file } = tracked;
    const receiver = this;
    let pushed = 0;
    let parseErrors = 0;
    let tooLong = 0;
    return {
      get paused() {
        return emitter.saturated || !receiver.running;
      },
      line: (bytes, truncated) => {
        if (truncated) tooLong++;
        if (bytes.length === 0) return true; // blank lines carry nothing
        const mapped = lineToLogRecord(this.config, bytes.toString(this.encoding), tracked.attrs, observed, nowMs);
        if (!mapped.parsed) parseErrors++;
        if (!this.running || !emitter.push(mapped.resource, mapped.record)) return false;
        pushed++;
        return true;
      },
      progress: (_lines, offset) => {
        tracker.handedOver(pushed, { file, generation: file.generation, offset });
        pushed = 0;
        if (parseErrors > 0) this.parseErrors.inc(parseErrors);
        if (tooLong > 0) this.tooLong.inc(tooLong);
        parseErrors = 0;
        tooLong = 0;
      },
    };
  }

  /** Applies the offsets the pipeline has taken and saves them when they changed. */
  private checkpoint(): void {
    for (const m of this.tracker?.takeSettled() ?? []) if (m.generation === m.file.generation) m.file.acceptedOffset = m.offset;
    for (const file of this.closing) if (file.acceptedOffset >= file.offset) this.closing.delete(file);
    const files: SavedFile[] = [];
    const add = (file: TailedFile) =>
      files.push({
        path: file.path,
        dev: String(file.identity.dev),
        ino: String(file.identity.ino),
        fingerprint: file.identity.fingerprint.toString('base64'),
        offset: file.acceptedOffset,
      });
    for (const { file } of this.files.values()) add(file);
    for (const file of this.closing) add(file);
    const text = JSON.stringify(files);
    if (text === this.lastSaved) return;
    this.lastSaved = text;
    void this.store.save({ files });
  }

  private warnOnce(key: string, details: object, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.settings.logger.warn(details, message);
  }

  /** Stops polling, hands on the lines read, saves the offsets the pipeline took, closes the files. */
  async shutdown(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    await this.polling;
    await this.emitter?.close();
    this.checkpoint();
    try {
      await this.store.flush();
    } catch (err) {
      this.settings.logger.error({ err, path: this.store.path }, 'file positions could not be saved at shutdown; lines since the last save will be read again');
    }
    await Promise.all([...this.files.values()].map(({ file }) => file.close()));
    this.files.clear();
    this.closing.clear();
    this.warned.clear();
  }
}
