import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { str } from '../../model/attributes.js';
import { EMPTY_ID } from '../../model/ids.js';
import { SeverityNumber } from '../../model/log-record.js';
import type { LogRecord } from '../../model/log-record.js';
import { nowNanos } from '../../model/time.js';
import type { UnixNanos } from '../../model/time.js';
import type { Component, ComponentSettings, ReceiverConsumers } from '../../pipeline/component.js';
import { CorrgateError, ERR_STARTUP } from '../../pipeline/errors.js';
import { CheckpointStore, DeliveryTracker, defaultStorageDirectory } from '../checkpoint-store.js';
import { LogEmitter } from '../log-emitter.js';
import type { JournaldReceiverConfig } from './config.js';
import { journalEntryToLogRecord } from './journal-entry-mapping.js';
import type { JournalEntry } from './journal-entry-mapping.js';
import { journalctlArgs } from './journalctl-command.js';

/** What the receiver saves: the cursor of the last entry the pipeline has taken. */
export interface JournaldPosition {
  readonly cursor: string;
}

const SCOPE = Object.freeze({ name: 'corrgate/receiver/journald', version: '', attributes: Object.freeze([]), droppedAttributesCount: 0 });
const FIRST_RESTART_DELAY_MS = 500;
const MAX_RESTART_DELAY_MS = 30_000;
const KILL_GRACE_MS = 2_000;
const STDERR_KEPT = 2_048;

/**
 * The `journald` receiver: runs `journalctl --follow --output=json` and hands each entry on as a
 * log record. journalctl does the reading, matching and cursor seeking (it is the journal's only
 * stable reader), so this stays a pipe with a parser. A cursor is saved only after the pipeline
 * took its entry, and the next run starts after it.
 */
export class JournaldReceiver implements Component {
  private readonly store: CheckpointStore<JournaldPosition>;
  private emitter: LogEmitter | undefined;
  private tracker: DeliveryTracker<string> | undefined;
  private child: ChildProcess | undefined;
  private running = false;
  /** Cursor of the last entry handed to the emitter: where a restarted journalctl resumes. */
  private cursor: string | undefined;
  private savedCursor: string | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private restartDelayMs = FIRST_RESTART_DELAY_MS;
  /** journalctl exits are logged once until entries flow again, so a broken journal does not flood the log. */
  private exitLogged = false;
  private readonly parseErrors;

  constructor(
    private readonly settings: ComponentSettings,
    private readonly config: JournaldReceiverConfig,
    private readonly consumers: ReceiverConsumers,
  ) {
    const directory = config.storage_directory ?? defaultStorageDirectory();
    this.store = new CheckpointStore(directory, settings.id, (err) =>
      settings.logger.warn({ err, path: this.store.path }, 'the journald cursor could not be saved; it is tried again with the next batch'),
    );
    this.parseErrors = settings.metrics.receiverParseErrors.labels(settings.id, 'json');
  }

  async start(): Promise<void> {
    if (this.running) return;
    const consumer = this.consumers.logs;
    if (!consumer) throw new CorrgateError(ERR_STARTUP, `receiver ${this.settings.id} is in no logs pipeline`);
    const saved = await this.store.load();
    this.cursor = saved?.cursor;
    this.savedCursor = saved?.cursor;
    const tracker = new DeliveryTracker<string>(() => this.persist());
    this.tracker = tracker;
    this.emitter = new LogEmitter({
      receiverId: this.settings.id,
      transport: 'journald',
      consumer: tracker.wrap(consumer),
      metrics: this.settings.metrics,
      logger: this.settings.logger,
      scope: SCOPE,
    });
    this.running = true;
    this.restartDelayMs = FIRST_RESTART_DELAY_MS;
    this.exitLogged = false;
    try {
      await this.launch();
    } catch (err) {
      this.running = false;
      await this.emitter.close();
      throw err;
    }
    this.settings.logger.info({ journalctl: this.config.journalctl_path, resumed: saved !== undefined }, 'journald receiver following the journal');
  }

