import { setTimeout as sleep } from 'node:timers/promises';
import {
  DolittleError,
  defaultScope,
  InvalidArgument,
  type ScopeId,
  StoreConsistency,
  StoreLocked,
  StoreUnavailable,
} from '@dolittle-ts/fundamentals';
import type { Commit, CommitBatchOptions, CommitOutcome } from '@dolittle-ts/store';
import type pg from 'pg';
import { aggregateKey, aggregatesOf, type BatchPlan, planBatch } from './batch-plan.js';
import { connectClient, isConnectionFailure, messageOf, sqlStateOf } from './connection.js';
import { checkDurability } from './durability.js';
import type { SafeIdentifier } from './identifiers.js';
import { migrate } from './schema.js';
import { type EventStatements, eventStatements } from './statements.js';
import { acquireWriterLock } from './writer-lock.js';

export interface TenantWriterOptions {
  readonly connectionString: string;
  readonly schema: SafeIdentifier;
  /** host:port/database, for messages. */
  readonly where: string;
  readonly allowUnsafeDurability: boolean;
  readonly createDatabase: boolean;
  /** How long a reconnect waits for this store's own previous session to let go of the lock. */
  readonly lockWaitMs?: number;
  /** A statement on the writer connection that has not answered by then counts as a lost connection. */
  readonly queryTimeoutMs?: number;
}

/**
 * The tenant's only writer: one dedicated connection holding the schema's session-level advisory lock for the
 * store's lifetime. Everything the store writes goes through it (event batches, stream appends, processor states,
 * read models, definitions, received events), one write at a time, each in one transaction, so the lock fences all
 * of it and a write queued after a commit sees that commit. Commits number their events from an in-memory counter
 * per scope, read from the log when the connection is (re)established; other writes to the log number theirs in SQL
 * from the log's last row, and the counter follows them (`transactOnLog`).
 *
 * When a write's outcome is uncertain (the connection dropped, or a statement failed in a way that leaves the
 * transaction's fate unknown) it is rejected with `StoreUnavailable` and nothing is acknowledged. Before the next
 * write the writer reconnects, ends its former session if the server still has it, re-takes the lock and re-reads
 * the log's true end, so a sequence number is never given twice nor skipped. If another process has taken the lock
 * meanwhile, or the log holds events this writer did not write, writing stops for good (`StoreLocked` /
 * `StoreConsistency`).
 */
export class TenantWriter {
  readonly #options: TenantWriterOptions;
  readonly #statements: EventStatements;
  #client: pg.Client | undefined;
  #pid: number | undefined;
  /** Why the next write must reconnect first; undefined while the connection is trusted. */
  #uncertain: unknown;
  /** Set once writing must stop for good; every later write is rejected with it. */
  #stopped: DolittleError | undefined;
  #closed = false;
  /** Writes run strictly one after another, whatever the caller does. */
  #tail: Promise<unknown> = Promise.resolve();
  readonly #next = new Map<ScopeId, number>();

  private constructor(options: TenantWriterOptions) {
    this.#options = options;
    this.#statements = eventStatements(options.schema);
  }

  /** Connects, checks durability, takes the writer lock, creates or migrates the schema, reads the log's end. */
  static async open(options: TenantWriterOptions, signal?: AbortSignal): Promise<TenantWriter> {
    const writer = new TenantWriter(options);
    const client = await writer.#connect(options.createDatabase);
    try {
      signal?.throwIfAborted();
      await checkDurability(client, options.where, options);
      await acquireWriterLock(client, options.schema, options.where, { waitMs: 0 });
      signal?.throwIfAborted();
      await migrate(client, options.schema);
      await writer.#readEnd(client, defaultScope);
    } catch (error) {
      await client.end().catch(() => {});
      if (error instanceof DolittleError || signal?.aborted) throw error;
      throw new StoreUnavailable(
        `could not open the tenant store in schema ${options.schema} at ${options.where}: ${messageOf(error)}`,
        { cause: error },
      );
    }
    writer.#use(client);
    return writer;
  }

  commit(batch: readonly Commit[], options: CommitBatchOptions): Promise<readonly CommitOutcome[]> {
    return this.#enqueue(() => this.#commit(batch, options));
  }

  /**
   * Runs `statements` as one transaction on the writer connection, after every write queued before it: a single
   * statement on its own (its implicit transaction), several between BEGIN and COMMIT. They are pipelined, so the
   * write costs one round trip. Resolves with each statement's result once PostgreSQL has committed. `what` says
   * what is written, for messages ("appending 3 events to private stream … in scope …").
   *
   * A value PostgreSQL refuses (SQLSTATE class 22 data exceptions, a null or a check constraint violated, 54000
   * an index entry too large) rejects with `InvalidArgument`, any other refusal with `StoreUnavailable`; either way
   * the transaction was rolled back. When the outcome is unknown it rejects with `StoreUnavailable`, and the writer
   * reconnects before the next write.
   */
  transact(what: string, statements: readonly pg.QueryConfig[]): Promise<pg.QueryResult[]> {
    return this.#enqueue(() => this.#transact(what, statements));
  }

