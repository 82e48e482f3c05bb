import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import { CorrgateError, ERR_STARTUP } from '../../pipeline/errors.js';
import type { GateSpec } from '../gate-spec.js';
import { scopeSelectorOf } from '../gate-spec.js';
import type { GateDecision, GateDecisionKind } from '../gate-types.js';
import type { EvidenceSnapshot } from './evidence-snapshot.js';
import { canonicalJson, fromStoredJson, toStoredJson } from './stored-json.js';

// Gates, every evaluation and every decision, in one SQLite database (better-sqlite3, WAL). Writes
// are synchronous and each is its own transaction, committed before the runner hands the decision to
// anyone: a decision that was reported (over the API, as a span, in a log) is on disk, so a kill -9 at
// any moment loses none. WAL with synchronous=NORMAL survives the process dying at any point; only an
// operating-system crash or power loss can take back the last transactions, and synchronous=FULL
// closes that too at the cost of an fsync per evaluation. The database is opened in exclusive locking
// mode, so a second corrgate pointed at the same directory fails at start-up instead of interleaving.

export const ERR_GATE_STORE = 'CORRGATE_ERR_GATE_STORE';
export const DATABASE_FILE = 'gates.db';

export type StoredGateStatus = 'open' | 'decided' | 'closed' | 'aborted';
export type GateSource = 'config' | 'api' | 'argo-rollouts' | 'flagger';

export interface GateStoreOptions {
  readonly directory: string;
  readonly synchronous: 'normal' | 'full';
  /** Ended gates, with their evaluations, are deleted this long after they ended. */
  readonly retentionMs: number;
  /** Per gate run, the newest evaluations kept (the final one is always kept). */
  readonly maxEvaluationsPerGate: number;
}

export interface NewGateRun {
  readonly id: string;
  readonly source: GateSource;
  readonly spec: GateSpec;
  /** The spec as it was submitted, for people reading it back. */
  readonly document: unknown;
  readonly openedAtMs: number;
  /** The gate's trace: one per gate run, kept across restarts. */
  readonly traceId: string;
  readonly spanId: string;
}

export interface StoredGate extends NewGateRun {
  readonly run: number;
  readonly status: StoredGateStatus;
  readonly endedAtMs: number | undefined;
  readonly evaluations: number;
  readonly latest: GateDecision | undefined;
  readonly final: GateDecision | undefined;
}

export interface StoredEvaluation {
  readonly run: number;
  readonly gateId: string;
  readonly evaluation: number;
  readonly evaluatedAtMs: number;
  readonly decision: GateDecisionKind;
  readonly reported: GateDecisionKind;
  readonly score: number | undefined;
  readonly final: boolean;
  readonly body: GateDecision;
}

export interface DecisionFilter {
  readonly gate?: string;
  readonly service?: string;
  readonly decision?: GateDecisionKind;
  readonly limit: number;
}

export interface PassedSnapshot {
  readonly run: number;
  readonly gateId: string;
  readonly evaluatedAtMs: number;
  readonly snapshot: EvidenceSnapshot;
}

/** The key gates of the same scope share, for history and the previous_decision baseline. */
export function scopeKeyOf(spec: Pick<GateSpec, 'scope'>): string {
  return canonicalJson(scopeSelectorOf(spec));
}

