import type { EventType } from '../../../src/shared/eventTypes'
import type { EventDataMap } from '../../../src/shared/events'
import { nowIso } from '../../clock'
import type { EventStream, OutgoingEvent } from '../eventSink'
import type { SqliteDatabase } from './sqliteDatabase'

/** Recipient rows per multi-row insert (2 parameters each, well under SQLite's limit). */
const RECIPIENT_BATCH = 100

const DIRECT: EventStream = { kind: 'direct' }

/**
 * The write side of the event log on SQLite: each event is stored once with its serialized
 * envelope, filed either as direct (one recipient row per user) or in a conversation or peer
 * stream (no row per recipient); see EventStream. Ids are assigned here rather than by SQLite so
 * the stored JSON can carry its own id and replay can send rows untouched; one process writes the
 * file, so an id taken from memory is also the order of commits.
 */
export class SqliteEventLog {
  private nextId: number
  private readonly insertEvent
  private readonly insertRecipient
  private readonly insertRecipientBatch

  /** `floor`: the highest id ever pruned; ids continue above it even when the log is empty. */
  constructor(
    db: SqliteDatabase,
    private readonly timezone: () => string,
    floor = 0,
  ) {
    const row = db.sqlite.prepare('select max(id) as max from events').get() as {
      max: number | null
    }
    this.nextId = Math.max(row.max ?? 0, floor) + 1
    this.insertEvent = db.sqlite.prepare(
      'insert into events (id, type, created_at, payload, conversation_id, except_user_id, only_user_id, peers_of_user_id) values (?, ?, ?, ?, ?, ?, ?, ?)',
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

  /**
   * Builds an event; persists it unless ephemeral. Call inside the unit of work's transaction.
   * `audience` is who receives it live; for a stream event it must equal the stream's audience.
   */
  create<T extends EventType>(
    type: T,
    data: EventDataMap[T],
    audience: readonly number[],
    persist: boolean,
    stream: EventStream = DIRECT,
  ): OutgoingEvent {
    const timestamp = nowIso()
    const id = persist ? this.nextId++ : null
    const json = JSON.stringify({ type, id, timestamp, timezone: this.timezone(), data })
    if (persist && id !== null) {
      this.insertEvent.run(
        id,
        type,
        timestamp,
        json,
        stream.kind === 'conversation' ? stream.conversationId : null,
        stream.kind === 'conversation' ? (stream.exceptUserId ?? null) : null,
        stream.kind === 'conversation' ? (stream.onlyUserId ?? null) : null,
        stream.kind === 'peers' ? stream.userId : null,
      )
      if (stream.kind === 'direct') this.insertRecipients(audience, id)
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
}
