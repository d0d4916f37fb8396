import type pg from 'pg'
import type { Queryable } from '../database'
import type { ControlEvent, EventSink } from '../eventSink'
import type { CommitListener, CommitObserver, Tx, UnitOfWork } from '../unitOfWork'
import {
  appendEventsAndCommit,
  pendingControl,
  pendingEvent,
  type PendingEvent,
  type SpanChange,
} from './eventAppender'
import { PgQueryable, type PostgresDatabase } from './postgresDatabase'

/**
 * Units per batch at most, and how long a batch takes new units at most when nothing else is
 * committing (while the node's batch before it commits, it takes units until that ends: closing
 * it sooner would not commit it sooner, commits being in order).
 */
const MAX_UNITS = 500
const MAX_OPEN_MS = 20

/** What the unit of work needs from the node's delivery (postgres/eventTailer). */
export interface AppendedEvents {
  /** Tells `listener` once this node has delivered the event `lastId` (see CommitListener). */
  whenDelivered(lastId: number, listener: CommitListener): void
  /** Events were committed: read them now rather than at the next poll. */
  committed(): void
}

/**
 * Group commit on PostgreSQL. The units of a batch run one after the other in one transaction on
 * one pooled connection, each in a savepoint. A batch closes when no unit waits at the end of a
 * turn of the event loop and the batch before it has committed (or after MAX_UNITS units or
 * MAX_OPEN_MS), and a new one opens on another connection for the units that come after: while
 * one batch commits, the next gathers every unit that arrives meanwhile, so the busier the node,
 * the more units share a commit, and a node holds two connections for its batches, not one per
 * batch waiting to commit. A closed batch appends its events with the statement that takes
 * the cluster-wide event-order lock and hands out their ids (tidings_append) and commits in the
 * same round trip, which releases the lock: ids are in commit order across every node, so a node
 * reading the log after the last id it delivered never misses one that committed late (see
 * ../../../docs/architecture.md). The lock is held for that one round trip's work in PostgreSQL,
 * once per batch rather than once per unit, which is what bounds the cluster's event throughput.
 *
 * Delivery is not done here: every node, this one included, reads committed events from the log
 * in id order (eventTailer), so that the order of delivery is the same on every node.
 */
export class PostgresUnitOfWork implements UnitOfWork {
  private open: Batch | undefined
  /** Batches closed and not yet committed, oldest first; each commits after the one before. */
  private readonly closing: Batch[] = []
  private lastCommit: Promise<unknown> = Promise.resolve()
  /** The last event id this node's batches were given (0 before the first). */
  private lastCommittedId = 0

  constructor(
    private readonly db: PostgresDatabase,
    private readonly delivery: AppendedEvents,
    private readonly nodeId: string,
    private readonly observer?: CommitObserver,
  ) {}

  run<T>(work: (tx: PgTx) => Promise<T>): Promise<T> {
    let batch = this.open
    if (batch && (batch.size >= MAX_UNITS || (batch.expired && this.closing.length === 0))) {
      this.close(batch)
      batch = undefined
    }
    batch ??= this.open = new Batch(this.db, this.nodeId, (b) => this.idle(b), this.observer)
    return batch.enqueue(work)
  }

  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.db.transaction(work)
  }

  /**
   * Resolves once everything written so far is committed and delivered to this node's sockets,
   * as on SQLite: a client told "stored" by an HTTP response has had the events it caused written
   * to its sockets on this node first.
   */
  durable(): Promise<void> {
    if (!this.open && this.closing.length === 0) return Promise.resolve()
    return new Promise((resolve, reject) =>
      this.whenCommitted({ committed: resolve, failed: reject }),
    )
  }

  /**
   * Tells `listener` once the latest batch is committed and delivered here (batches commit in
   * order, and the tail delivers in id order, so the batches before it are too).
   */
  whenCommitted(listener: CommitListener): void {
    const batch = this.open ?? this.closing.at(-1)
    if (batch) batch.listeners.push(listener)
    else this.delivery.whenDelivered(this.lastCommittedId, listener)
  }

  async flush(): Promise<void> {
    const pending = this.durable()
    if (this.open) this.close(this.open)
    await pending
  }

  /**
   * No unit of the open `batch` waits: it closes now, unless a batch before it is still
   * committing, in which case it goes on taking units until that commit ends (see close).
   */
  private idle(batch: Batch): void {
    if (this.closing.length === 0 || batch.size >= MAX_UNITS) this.close(batch)
  }

  /** Stops taking units into `batch` and commits it after the batches closed before it. */
  private close(batch: Batch): void {
    if (batch.closed) return
    batch.closed = true
    if (this.open === batch) this.open = undefined
    this.closing.push(batch)
    const previous = this.lastCommit
    this.lastCommit = batch.done
    void previous
      .catch(() => undefined)
      .then(() => batch.commit())
      .then(
        (lastId) => {
          this.closing.splice(this.closing.indexOf(batch), 1)
          if (lastId !== null) this.lastCommittedId = Math.max(this.lastCommittedId, lastId)
          // A batch without events is delivered once the batches before it are.
          for (const listener of batch.listeners) {
            this.delivery.whenDelivered(this.lastCommittedId, listener)
          }
          if (lastId !== null) this.delivery.committed()
          batch.settle(undefined)
          this.closeIdleOpenBatch()
        },
        (error: unknown) => {
          this.closing.splice(this.closing.indexOf(batch), 1)
          for (const listener of batch.listeners) listener.failed(error)
          batch.settle(error)
          this.closeIdleOpenBatch()
        },
      )
  }

  /**
   * The batch that took units while a commit was in flight closes when that commit ends if none
   * of its units is running, or if it is past its time (its running units end first).
   */
  private closeIdleOpenBatch(): void {
    const open = this.open
    if (this.closing.length === 0 && open && (open.idle || open.expired)) this.close(open)
  }
}