  /** Spawns journalctl; resolves once it runs, rejects when it cannot be started at all. */
  private launch(): Promise<void> {
    const args = journalctlArgs(this.config, this.cursor);
    const child = spawn(this.config.journalctl_path, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let stderr = '';
    let rest = '';
    child.stdout!.setEncoding('utf8');
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_KEPT);
    });
    child.stdout!.on('data', (chunk: string) => {
      if (this.child !== child) return;
      const lines = (rest + chunk).split('\n');
      rest = lines.pop()!;
      this.take(lines);
      if (this.emitter!.saturated) {
        // The pipe fills up and journalctl blocks: the journal itself is the buffer.
        child.stdout!.pause();
        this.emitter!.onceRoom(() => {
          if (this.child === child) child.stdout!.resume();
        });
      }
    });
    return new Promise((resolve, reject) => {
      let spawned = false;
      child.once('spawn', () => {
        spawned = true;
        resolve();
      });
      child.once('error', (err: NodeJS.ErrnoException) => {
        if (spawned) return; // an exit follows and is handled there
        if (this.child === child) this.child = undefined;
        const hint = err.code === 'ENOENT' ? ' (is systemd\'s journalctl installed? set journalctl_path to its location)' : '';
        reject(new CorrgateError(ERR_STARTUP, `cannot run ${this.config.journalctl_path}: ${err.message}${hint}`, { cause: err }));
      });
      child.once('close', (code, signal) => {
        if (!spawned || this.child !== child) return;
        this.child = undefined;
        if (!this.running) return;
        const details = { code, signal, stderr: stderr.trim(), restartInMs: this.restartDelayMs };
        if (!this.exitLogged) this.settings.logger.warn(details, 'journalctl exited; restarting it after a pause');
        else this.settings.logger.debug(details, 'journalctl exited again');
        this.exitLogged = true;
        this.scheduleRestart();
      });
    });
  }

  private scheduleRestart(): void {
    const delay = this.restartDelayMs;
    this.restartDelayMs = Math.min(this.restartDelayMs * 2, MAX_RESTART_DELAY_MS);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (!this.running) return;
      this.launch().catch((err: unknown) => {
        if (!this.exitLogged) this.settings.logger.warn({ err }, 'journalctl could not be restarted; trying again');
        this.exitLogged = true;
        if (this.running && this.restartTimer === undefined) this.scheduleRestart();
      });
    }, delay);
  }

  private take(lines: string[]): void {
    const emitter = this.emitter!;
    const tracker = this.tracker!;
    const observed = nowNanos();
    let pushed = 0;
    let last: string | undefined;
    for (const line of lines) {
      if (line === '') continue;
      let entry: JournalEntry;
      try {
        const parsed: unknown = JSON.parse(line);
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
        entry = parsed as JournalEntry;
      } catch {
        this.parseErrors.inc();
        if (emitter.push([], unparsed(line, observed))) pushed++;
        continue;
      }
      const mapped = journalEntryToLogRecord(entry, observed);
      if (!emitter.push(mapped.resource, mapped.record)) break; // closing: a restart reads it again
      pushed++;
      if (mapped.cursor !== undefined) {
        last = mapped.cursor;
        // Marks are per cursor so a partly taken chunk still saves the entries that went.
        tracker.handedOver(pushed, last);
        pushed = 0;
      }
    }
    if (pushed > 0) tracker.handedOver(pushed, last ?? this.cursor ?? '');
    if (last !== undefined) {
      this.cursor = last;
      this.restartDelayMs = FIRST_RESTART_DELAY_MS;
      this.exitLogged = false;
    }
  }

  private persist(): void {
    const settled = this.tracker?.takeSettled() ?? [];
    let cursor: string | undefined;
    for (const c of settled) if (c !== '') cursor = c;
    if (cursor === undefined || cursor === this.savedCursor) return;
    this.savedCursor = cursor;
    void this.store.save({ cursor });
  }

  /** Stops journalctl, hands on what was read, then saves the cursor of the last entry taken. */
  async shutdown(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.restartTimer) {
      clearTimeout(this.restartTimer);
      this.restartTimer = undefined;
    }
    const child = this.child;
    this.child = undefined;
    if (child) await stop(child);
    await this.emitter?.close();
    this.persist();
    try {
      await this.store.flush();
    } catch (err) {
      this.settings.logger.error({ err, path: this.store.path }, 'the journald cursor could not be saved at shutdown; entries since the last save will be read again');
    }
  }
}

function unparsed(line: string, observed: UnixNanos): LogRecord {
  return {
    timeUnixNano: 0n,
    observedTimeUnixNano: observed,
    severityNumber: SeverityNumber.Unspecified,
    severityText: '',
    body: str(line),
    attributes: [],
    droppedAttributesCount: 0,
    flags: 0,
    traceId: EMPTY_ID,
    spanId: EMPTY_ID,
    eventName: '',
  };
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
    child.once('close', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
