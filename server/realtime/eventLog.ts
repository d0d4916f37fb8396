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

/**
 * Where a stored event is filed, which decides what its storage costs. A direct event gets a row
 * per recipient; a stream event is one row whatever its audience, which replay derives from the
 * membership history (conversation_member_spans) so it equals the audience at the time of emit.
 */
export type EventStream =
  | { kind: 'direct' }
  /**
   * The conversation's members, without `exceptUserId` when given; only `onlyUserId` when given
   * (who must be a member at the time: the sender's own message_sent). Such a one-member event
   * costs no recipient row, and its index entry lands beside its message_received's.
   */
  | { kind: 'conversation'; conversationId: number; exceptUserId?: number; onlyUserId?: number }
  /** Everyone sharing a conversation with `userId`, not `userId` itself. */
  | { kind: 'peers'; userId: number }

const DIRECT: EventStream = { kind: 'direct' }

/** Collects the events of one unit of work; they are delivered only after it commits. */
export interface EventSink {
  /** To these users: a stored row per recipient. Each method returns the audience's size. */
  emit<T extends EventType>(type: T, data: EventDataMap[T], audience: Iterable<number>): number
  /** To the conversation's current members (but `exceptUserId`): stored once. */
  toConversation<T extends EventType>(
    type: T,
    data: EventDataMap[T],
    conversationId: number,
    exceptUserId?: number,
  ): number
  /**
   * To one member of the conversation, filed in its stream: stored once, with no recipient row.
   * The caller has checked that `userId` is a member now (as a send's requireMember does).
   */
  toMember<T extends EventType>(
    type: T,
    data: EventDataMap[T],
    conversationId: number,
    userId: number,
  ): number
  /** To everyone who shares a conversation with `userId`: stored once. */
  toPeers<T extends EventType>(type: T, data: EventDataMap[T], userId: number): number
}

/** Stream ids have no upper bound while a member stays: this stands for "open". */
const OPEN = Number.MAX_SAFE_INTEGER

/**
 * A user's stream, in id order: their direct rows, the streams of the conversations they were a
 * member of at each event's time, and the peer streams of users they then shared a conversation
 * with. UNION removes the copies a peer event gets from two shared conversations. Each branch
 * walks an index range that starts after both `since` and the start of the membership.
 */
const STREAM_AFTER = `
  select e.id, e.payload from event_recipients r join events e on e.id = r.event_id
  where r.user_id = :user and r.event_id > :since
  union
  select e.id, e.payload from conversation_member_spans s
  join events e on e.conversation_id = s.conversation_id
    and e.id > max(s.from_event_id, :since) and e.id <= coalesce(s.to_event_id, ${OPEN})
  where s.user_id = :user and coalesce(s.to_event_id, ${OPEN}) > :since
    and (e.except_user_id is null or e.except_user_id <> :user)
    and (e.only_user_id is null or e.only_user_id = :user)
  union
  select e.id, e.payload from conversation_member_spans mine
  join conversation_member_spans theirs
    on theirs.conversation_id = mine.conversation_id and theirs.user_id <> mine.user_id
  join events e on e.peers_of_user_id = theirs.user_id
    and e.id > max(mine.from_event_id, theirs.from_event_id, :since)
    and e.id <= min(coalesce(mine.to_event_id, ${OPEN}), coalesce(theirs.to_event_id, ${OPEN}))
  where mine.user_id = :user and coalesce(mine.to_event_id, ${OPEN}) > :since
  order by 1
  limit :limit`

/** The newest id of the same stream: each branch reads one index entry per stream, newest first. */
const STREAM_LATEST = `
  select max(latest) as latest from (
    select max(event_id) as latest from event_recipients where user_id = :user
    union all
    select (select e.id from events e
            where e.conversation_id = s.conversation_id and e.id > s.from_event_id
              and e.id <= coalesce(s.to_event_id, ${OPEN})
              and (e.except_user_id is null or e.except_user_id <> :user)
              and (e.only_user_id is null or e.only_user_id = :user)
            order by e.id desc limit 1)
    from conversation_member_spans s where s.user_id = :user
    union all
    select (select e.id from events e
            where e.peers_of_user_id = theirs.user_id
              and e.id > max(mine.from_event_id, theirs.from_event_id)
              and e.id <= min(coalesce(mine.to_event_id, ${OPEN}), coalesce(theirs.to_event_id, ${OPEN}))
            order by e.id desc limit 1)
    from conversation_member_spans mine
    join conversation_member_spans theirs
      on theirs.conversation_id = mine.conversation_id and theirs.user_id <> mine.user_id
    where mine.user_id = :user
  )`