/**
 * One transaction's worth of units. Opened lazily: the connection is taken from the pool and
 * BEGIN sent when the first unit runs.
 */
class Batch {
  closed = false
  readonly listeners: CommitListener[] = []
  readonly events: PendingEvent[] = []
  readonly spans: SpanChange[] = []
  /** Resolves (or rejects) once the batch committed (or failed). */
  readonly done: Promise<void>
  private settleDone!: (error: unknown) => void
  private units = 0
  private waiting = 0
  private tail: Promise<unknown> = Promise.resolve()
  private client: Promise<pg.PoolClient> | undefined
  /** A unit's SQL failed in a way that broke the transaction itself (the connection). */
  private broken: unknown
  private readonly openedAt = Date.now()
  /** The last unit's savepoint is still there (see runUnit). */
  private savepointOpen = false
  private closeCheck: NodeJS.Immediate | undefined

  constructor(
    private readonly db: PostgresDatabase,
    private readonly nodeId: string,
    private readonly closeMe: (batch: Batch) => void,
    private readonly observer: CommitObserver | undefined,
  ) {
    this.done = new Promise<void>((resolve, reject) => {
      this.settleDone = (error) => (error === undefined ? resolve() : reject(error))
    })
    // Nobody may be waiting for it (a batch of units that all failed): not an unhandled rejection.
    this.done.catch(() => undefined)
  }

  /** Units were taken and none is waiting or running. */
  get idle(): boolean {
    return this.units > 0 && this.waiting === 0
  }

  /** Units taken. */
  get size(): number {
    return this.units
  }

  /** Open for MAX_OPEN_MS or more. */
  get expired(): boolean {
    return Date.now() - this.openedAt >= MAX_OPEN_MS
  }

  settle(error: unknown): void {
    this.settleDone(error)
  }

  enqueue<T>(work: (tx: PgTx) => Promise<T>): Promise<T> {
    this.units += 1
    this.waiting += 1
    const enqueued = performance.now()
    const result = this.tail.then(() => this.runUnit(work, enqueued))
    this.tail = result.then(
      () => this.unitEnded(),
      () => this.unitEnded(),
    )
    return result
  }

  private unitEnded(): void {
    this.waiting -= 1
    if (this.waiting > 0 || this.closed) return
    // Nothing waits: close at the end of this turn unless a unit comes meanwhile.
    if (this.closeCheck) clearImmediate(this.closeCheck)
    this.closeCheck = setImmediate(() => {
      this.closeCheck = undefined
      if (this.waiting === 0) this.closeMe(this)
    })
  }

  private async connection(): Promise<pg.PoolClient> {
    this.client ??= (async () => {
      const client = await this.db.pool.connect()
      try {
        await client.query('BEGIN')
      } catch (error) {
        client.release(error as Error)
        throw error
      }
      return client
    })()
    return this.client
  }

