import type { Database } from '../db/database'
import type { EventLog, EventSink, EventStream, OutgoingEvent } from './eventLog'

/** Something that sends events to connected sockets (the connection hub). */
export interface EventDelivery {
  /** Delivers a committed batch in order, coalescing each socket's frames into one write. */
  deliverAll(events: readonly OutgoingEvent[]): void
}

/** Who is in a stream right now (the live audience of a stream event). */
export interface StreamAudiences {
  memberIds(conversationId: number): number[]
  peersOf(userId: number): number[]
}

/**
 * Runs a change and the events it causes as one unit, with group commit.
 *
 * Each unit is a SAVEPOINT inside one transaction that stays open for the rest of the current
 * turn of the event loop; `flush()` (scheduled with setImmediate, so before any later I/O is
 * handled) commits that transaction and only then delivers the events of every unit in it, in
 * order. So a client never sees an event whose change was rolled back, never misses one that was
 * stored, and many requests arriving together cost one commit instead of one each (a commit
 * rewrites every page the units dirtied, and units in one turn share most of them).
 *
 * Two rules keep the guarantees: an HTTP response waits for `durable()` (an onSend hook), so no
 * client is told "stored" before the commit; and a connecting socket calls `flush()` before its
 * replay, so replay-then-register still happens in one synchronous step on committed data.
 */
export class UnitOfWork {
  private batchOpen = false
  private pendingEvents: OutgoingEvent[] = []
  private waiters: { resolve(): void; reject(error: unknown): void }[] = []

  constructor(
    private readonly db: Database,
    private readonly log: EventLog,
    private readonly delivery: EventDelivery,
    private readonly audiences: StreamAudiences,
  ) {}

  run<T>(work: (events: EventSink) => T): T {
    const pending: OutgoingEvent[] = []
    const add = (
      type: Parameters<EventSink['emit']>[0],
      data: Parameters<EventSink['emit']>[1],
      audience: readonly number[],
      stream?: EventStream,
    ) => {
      if (audience.length > 0) pending.push(this.log.create(type, data, audience, true, stream))
      return audience.length
    }
    const sink: EventSink = {
      emit: (type, data, audience) => add(type, data, [...new Set(audience)]),
      toConversation: (type, data, conversationId, exceptUserId) => {
        const members = this.audiences.memberIds(conversationId)
        const audience =
          exceptUserId === undefined ? members : members.filter((id) => id !== exceptUserId)
        return add(type, data, audience, { kind: 'conversation', conversationId, exceptUserId })
      },
      toPeers: (type, data, userId) =>
        add(type, data, this.audiences.peersOf(userId), { kind: 'peers', userId }),
    }
    this.openBatch()
    // Inside the open transaction better-sqlite3 runs this as a savepoint: a unit that throws
    // rolls back alone and the rest of the batch stays.
    const result = this.db.transaction(() => work(sink))
    this.pendingEvents.push(...pending)
    return result
  }

  /** Resolves once everything written so far is committed (at once when nothing is pending). */
  durable(): Promise<void> {
    if (!this.batchOpen) return Promise.resolve()
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }))
  }

  /** Commits the open batch and delivers its events; a no-op without one. */
  flush(): void {
    if (!this.batchOpen) return
    this.batchOpen = false
    const events = this.pendingEvents
    const waiters = this.waiters
    this.pendingEvents = []
    this.waiters = []
    try {
      this.db.sqlite.exec('COMMIT')
    } catch (error) {
      if (this.db.sqlite.inTransaction) this.db.sqlite.exec('ROLLBACK')
      for (const waiter of waiters) waiter.reject(error)
      return
    }
    this.delivery.deliverAll(events)
    for (const waiter of waiters) waiter.resolve()
  }

  private openBatch(): void {
    if (this.batchOpen) return
    this.db.sqlite.exec('BEGIN IMMEDIATE')
    this.batchOpen = true
    setImmediate(() => this.flush())
  }
}
