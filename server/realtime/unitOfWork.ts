import type { Database } from '../db/database'
import type { EventLog, EventSink, EventStream, OutgoingEvent } from './eventLog'

/** Something that sends events to connected sockets (the connection hub). */
export interface EventDelivery {
  /**
   * Delivers a committed batch in order, coalescing each socket's frames into one write. `then`
   * runs after the last event and before those writes go out, so the frames it sends to the same
   * sockets (acks) join them.
   */
  deliverAll(events: readonly OutgoingEvent[], then?: () => void): void
}

/** Told the outcome of the batch a unit of work joined, synchronously at commit. */
export interface CommitListener {
  committed(): void
  failed(error: unknown): void
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
 * client is told "stored" before the commit; and a connecting socket calls `flush()` before each read
 * of its replay, so it replays committed data only (see streamSession).
 */
export class UnitOfWork {
  private batchOpen = false
  private pendingEvents: OutgoingEvent[] = []
  private listeners: CommitListener[] = []

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
      toMember: (type, data, conversationId, userId) =>
        add(type, data, [userId], { kind: 'conversation', conversationId, onlyUserId: userId }),
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
    return new Promise((resolve, reject) =>
      this.whenCommitted({ committed: resolve, failed: reject }),
    )
  }

  /**
   * Tells `listener` when everything written so far is committed (at once when nothing is
   * pending). Unlike `durable()`, `committed` runs inside the batch's delivery, after its events
   * were sent and before the sockets' writes go out: a frame it sends shares their syscall.
   */
  whenCommitted(listener: CommitListener): void {
    if (this.batchOpen) this.listeners.push(listener)
    else listener.committed()
  }

  /** Commits the open batch and delivers its events; a no-op without one. */
  flush(): void {
    if (!this.batchOpen) return
    this.batchOpen = false
    const events = this.pendingEvents
    const listeners = this.listeners
    this.pendingEvents = []
    this.listeners = []
    try {
      this.db.sqlite.exec('COMMIT')
    } catch (error) {
      if (this.db.sqlite.inTransaction) this.db.sqlite.exec('ROLLBACK')
      for (const listener of listeners) listener.failed(error)
      return
    }
    if (listeners.length === 0) this.delivery.deliverAll(events)
    else this.delivery.deliverAll(events, () => notifyCommitted(listeners))
  }

  private openBatch(): void {
    if (this.batchOpen) return
    this.db.sqlite.exec('BEGIN IMMEDIATE')
    this.batchOpen = true
    setImmediate(() => this.flush())
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