  private async runUnit<T>(work: (tx: PgTx) => Promise<T>, enqueued: number): Promise<T> {
    if (this.broken) throw this.broken
    const started = performance.now()
    const client = await this.connection()
    const tx = new PgTx(this.db, client, this)
    // The savepoint of the unit before stays open until this one begins: releasing it and taking
    // this one's is one statement (COMMIT releases the last). It is not awaited before the unit
    // runs: the pool's connections pipeline (createPool), so the unit's first statement goes out
    // right behind it and both are answered in one round trip. Had it failed, so would every
    // statement after it in the aborted transaction, and the unit with them (caught below).
    const savepoint = client.query(
      this.savepointOpen ? 'RELEASE SAVEPOINT unit; SAVEPOINT unit' : 'SAVEPOINT unit',
    )
    savepoint.catch(() => undefined)
    this.savepointOpen = true
    let result: T
    try {
      result = await work(tx)
      await savepoint
    } catch (error) {
      try {
        await client.query('ROLLBACK TO SAVEPOINT unit')
      } catch (rollbackError) {
        this.broken = rollbackError
      }
      throw error
    }
    this.events.push(...tx.events.pending)
    for (const span of tx.spans) this.spans.push(span)
    this.observer?.unitRan?.((started - enqueued) / 1000, (performance.now() - started) / 1000)
    return result
  }

  /** Appends the events, commits, and returns the last id handed out (null: none). */
  async commit(): Promise<number | null> {
    // Every unit has ended (the batch is closed and its queue drained).
    await this.tail
    if (!this.client) return null
    const client = await this.client
    try {
      if (this.broken) throw this.broken
      let lastId: number | null = null
      let appended = 0
      const started = performance.now()
      let appendSeconds: number | undefined
      if (this.events.length > 0 || this.spans.length > 0) {
        const ids = await appendEventsAndCommit(client, this.events, this.spans)
        appendSeconds = (performance.now() - started) / 1000
        for (const id of ids) {
          if (id === null) continue
          lastId = id
          appended += 1
        }
      } else {
        await client.query('COMMIT')
      }
      client.release()
      this.observer?.committed(appended, (performance.now() - started) / 1000, appendSeconds)
      return lastId
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined)
      client.release(this.broken ? (this.broken as Error) : undefined)
      throw error
    }
  }

  /** Where the next event of the batch goes: after this many. */
  position(extra: number): number {
    return this.events.length + extra
  }

  get node(): string {
    return this.nodeId
  }
}

/** The events of one unit, held until it ends (dropped if it rolls back). */
class PgEventSink implements EventSink {
  readonly pending: PendingEvent[] = []

  emit(type: string, data: unknown, audience: Iterable<number>): void {
    const recipients = [...new Set(audience)]
    // Nobody would receive it: not stored, as on SQLite.
    if (recipients.length > 0) {
      this.pending.push(pendingEvent(type, data, { kind: 'direct' }, recipients))
    }
  }

  toConversation(type: string, data: unknown, conversationId: number, exceptUserId?: number) {
    this.pending.push(
      pendingEvent(type, data, { kind: 'conversation', conversationId, exceptUserId }),
    )
  }

  toMember(type: string, data: unknown, conversationId: number, userId: number): void {
    this.pending.push(
      pendingEvent(type, data, { kind: 'conversation', conversationId, onlyUserId: userId }),
    )
  }

  toPeers(type: string, data: unknown, userId: number): void {
    this.pending.push(pendingEvent(type, data, { kind: 'peers', userId }))
  }

  control(event: ControlEvent): void {
    this.pending.push(pendingControl(event))
  }
}

/** One unit's view: the batch's transaction, and the unit's events and membership changes. */
export class PgTx extends PgQueryable implements Tx {
  readonly events = new PgEventSink()
  readonly spans: SpanChange[] = []

  constructor(
    db: PostgresDatabase,
    client: pg.PoolClient,
    private readonly batch: Batch,
  ) {
    super(db.q, client)
  }

  membershipChanged(conversationId: number, userId: number, change: 'joined' | 'left'): void {
    this.spans.push({
      position: this.batch.position(this.events.pending.length),
      userId,
      conversationId,
      joined: change === 'joined',
    })
  }

  /**
   * A user_online or user_offline of this node's presence, kept only if it changes the user's
   * presence cluster-wide (see PendingEvent.presence); filed in the user's peer stream.
   */
  presence(
    type: 'user_online' | 'user_offline',
    data: unknown,
    userId: number,
    nodeId = this.batch.node,
  ): void {
    const event = pendingEvent(type, data, { kind: 'peers', userId })
    event.presence = { userId, nodeId, up: type === 'user_online' }
    this.events.pending.push(event)
  }
}
