import type { Compilable } from 'kysely'
import type { RawSql } from '../database'
import type {
  ControlEvent,
  EventDelivery,
  EventSink,
  EventStream,
  OutgoingEvent,
} from '../eventSink'
import type { CommitListener, CommitObserver, Tx, UnitOfWork } from '../unitOfWork'
import type { SqliteDatabase } from './sqliteDatabase'
import type { SqliteEventLog } from './sqliteEventLog'

/**
 * Group commit on SQLite. Each unit is a SAVEPOINT inside one transaction that stays open for the
 * rest of the current turn of the event loop; the commit (scheduled with setImmediate, so before
 * any later I/O is handled) commits that transaction and only then delivers the events of every
 * unit in it, in order, in the same synchronous step. A commit rewrites every page the units
 * dirtied, and units of one turn share most of them, so many requests arriving together cost one
 * commit instead of one each.
 *
 * Units run one at a time (a savepoint rolled back must take only its own unit's writes with it).
 * Their queries are synchronous underneath (better-sqlite3), so a unit that awaits only them ends
 * within its turn and the next one rarely waits. One that awaits something else holds the others
 * (and the commit) until it ends: see UnitOfWork.run.
 */
export class SqliteUnitOfWork implements UnitOfWork {
  private batchOpen = false
  private pendingEvents: OutgoingEvent[] = []
  private pendingControls: ControlEvent[] = []
  private listeners: CommitListener[] = []
  /** A unit is between its SAVEPOINT and its RELEASE. */
  private running = false
  /** Units waiting for the running one, in arrival order. */
  private readonly waiting: (() => void)[] = []
  /** The turn ended while a unit was running: commit as soon as it ends. */
  private commitWanted = false
  /** Why SQLite cancelled the open batch's transaction, when it did (see run). */
  private lostBatch: unknown
  private readonly statements

  constructor(
    private readonly db: SqliteDatabase,
    private readonly log: SqliteEventLog,
    private readonly delivery: EventDelivery,
    private readonly observer?: CommitObserver,
  ) {
    const s = db.sqlite
    this.statements = {
      begin: s.prepare('BEGIN IMMEDIATE'),
      commit: s.prepare('COMMIT'),
      savepoint: s.prepare('SAVEPOINT unit'),
      release: s.prepare('RELEASE unit'),
      rollbackTo: s.prepare('ROLLBACK TO unit'),
      memberIds: s
        .prepare<[number], number>(
          'select user_id from conversation_members where conversation_id = ?',
        )
        .pluck(),
      peersOf: s
        .prepare<[number, number], number>(
          `select distinct other.user_id from conversation_members mine
           join conversation_members other on other.conversation_id = mine.conversation_id
           where mine.user_id = ? and other.user_id != ?`,
        )
        .pluck(),
    }
  }

  async run<T>(work: (tx: SqliteTx) => Promise<T>): Promise<T> {
    await this.takeTurn()
    try {
      this.openBatch()
      const tx = new SqliteTx(this.db, this)
      this.statements.savepoint.run()
      let result: T
      try {
        result = await work(tx)
      } catch (error) {
        if (this.db.sqlite.inTransaction) {
          this.statements.rollbackTo.run()
          this.statements.release.run()
        } else {
          // SQLite cancelled the whole transaction, not only this unit's statement (it may, on
          // SQLITE_FULL, an I/O error or out of memory): the batch's earlier units are gone too.
          // A new transaction takes the batch's place, so that the units after this one stay
          // in a batch, and the batch fails as a whole at its commit (see commit).
          this.lostBatch ??= error
          this.statements.begin.run()
        }
        throw error
      }
      this.statements.release.run()
      this.pendingEvents.push(...tx.pending)
      this.pendingControls.push(...tx.controls)
      return result
    } finally {
      this.endTurn()
    }
  }

  /** SQLite has one connection: a transaction without events is a unit that emits none. */
  transaction<T>(work: (tx: SqliteTx) => Promise<T>): Promise<T> {
    return this.run(work)
  }

  durable(): Promise<void> {
    if (!this.batchOpen) return Promise.resolve()
    return new Promise((resolve, reject) =>
      this.whenCommitted({ committed: resolve, failed: reject }),
    )
  }

  whenCommitted(listener: CommitListener): void {
    if (this.batchOpen) this.listeners.push(listener)
    else listener.committed()
  }

  async flush(): Promise<void> {
    if (this.running) {
      this.commitWanted = true
      await this.durable()
    } else {
      this.commit()
    }
  }

  /** Builds an event of the unit running now and stores it (see SqliteTx). */
  create<K extends OutgoingEvent['type']>(
    type: K,
    data: unknown,
    audience: readonly number[],
    stream?: EventStream,
  ): OutgoingEvent {
    return this.log.create(type, data as never, audience, true, stream)
  }

  memberIds(conversationId: number): number[] {
    return this.statements.memberIds.all(conversationId)
  }

  peersOf(userId: number): number[] {
    return this.statements.peersOf.all(userId, userId)
  }