  /**
   * `transact` for a write that appends to `scope`'s event log besides `commit` (a subscription's receive). Such a
   * write numbers its events in SQL, on from the log's last row, so it is right whatever this writer counted.
   * `nextOf` reads from the results the log's next sequence number after the write (undefined when it appended
   * nothing), and the counter `commit` numbers the scope's events from follows it. A write that fails leaves the
   * log as it was, or, when its outcome is unknown, makes the writer re-read every counter before the next write.
   */
  transactOnLog(
    what: string,
    scope: ScopeId,
    statements: readonly pg.QueryConfig[],
    nextOf: (results: readonly pg.QueryResult[]) => number | undefined,
  ): Promise<pg.QueryResult[]> {
    return this.#enqueue(async () => {
      const results = await this.#transact(what, statements);
      const next = nextOf(results);
      if (next !== undefined && this.#next.has(scope)) this.#next.set(scope, next);
      return results;
    });
  }

  /** Waits for the writes queued so far, then ends the connection, which releases the lock. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return this.#tail.then(() => undefined);
    this.#closed = true;
    const closing = this.#tail.then(async () => {
      const client = this.#client;
      this.#client = undefined;
      await client?.end().catch(() => {});
    });
    this.#tail = closing;
    await closing;
  }

  #enqueue<T>(write: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(write);
    // A write whose outcome was uncertain is followed at once by a reconnect that re-reads the log, before any
    // next write; if that fails too, the next write tries again first.
    this.#tail = result.then(
      () => undefined,
      () => (this.#uncertain !== undefined && !this.#closed ? this.#recover().catch(() => {}) : undefined),
    );
    return result;
  }

  /** The connection to write on: the trusted one, or a new one after an uncertain outcome. */
  async #writable(): Promise<pg.Client> {
    if (this.#closed) {
      throw new StoreUnavailable(`the tenant store in schema ${this.#options.schema} is closed`);
    }
    if (this.#stopped !== undefined) throw this.#stopped;
    return this.#uncertain === undefined && this.#client !== undefined ? this.#client : await this.#recover();
  }

  async #transact(what: string, statements: readonly pg.QueryConfig[]): Promise<pg.QueryResult[]> {
    const client = await this.#writable();
    const alone = statements.length === 1;
    const sent = alone
      ? [client.query(statements[0] as pg.QueryConfig)]
      : inOneWrite(client, () => [
          client.query('BEGIN'),
          ...statements.map((statement) => client.query(statement)),
          client.query('COMMIT'),
        ]);
    const settled = await Promise.allSettled(sent);
    const failed = settled.find((outcome) => outcome.status === 'rejected');
    let refused: unknown = failed?.reason;
    if (failed === undefined) {
      const results = settled.map((outcome) => (outcome as PromiseFulfilledResult<pg.QueryResult>).value);
      if (alone) return results;
      if (results.at(-1)?.command === 'COMMIT') return results.slice(1, -1);
      refused = new Error(`COMMIT answered ${results.at(-1)?.command}: the transaction was rolled back`);
    }
    // A statement the server refused aborts the transaction: alone it is rolled back, in a transaction the COMMIT
    // behind it answers ROLLBACK. Anything else (a lost connection, a COMMIT without an answer) is uncertain.
    const last = settled.at(-1);
    const rolledBack =
      !isConnectionFailure(refused) && (alone || (last?.status === 'fulfilled' && last.value.command === 'ROLLBACK'));
    const { schema, where } = this.#options;
    if (!rolledBack) {
      this.#markUncertain(client, refused);
      throw new StoreUnavailable(
        `the connection to ${where} failed while ${what} in schema ${schema}, so it may or may not have been written; it is not acknowledged. The store reconnects before the next write: ${messageOf(refused)}`,
        { cause: refused },
      );
    }
    const state = sqlStateOf(refused);
    if (state?.startsWith('22') || state === '23502' || state === '23514' || state === '54000') {
      throw new InvalidArgument(what, `PostgreSQL refused a value, and nothing was written: ${messageOf(refused)}`);
    }
    throw new StoreUnavailable(
      `PostgreSQL at ${where} refused ${what} in schema ${schema}, and nothing was written: ${messageOf(refused)}`,
      { cause: refused },
    );
  }

  async #commit(batch: readonly Commit[], options: CommitBatchOptions): Promise<readonly CommitOutcome[]> {
    const client = await this.#writable();
    const scope = defaultScope;
    const next = this.#next.get(scope) ?? (await this.#run(client, undefined, () => this.#readEnd(client, scope)));
    const aggregates = aggregatesOf(batch);
    const occurred = options.occurred;

    if (aggregates.rootIds.length === 0) {
      // No versions to check: the insert alone is the batch's one (implicit) transaction.
      const plan = planBatch(batch, { scope, nextSequenceNumber: next, versions: new Map(), occurred });
      if (plan.count === 0) return plan.outcomes;
      await this.#run(client, plan, () => this.#append(client, scope, plan, occurred));
      this.#next.set(scope, next + plan.count);
      return plan.outcomes;
    }

    let plan: BatchPlan | undefined;
    await this.#run(client, undefined, async () => {
      // The writer connection pipelines: BEGIN goes out with the version read, the append with COMMIT, so the
      // batch costs two round trips. Every statement has its own Sync, so a refused one does not take the
      // others with it, and a COMMIT behind a refused statement ends the aborted transaction as a ROLLBACK.
      const [began, read] = await Promise.allSettled(
        inOneWrite(client, () => [client.query('BEGIN'), this.#versions(client, aggregates)]),
      );
      if (began.status === 'rejected') throw began.reason;
      if (read.status === 'rejected') return this.#rollBack(client, read.reason);
      try {
        plan = planBatch(batch, { scope, nextSequenceNumber: next, versions: read.value, occurred });
      } catch (error) {
        return this.#rollBack(client, error);
      }
      if (plan.count === 0) return this.#rollBack(client, undefined);
      const [appended, committed] = await Promise.allSettled(
        inOneWrite(client, () => [this.#append(client, scope, plan as BatchPlan, occurred), client.query('COMMIT')]),
      );
      if (appended.status === 'rejected') {
        if (committed.status === 'fulfilled' && committed.value.command === 'ROLLBACK') throw appended.reason;
        throw uncertain(appended.reason);
      }
      if (committed.status === 'rejected') throw uncertain(committed.reason);
      if (committed.value.command !== 'COMMIT') {
        throw new Error(`COMMIT answered ${committed.value.command}: the transaction was rolled back`);
      }
    });
    const written = plan as BatchPlan | undefined;
    if (written === undefined) throw new Error('unreachable: a batch that was not planned did not throw');
    if (written.count > 0) this.#next.set(scope, next + written.count);
    return written.outcomes;
  }

  /** Ends the open transaction, then rethrows `reason` if given. A lost connection is rethrown at once. */
  async #rollBack(client: pg.Client, reason: unknown): Promise<void> {
    if (reason !== undefined && !(reason instanceof DolittleError) && isConnectionFailure(reason)) throw reason;
    await client.query('ROLLBACK');
    if (reason !== undefined) throw reason;
  }

  /**
   * Runs a batch's statements and turns their failures into the errors the port promises. Any failure whose
   * outcome is unknown marks the writer uncertain, so the next write reconnects and re-reads the log first.
   */
  async #run<T>(client: pg.Client, plan: BatchPlan | undefined, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof DolittleError) throw error; // InvalidArgument from planning: nothing was sent.
      const { schema, where } = this.#options;
      if (sqlStateOf(error) === '23505') {
        this.#stopped = new StoreConsistency(
          `the event log in schema ${schema} at ${where} already holds sequence numbers this Runtime was about to assign${plan === undefined ? '' : ` (from ${plan.firstSequenceNumber})`}: another process wrote to it without the writer lock. Writing has stopped; restart once only one Runtime writes this tenant`,
          { cause: error },
        );
        this.#markUncertain(client, error);
        throw this.#stopped;
      }
      if (error instanceof UncertainOutcome || isConnectionFailure(error)) {
        this.#markUncertain(client, error);
        throw new StoreUnavailable(
          `the connection to ${where} failed while committing to schema ${schema}, so this batch may or may not have been written; it is not acknowledged. The store reconnects and re-reads the event log before the next write: ${messageOf(error)}`,
          { cause: error },
        );
      }
      throw new StoreUnavailable(`PostgreSQL at ${where} refused the batch for schema ${schema}: ${messageOf(error)}`, {
        cause: error,
      });
    }
  }

  async #append(client: pg.Client, scope: ScopeId, plan: BatchPlan, occurred: Date): Promise<void> {
    const c = plan.columns;
    await client.query({
      ...this.#statements.append,
      values: [
        scope,
        plan.firstSequenceNumber,
        occurred,
        c.executionContexts,
        c.eventSourceIds,
        c.typeIds,
        c.typeGenerations,
        c.publics,
        c.contents,
        c.contextIndexes,
        c.aggregateRootIds,
        c.aggregateVersions,
        plan.aggregates.rootIds,
        plan.aggregates.eventSourceIds,
        plan.aggregates.versions,
      ],
    });
  }

  async #versions(
    client: pg.Client,
    aggregates: { readonly rootIds: string[]; readonly eventSourceIds: string[] },
  ): Promise<Map<string, number>> {
    // Not a named statement: a generic plan made while the table was small would keep scanning all of it.
    const result = await client.query<{ aggregate_root_id: string; event_source_id: string; version: string }>({
      text: this.#statements.versions.text,
      values: [aggregates.rootIds, aggregates.eventSourceIds],
    });
    const versions = new Map<string, number>();
    for (const row of result.rows) {
      versions.set(aggregateKey(row.aggregate_root_id, row.event_source_id), Number(row.version));
    }
    return versions;
  }

  async #readEnd(client: pg.Client, scope: ScopeId): Promise<number> {
    const result = await client.query<{ next: string }>({ ...this.#statements.nextSequenceNumber, values: [scope] });
    const next = Number(result.rows[0]?.next ?? 0);
    this.#next.set(scope, next);
    return next;
  }

  #markUncertain(client: pg.Client, cause: unknown): void {
    if (client !== this.#client) return;
    this.#uncertain = cause;
  }

  /**
   * Replaces the writer connection after an uncertain outcome: a new session, the lock re-taken (ending our
   * former session if the server still has it), durability re-checked and every counter re-read from the log.
   */
  async #recover(): Promise<pg.Client> {
    if (this.#stopped !== undefined) throw this.#stopped;
    if (this.#uncertain === undefined && this.#client !== undefined) return this.#client;
    const { schema, where } = this.#options;
    const former = this.#client;
    const formerPid = this.#pid;
    this.#client = undefined;
    this.#uncertain ??= new Error('no writer connection');
    // Ending a half-dead connection can wait for answers that never come; the lock step below ends its session
    // on the server anyway.
    if (former !== undefined) await Promise.race([former.end().catch(() => {}), sleep(1_000)]);

    let client: pg.Client;
    try {
      client = await this.#connect(false);
    } catch (error) {
      throw new StoreUnavailable(
        `the writer connection to ${where} for schema ${schema} was lost and reconnecting failed; commits resume once it answers: ${messageOf(error)}`,
        { cause: error },
      );
    }
    try {
      await checkDurability(client, where, this.#options);
      await acquireWriterLock(client, schema, where, { formerPid, waitMs: this.#options.lockWaitMs ?? 5_000 });
      this.#next.clear();
      await this.#readEnd(client, defaultScope);
    } catch (error) {
      await client.end().catch(() => {});
      if (error instanceof StoreLocked) {
        this.#stopped = new StoreLocked(
          `${error.message}. It took the lock while this Runtime was reconnecting, so this Runtime has stopped writing schema ${schema}`,
          { cause: error },
        );
        throw this.#stopped;
      }
      if (error instanceof DolittleError) throw error;
      throw new StoreUnavailable(
        `reconnecting the writer to ${where} for schema ${schema} failed; commits resume once it answers: ${messageOf(error)}`,
        { cause: error },
      );
    }
    this.#use(client);
    return client;
  }

  #use(client: pg.Client): void {
    this.#client = client;
    this.#pid = (client as unknown as { processID: number }).processID;
    this.#uncertain = undefined;
    // A connection that dies between writes is replaced before the next one, not discovered half-way.
    const lost = (cause: unknown) => this.#markUncertain(client, cause);
    client.on('error', lost);
    client.on('end', () => lost(new Error('the writer connection ended')));
  }

  #connect(createDatabase: boolean): Promise<pg.Client> {
    return connectClient(
      {
        connectionString: this.#options.connectionString,
        application_name: `dolittle-ts writer ${this.#options.schema}`.slice(0, 63),
        keepAlive: true,
        pipeline: true,
        query_timeout: this.#options.queryTimeoutMs ?? 60_000,
      },
      { createDatabase },
    );
  }
}

/**
 * Runs `send`, which queues statements on the pipelining writer connection, with the socket corked: node-postgres
 * writes each statement on its own, so a transaction would otherwise cost the Runtime a system call and PostgreSQL a
 * wake-up per statement. `send` must queue synchronously (node-postgres sends a pipelined query as it is queued).
 */
function inOneWrite<T>(client: pg.Client, send: () => T): T {
  const stream = (client as unknown as { connection?: { stream?: { cork?(): void; uncork?(): void } } }).connection
    ?.stream;
  stream?.cork?.();
  try {
    return send();
  } finally {
    stream?.uncork?.();
  }
}

/** A statement failed in a way that leaves unknown whether the transaction committed. */
class UncertainOutcome extends Error {}

function uncertain(cause: unknown): UncertainOutcome {
  return new UncertainOutcome(messageOf(cause), { cause });
}