/**
 * The persisted, per-user event streams. Each event is stored once with its serialized envelope,
 * filed either as direct (one recipient row per user) or in a conversation or peer stream (no row
 * per recipient); see EventStream. Ids are assigned here rather than by SQLite so the stored JSON
 * can carry its own id and replay can send rows untouched; they only grow, so they also order
 * every user's stream.
 */
export class EventLog {
  private nextId: number
  private readonly insertEvent
  private readonly insertRecipient
  private readonly insertRecipientBatch
  private readonly selectAfter
  private readonly selectLatest
  private readonly selectFirstFrom

  /** `floor`: the highest id ever pruned; ids continue above it even when the log is empty. */
  constructor(
    private readonly db: Database,
    private readonly timezone: () => string,
    floor = 0,
  ) {
    const row = db.first(db.q.selectFrom('events').select((eb) => eb.fn.max('id').as('max')))
    this.nextId = Math.max(row?.max ?? 0, floor) + 1
    this.insertEvent = db.sqlite.prepare(
      'insert into events (id, type, created_at, payload, conversation_id, except_user_id, only_user_id, peers_of_user_id) values (?, ?, ?, ?, ?, ?, ?, ?)',
    )
    this.insertRecipient = db.sqlite.prepare(
      'insert into event_recipients (user_id, event_id) values (?, ?)',
    )
    this.insertRecipientBatch = db.sqlite.prepare(
      `insert into event_recipients (user_id, event_id) values ${Array(RECIPIENT_BATCH).fill('(?, ?)').join(', ')}`,
    )
    this.selectAfter = db.sqlite.prepare<
      { user: number; since: number; limit: number },
      { id: number; payload: string }
    >(STREAM_AFTER)
    this.selectFirstFrom = db.sqlite.prepare<[number], { id: number; created_at: string }>(
      'select id, created_at from events where id >= ? order by id limit 1',
    )
    this.selectLatest = db.sqlite.prepare<{ user: number }, { latest: number | null }>(
      STREAM_LATEST,
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

  /** The user's newest event id, 0 when their stream is empty. */
  latestIdFor(userId: number): number {
    return this.selectLatest.get({ user: userId })?.latest ?? 0
  }

  /** The user's events after `sinceId`, oldest first, at most `limit`. */
  after(userId: number, sinceId: number, limit: number): { id: number; payload: string }[] {
    return this.selectAfter.all({ user: userId, since: sinceId, limit })
  }

  /**
   * Deletes events older than the retention window and returns the highest deleted id: a client
   * resuming from below it may have missed deleted events and must resync instead.
   */
  prune(olderThanIso: string): number {
    return this.db.transaction(() => {
      const floor = this.lastIdBefore(olderThanIso)
      if (floor > 0) {
        this.db.run(this.db.q.deleteFrom('event_recipients').where('event_id', '<=', floor))
        this.db.run(this.db.q.deleteFrom('events').where('id', '<=', floor))
        // Spans that ended before the oldest remaining event can no longer match any of them.
        this.db.run(
          this.db.q.deleteFrom('conversation_member_spans').where('to_event_id', '<=', floor),
        )
      }
      return floor
    })
  }

  /**
   * The highest id of an event created before `iso`, 0 when there is none. Ids are handed out in
   * creation order, so the events older than an instant are a prefix of the id order, and a binary
   * search over the primary key finds its end in about 30 lookups. An index on created_at would
   * find it in one, but every event written would pay for it (migration 4 dropped it). Should the
   * clock step back, the boundary moves by at most that step: pruning is by days.
   */
  private lastIdBefore(iso: string): number {
    // Invariant: every event with id <= older was created before `iso` (0: none known yet), and
    // none with id >= newer was.
    let older = 0
    let newer = this.nextId
    while (older + 1 < newer) {
      const middle = Math.floor((older + newer) / 2)
      const row = this.selectFirstFrom.get(middle)
      if (!row || row.id >= newer || row.created_at >= iso) newer = middle
      else older = row.id
    }
    return older
  }
}