  /** Waits until no other unit runs, then holds the turn. */
  private takeTurn(): Promise<void> | undefined {
    if (!this.running) {
      this.running = true
      return undefined
    }
    return new Promise((resolve) => this.waiting.push(resolve))
  }

  /** Hands the turn to the next waiting unit (it stays taken), or frees it. */
  private endTurn(): void {
    if (this.commitWanted) {
      this.commitWanted = false
      this.commit()
    }
    const next = this.waiting.shift()
    if (next) next()
    else this.running = false
  }

  private openBatch(): void {
    if (this.batchOpen) return
    this.statements.begin.run()
    this.batchOpen = true
    setImmediate(() => {
      if (this.running) this.commitWanted = true
      else this.commit()
    })
  }

  /** Commits the open batch and delivers its events; a no-op without one. */
  private commit(): void {
    if (!this.batchOpen) return
    this.batchOpen = false
    const events = this.pendingEvents
    const controls = this.pendingControls
    const listeners = this.listeners
    this.pendingEvents = []
    this.pendingControls = []
    this.listeners = []
    const started = this.observer ? performance.now() : 0
    const lost = this.lostBatch
    this.lostBatch = undefined
    if (lost !== undefined) {
      // Some of the batch was cancelled: none of it is kept, and every unit of it is told so.
      if (this.db.sqlite.inTransaction) this.db.sqlite.exec('ROLLBACK')
      for (const listener of listeners) listener.failed(lost)
      return
    }
    try {
      this.statements.commit.run()
    } catch (error) {
      if (this.db.sqlite.inTransaction) this.db.sqlite.exec('ROLLBACK')
      for (const listener of listeners) listener.failed(error)
      return
    }
    this.observer?.committed(events.length, (performance.now() - started) / 1000)
    if (listeners.length === 0) this.delivery.deliverAll(events, controls)
    else this.delivery.deliverAll(events, controls, () => notifyCommitted(listeners))
  }
}

/**
 * One unit's view: the database's queries (one connection, inside the open transaction) and the
 * unit's events. Stream events get their live audience now, in the same transaction: one writer
 * means nobody else can change who is a member before this commits.
 */
export class SqliteTx implements Tx, EventSink {
  readonly dialect = 'sqlite' as const
  readonly pending: OutgoingEvent[] = []
  readonly controls: ControlEvent[] = []

  constructor(
    private readonly db: SqliteDatabase,
    private readonly work: SqliteUnitOfWork,
  ) {}

  get q() {
    return this.db.q
  }

  get events(): EventSink {
    return this
  }

  all<O>(query: Compilable<O>): Promise<O[]> {
    return this.db.all(query)
  }

  first<O>(query: Compilable<O>): Promise<O | undefined> {
    return this.db.first(query)
  }

  run(query: Compilable<unknown>): Promise<number> {
    return this.db.run(query)
  }

  allRaw<O>(statement: RawSql, parameters: readonly unknown[]): Promise<O[]> {
    return this.db.allRaw(statement, parameters)
  }

  firstRaw<O>(statement: RawSql, parameters: readonly unknown[]): Promise<O | undefined> {
    return this.db.firstRaw(statement, parameters)
  }

  runRaw(statement: RawSql, parameters: readonly unknown[]): Promise<number> {
    return this.db.runRaw(statement, parameters)
  }

  /** The spans follow conversation_members by trigger on SQLite. */
  membershipChanged(): void {}

  emit(type: OutgoingEvent['type'], data: unknown, audience: Iterable<number>): void {
    this.add(type, data, [...new Set(audience)])
  }

  toConversation(
    type: OutgoingEvent['type'],
    data: unknown,
    conversationId: number,
    exceptUserId?: number,
  ): void {
    const members = this.work.memberIds(conversationId)
    const audience =
      exceptUserId === undefined ? members : members.filter((id) => id !== exceptUserId)
    this.add(type, data, audience, { kind: 'conversation', conversationId, exceptUserId })
  }

  toMember(type: OutgoingEvent['type'], data: unknown, conversationId: number, userId: number) {
    this.add(type, data, [userId], { kind: 'conversation', conversationId, onlyUserId: userId })
  }

  /** Returns the audience's size (presence bounds its batches by it). */
  toPeers(type: OutgoingEvent['type'], data: unknown, userId: number): number {
    return this.add(type, data, this.work.peersOf(userId), { kind: 'peers', userId })
  }

  control(event: ControlEvent): void {
    this.controls.push(event)
  }

  /**
   * Stores an event with this audience; one nobody would receive is not stored at all. Returns
   * the audience's size.
   */
  private add(
    type: OutgoingEvent['type'],
    data: unknown,
    audience: readonly number[],
    stream?: EventStream,
  ): number {
    if (audience.length > 0) this.pending.push(this.work.create(type, data, audience, stream))
    return audience.length
  }
}

/** A listener that throws must not keep the others from hearing of the commit. */
function notifyCommitted(listeners: readonly CommitListener[]): void {
  let firstError: unknown
  for (const listener of listeners) {
    try {
      listener.committed()
    } catch (error) {
      firstError ??= error
    }
  }
  if (firstError !== undefined) throw firstError
}