const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE gates (
  run          INTEGER PRIMARY KEY,
  id           TEXT NOT NULL,
  status       TEXT NOT NULL CHECK (status IN ('open', 'decided', 'closed', 'aborted')),
  source       TEXT NOT NULL,
  spec         TEXT NOT NULL,
  document     TEXT NOT NULL,
  scope_key    TEXT NOT NULL,
  services     TEXT NOT NULL,
  opened_at_ms INTEGER NOT NULL,
  ended_at_ms  INTEGER,
  trace_id     TEXT NOT NULL,
  span_id      TEXT NOT NULL,
  evaluations  INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX gates_one_open_per_id ON gates (id) WHERE status = 'open';
CREATE INDEX gates_by_id ON gates (id, run);
CREATE INDEX gates_by_scope ON gates (scope_key, run);
CREATE INDEX gates_by_end ON gates (ended_at_ms) WHERE ended_at_ms IS NOT NULL;
CREATE TABLE evaluations (
  run             INTEGER NOT NULL REFERENCES gates (run) ON DELETE CASCADE,
  evaluation      INTEGER NOT NULL,
  evaluated_at_ms INTEGER NOT NULL,
  decision        TEXT NOT NULL,
  reported        TEXT NOT NULL,
  score           REAL,
  final           INTEGER NOT NULL,
  body            TEXT NOT NULL,
  snapshot        TEXT,
  PRIMARY KEY (run, evaluation)
) WITHOUT ROWID;
CREATE INDEX evaluations_final ON evaluations (final, decision) WHERE final = 1;
`;

interface GateRow {
  run: number;
  id: string;
  status: StoredGateStatus;
  source: GateSource;
  spec: string;
  document: string;
  opened_at_ms: number;
  ended_at_ms: number | null;
  trace_id: string;
  span_id: string;
  evaluations: number;
  latest: string | null;
  final_body: string | null;
}

interface EvaluationRow {
  run: number;
  id: string;
  evaluation: number;
  evaluated_at_ms: number;
  decision: GateDecisionKind;
  reported: GateDecisionKind;
  score: number | null;
  final: number;
  body: string;
}

const GATE_COLUMNS = `g.run, g.id, g.status, g.source, g.spec, g.document, g.opened_at_ms, g.ended_at_ms, g.trace_id, g.span_id, g.evaluations,
  (SELECT body FROM evaluations e WHERE e.run = g.run ORDER BY evaluation DESC LIMIT 1) AS latest,
  (SELECT body FROM evaluations e WHERE e.run = g.run AND e.final = 1 ORDER BY evaluation DESC LIMIT 1) AS final_body`;

export class GateStore {
  readonly path: string;
  private readonly db: SqliteDatabase;
  private readonly statements: {
    insertGate: Statement;
    insertEvaluation: Statement;
    countEvaluation: Statement;
    endGate: Statement;
    openGates: Statement;
    latestRun: Statement;
    runById: Statement;
    listGates: Statement;
    listGatesByStatus: Statement;
    evaluations: Statement;
    lastPassed: Statement;
    pruneRuns: Statement;
    pruneEvaluations: Statement;
  };
  private closed = false;

  private constructor(
    private readonly options: GateStoreOptions,
    db: SqliteDatabase,
    path: string,
  ) {
    this.db = db;
    this.path = path;
    this.statements = {
      insertGate: db.prepare(
        `INSERT INTO gates (id, status, source, spec, document, scope_key, services, opened_at_ms, trace_id, span_id)
         VALUES (@id, 'open', @source, @spec, @document, @scopeKey, @services, @openedAtMs, @traceId, @spanId)`,
      ),
      insertEvaluation: db.prepare(
        `INSERT INTO evaluations (run, evaluation, evaluated_at_ms, decision, reported, score, final, body, snapshot)
         VALUES (@run, @evaluation, @evaluatedAtMs, @decision, @reported, @score, @final, @body, @snapshot)`,
      ),
      countEvaluation: db.prepare('UPDATE gates SET evaluations = MAX(evaluations, @evaluation) WHERE run = @run'),
      endGate: db.prepare(`UPDATE gates SET status = @status, ended_at_ms = @endedAtMs WHERE run = @run AND status = 'open'`),
      openGates: db.prepare(`SELECT ${GATE_COLUMNS} FROM gates g WHERE g.status = 'open' ORDER BY g.run`),
      latestRun: db.prepare(`SELECT ${GATE_COLUMNS} FROM gates g WHERE g.id = ? ORDER BY g.run DESC LIMIT 1`),
      runById: db.prepare(`SELECT ${GATE_COLUMNS} FROM gates g WHERE g.id = ? AND g.run = ?`),
      listGates: db.prepare(`SELECT ${GATE_COLUMNS} FROM gates g WHERE g.run IN (SELECT MAX(run) FROM gates GROUP BY id) ORDER BY g.run DESC LIMIT ?`),
      listGatesByStatus: db.prepare(
        `SELECT ${GATE_COLUMNS} FROM gates g WHERE g.run IN (SELECT MAX(run) FROM gates GROUP BY id) AND g.status = ? ORDER BY g.run DESC LIMIT ?`,
      ),
      evaluations: db.prepare(
        `SELECT e.run, g.id, e.evaluation, e.evaluated_at_ms, e.decision, e.reported, e.score, e.final, e.body
         FROM evaluations e JOIN gates g ON g.run = e.run WHERE e.run = ? ORDER BY e.evaluation DESC LIMIT ?`,
      ),
      lastPassed: db.prepare(
        `SELECT e.run, g.id, e.evaluated_at_ms, e.snapshot FROM evaluations e JOIN gates g ON g.run = e.run
         WHERE g.scope_key = ? AND e.run <> ? AND e.final = 1 AND e.decision = 'PASS' AND e.snapshot IS NOT NULL
         ORDER BY e.evaluated_at_ms DESC LIMIT 1`,
      ),
      pruneRuns: db.prepare(`DELETE FROM gates WHERE status <> 'open' AND ended_at_ms < ?`),
      pruneEvaluations: db.prepare(
        `DELETE FROM evaluations WHERE final = 0 AND (run, evaluation) IN (
           SELECT run, evaluation FROM (
             SELECT run, evaluation, ROW_NUMBER() OVER (PARTITION BY run ORDER BY evaluation DESC) AS newest FROM evaluations
           ) WHERE newest > ?)`,
      ),
    };
  }

  /** Opens (creating if need be) `directory/gates.db`; fails with a message naming the file and the cause. */
  static open(options: GateStoreOptions): GateStore {
    const path = join(options.directory, DATABASE_FILE);
    let db: SqliteDatabase | undefined;
    try {
      mkdirSync(options.directory, { recursive: true });
      db = new Database(path);
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
      db.pragma('foreign_keys = ON');
      db.pragma('locking_mode = EXCLUSIVE');
      db.pragma('busy_timeout = 0');
      migrate(db);
      return new GateStore(options, db, path);
    } catch (err) {
      db?.close();
      const message = (err as Error).message;
      const hint = /locked|busy/i.test(message) ? ' (is another corrgate using this storage directory?)' : '';
      throw new CorrgateError(ERR_STARTUP, `gate store ${path}: ${message}${hint}`, { cause: err });
    }
  }

  /** Records a new gate run; returns its run number. */
  insertGate(gate: NewGateRun): number {
    const services = scopeSelectorOf(gate.spec).services ?? [];
    const info = this.write(() =>
      this.statements.insertGate.run({
        id: gate.id,
        source: gate.source,
        spec: toStoredJson(gate.spec),
        document: toStoredJson(gate.document ?? null),
        scopeKey: scopeKeyOf(gate.spec),
        services: `,${services.join(',')},`,
        openedAtMs: Math.round(gate.openedAtMs),
        traceId: gate.traceId,
        spanId: gate.spanId,
      }),
    );
    return Number(info.lastInsertRowid);
  }

  /**
   * One evaluation, committed before this returns; a final one may carry the window's snapshot for
   * later baselines, and ends the run in the same transaction, so a crash leaves either both or neither.
   */
  recordEvaluation(run: number, decision: GateDecision, options: { readonly snapshot?: EvidenceSnapshot; readonly end?: { readonly status: Exclude<StoredGateStatus, 'open'>; readonly endedAtMs: number } } = {}): void {
    const { snapshot, end } = options;
    this.write(() =>
      this.db.transaction(() => {
        this.statements.insertEvaluation.run({
          run,
          evaluation: decision.evaluation,
          evaluatedAtMs: Math.round(decision.evaluatedAtMs),
          decision: decision.decision,
          reported: decision.reported,
          score: decision.score ?? null,
          final: decision.final ? 1 : 0,
          body: toStoredJson(decision),
          snapshot: snapshot === undefined ? null : toStoredJson(snapshot),
        });
        this.statements.countEvaluation.run({ run, evaluation: decision.evaluation });
        if (end !== undefined) this.statements.endGate.run({ run, status: end.status, endedAtMs: Math.round(end.endedAtMs) });
      })(),
    );
  }

  endGate(run: number, status: Exclude<StoredGateStatus, 'open'>, endedAtMs: number): void {
    this.write(() => this.statements.endGate.run({ run, status, endedAtMs: Math.round(endedAtMs) }));
  }

  openGates(): StoredGate[] {
    return (this.statements.openGates.all() as GateRow[]).map(gateOf);
  }

  /** The newest run of a gate id, or a given run of it. */
  gate(id: string, run?: number): StoredGate | undefined {
    const row = (run === undefined ? this.statements.latestRun.get(id) : this.statements.runById.get(id, run)) as GateRow | undefined;
    return row === undefined ? undefined : gateOf(row);
  }

  /** The newest run of each gate id, newest first. */
  gates(filter: { readonly status?: StoredGateStatus; readonly limit: number }): StoredGate[] {
    const rows = filter.status === undefined ? this.statements.listGates.all(filter.limit) : this.statements.listGatesByStatus.all(filter.status, filter.limit);
    return (rows as GateRow[]).map(gateOf);
  }

  /** A run's evaluations, newest first. */
  evaluations(run: number, limit: number): StoredEvaluation[] {
    return (this.statements.evaluations.all(run, limit) as EvaluationRow[]).map(evaluationOf);
  }

  /** Final decisions, newest first, by gate id, a service in the gate's scope, and the decision. */
  decisions(filter: DecisionFilter): StoredEvaluation[] {
    const where = ['e.final = 1'];
    const params: (string | number)[] = [];
    if (filter.gate !== undefined) {
      where.push('g.id = ?');
      params.push(filter.gate);
    }
    if (filter.service !== undefined) {
      where.push("instr(g.services, ',' || ? || ',') > 0");
      params.push(filter.service);
    }
    if (filter.decision !== undefined) {
      where.push('e.decision = ?');
      params.push(filter.decision);
    }
    params.push(filter.limit);
    const rows = this.db
      .prepare(
        `SELECT e.run, g.id, e.evaluation, e.evaluated_at_ms, e.decision, e.reported, e.score, e.final, e.body
         FROM evaluations e JOIN gates g ON g.run = e.run WHERE ${where.join(' AND ')} ORDER BY e.evaluated_at_ms DESC, e.run DESC LIMIT ?`,
      )
      .all(...params) as EvaluationRow[];
    return rows.map(evaluationOf);
  }

  /** The newest PASS of another gate run with the same scope that kept its window's snapshot. */
  lastPassed(scopeKey: string, excludeRun: number): PassedSnapshot | undefined {
    const row = this.statements.lastPassed.get(scopeKey, excludeRun) as { run: number; id: string; evaluated_at_ms: number; snapshot: string } | undefined;
    if (row === undefined) return undefined;
    return { run: row.run, gateId: row.id, evaluatedAtMs: row.evaluated_at_ms, snapshot: fromStoredJson<EvidenceSnapshot>(row.snapshot) };
  }

  /** Deletes ended gates past retention and surplus evaluations; returns what went. */
  prune(nowMs: number): { runs: number; evaluations: number } {
    return this.write(() =>
      this.db.transaction(() => {
        const runs = this.statements.pruneRuns.run(Math.round(nowMs - this.options.retentionMs)).changes;
        const evaluations = this.statements.pruneEvaluations.run(this.options.maxEvaluationsPerGate).changes;
        return { runs, evaluations };
      })(),
    );
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    // A checkpoint folds the WAL back into the database file, so a copy of gates.db alone is whole.
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      this.db.close();
    }
  }

  private write<T>(fn: () => T): T {
    if (this.closed) throw new CorrgateError(ERR_GATE_STORE, `gate store ${this.path} is closed`);
    try {
      return fn();
    } catch (err) {
      if (err instanceof CorrgateError) throw err;
      const e = err as Error & { code?: string };
      if (e.code === 'SQLITE_CONSTRAINT_UNIQUE') throw new CorrgateError(ERR_GATE_STORE_CONFLICT, e.message, { cause: err });
      throw new CorrgateError(ERR_GATE_STORE, `gate store ${this.path}: ${e.message}`, { cause: err });
    }
  }
}

export const ERR_GATE_STORE_CONFLICT = 'CORRGATE_ERR_GATE_STORE_CONFLICT';

function migrate(db: SqliteDatabase): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version === SCHEMA_VERSION) return;
  if (version > SCHEMA_VERSION) {
    throw new Error(`the database has schema version ${version}, newer than this corrgate knows (${SCHEMA_VERSION}); run a newer corrgate or point storage.directory elsewhere`);
  }
  db.transaction(() => {
    db.exec(SCHEMA);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  })();
}

function gateOf(row: GateRow): StoredGate {
  return {
    run: row.run,
    id: row.id,
    status: row.status,
    source: row.source,
    spec: fromStoredJson<GateSpec>(row.spec),
    document: fromStoredJson<unknown>(row.document),
    openedAtMs: row.opened_at_ms,
    endedAtMs: row.ended_at_ms ?? undefined,
    traceId: row.trace_id,
    spanId: row.span_id,
    evaluations: row.evaluations,
    latest: row.latest === null ? undefined : fromStoredJson<GateDecision>(row.latest),
    final: row.final_body === null ? undefined : fromStoredJson<GateDecision>(row.final_body),
  };
}

function evaluationOf(row: EvaluationRow): StoredEvaluation {
  return {
    run: row.run,
    gateId: row.id,
    evaluation: row.evaluation,
    evaluatedAtMs: row.evaluated_at_ms,
    decision: row.decision,
    reported: row.reported,
    score: row.score ?? undefined,
    final: row.final === 1,
    body: fromStoredJson<GateDecision>(row.body),
  };
}
