import type { EventType } from '../../src/shared/eventTypes'
import type { EventDataMap } from '../../src/shared/events'
import type { Database } from '../db/database'
import { nowIso } from '../clock'

/** Recipient rows per multi-row insert (2 parameters each, well under SQLite's limit). */
const RECIPIENT_BATCH = 100

/** An event ready for delivery: serialized once, sent as the same string to every recipient. */
export interface OutgoingEvent {
  type: EventType
  id: number | null
  json: string
  audience: readonly number[]
}

/** Collects the events of one unit of work; they are delivered only after it commits. */
export interface EventSink {
  emit<T extends EventType>(type: T, data: EventDataMap[T], audience: Iterable<number>): void
}

/**
 * The persisted, per-user event streams. Each event is stored once with its serialized envelope
 * and one recipient row per user; a user's stream is their recipient rows in id order, so ids only
 * grow within every stream. Ids are assigned here rather than by SQLite so the stored JSON can carry
 * its own id and replay can send rows untouched.
 */
export class EventLog {
  private nextId: number
  private readonly insertEvent
  private readonly insertRecipient
  private readonly insertRecipientBatch

  /** `floor`: the highest id ever pruned; ids continue above it even when the log is empty. */
  constructor(
    private readonly db: Database,
    private readonly timezone: () => string,
    floor = 0,
  ) {
    const row = db.first(db.q.selectFrom('events').select((eb) => eb.fn.max('id').as('max')))
    this.nextId = Math.max(row?.max ?? 0, floor) + 1
    this.insertEvent = db.sqlite.prepare(
      'insert into events (id, type, created_at, payload) values (?, ?, ?, ?)',
    )
    this.insertRecipient = db.sqlite.prepare(
      'insert into event_recipients (user_id, event_id) values (?, ?)',
    )
    this.insertRecipientBatch = db.sqlite.prepare(
      `insert into event_recipients (user_id, event_id) values ${Array(RECIPIENT_BATCH).fill('(?, ?)').join(', ')}`,
    )
  }

  /** Highest id ever assigned (0 on an empty log). */
  get latestId(): number {
    return this.nextId - 1
  }

  /** Builds an event; persists it unless ephemeral. Call inside the unit of work's transaction. */
  create<T extends EventType>(
    type: T,
    data: EventDataMap[T],
    audience: readonly number[],
    persist: boolean,
  ): OutgoingEvent {
    const timestamp = nowIso()
    const id = persist ? this.nextId++ : null
    const json = JSON.stringify({ type, id, timestamp, timezone: this.timezone(), data })
    if (persist && id !== null) {
      this.insertEvent.run(id, type, timestamp, json)
      this.insertRecipients(audience, id)
    }
    return { type, id, json, audience }
  }

  /** One row per recipient, written RECIPIENT_BATCH rows per statement for large audiences. */
  private insertRecipients(audience: readonly number[], eventId: number): void {
    let i = 0
    if (audience.length >= RECIPIENT_BATCH) {
      const params = new Array<number>(RECIPIENT_BATCH * 2)
      for (; i + RECIPIENT_BATCH <= audience.length; i += RECIPIENT_BATCH) {
        for (let j = 0; j < RECIPIENT_BATCH; j += 1) {
          params[j * 2] = audience[i + j]!
          params[j * 2 + 1] = eventId
        }
        this.insertRecipientBatch.run(params)
      }
    }
    for (; i < audience.length; i += 1) this.insertRecipient.run(audience[i]!, eventId)
  }

  /** The user's newest event id, 0 when their stream is empty. */
  latestIdFor(userId: number): number {
    const row = this.db.first(
      this.db.q
        .selectFrom('event_recipients')
        .select((eb) => eb.fn.max('event_id').as('max'))
        .where('user_id', '=', userId),
    )
    return row?.max ?? 0
  }

  /** The user's events after `sinceId`, oldest first, at most `limit`. */
  after(userId: number, sinceId: number, limit: number): { id: number; payload: string }[] {
    return this.db.all(
      this.db.q
        .selectFrom('event_recipients as r')
        .innerJoin('events as e', 'e.id', 'r.event_id')
        .select(['e.id', 'e.payload'])
        .where('r.user_id', '=', userId)
        .where('r.event_id', '>', sinceId)
        .orderBy('r.event_id')
        .limit(limit),
    )
  }

  /**
   * Deletes events older than the retention window and returns the highest deleted id: a client
   * resuming from below it may have missed deleted events and must resync instead.
   */
  prune(olderThanIso: string): number {
    return this.db.transaction(() => {
      const row = this.db.first(
        this.db.q
          .selectFrom('events')
          .select((eb) => eb.fn.max('id').as('max'))
          .where('created_at', '<', olderThanIso),
      )
      const floor = row?.max ?? 0
      if (floor > 0) {
        this.db.run(this.db.q.deleteFrom('event_recipients').where('event_id', '<=', floor))
        this.db.run(this.db.q.deleteFrom('events').where('id', '<=', floor))
      }
      return floor
    })
  }
}
