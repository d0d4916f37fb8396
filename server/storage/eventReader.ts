import { rawSql, type Database } from './database'

/** Stream ids have no upper bound while a member stays: this stands for "open". */
const OPEN = Number.MAX_SAFE_INTEGER

/** A stored event as replay sends it: its id and its serialized envelope. */
export interface StoredEvent {
  id: number
  payload: string
}

/**
 * A user's stream after `since` and up to `upTo`, in id order: their direct rows, the streams of
 * the conversations they were a member of at each event's time, and the peer streams of users
 * they then shared a conversation with. UNION removes the copies a peer event gets from two
 * shared conversations. Each branch walks an index range that starts after both `since` and the
 * start of the membership. `upTo` is the node's delivery watermark: what lies above it reaches
 * the client live (see realtime/streamSession).
 */
const STREAM_AFTER_SQLITE = `
  select e.id, e.payload from event_recipients r join events e on e.id = r.event_id
  where r.user_id = :user and r.event_id > :since and r.event_id <= :upTo
  union
  select e.id, e.payload from conversation_member_spans s
  join events e on e.conversation_id = s.conversation_id
    and e.id > max(s.from_event_id, :since) and e.id <= coalesce(s.to_event_id, ${OPEN})
    and e.id <= :upTo
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
    and e.id <= :upTo
  where mine.user_id = :user and coalesce(mine.to_event_id, ${OPEN}) > :since
  order by 1
  limit :limit`

/** The same on PostgreSQL: greatest/least for SQLite's scalar max/min; $1 user, $2 since, $3 upTo. */
const STREAM_AFTER_POSTGRES = `
  select e.id, e.payload from event_recipients r join events e on e.id = r.event_id
  where r.user_id = $1 and r.event_id > $2 and r.event_id <= $3
  union
  select e.id, e.payload from conversation_member_spans s
  join events e on e.conversation_id = s.conversation_id
    and e.id > greatest(s.from_event_id, $2) and e.id <= least(coalesce(s.to_event_id, ${OPEN}), $3)
  where s.user_id = $1 and coalesce(s.to_event_id, ${OPEN}) > $2
    and (e.except_user_id is null or e.except_user_id <> $1)
    and (e.only_user_id is null or e.only_user_id = $1)
  union
  select e.id, e.payload from conversation_member_spans mine
  join conversation_member_spans theirs
    on theirs.conversation_id = mine.conversation_id and theirs.user_id <> mine.user_id
  join events e on e.peers_of_user_id = theirs.user_id
    and e.id > greatest(mine.from_event_id, theirs.from_event_id, $2)
    and e.id <= least(coalesce(mine.to_event_id, ${OPEN}), coalesce(theirs.to_event_id, ${OPEN}), $3)
  where mine.user_id = $1 and coalesce(mine.to_event_id, ${OPEN}) > $2
  order by 1
  limit $4`

/**
 * The newest id of the same stream, up to `upTo`: each branch reads one index entry per stream,
 * newest first.
 */
const STREAM_LATEST_SQLITE = `
  select max(latest) as latest from (
    select max(event_id) as latest from event_recipients where user_id = :user and event_id <= :upTo
    union all
    select (select e.id from events e
            where e.conversation_id = s.conversation_id and e.id > s.from_event_id
              and e.id <= min(coalesce(s.to_event_id, ${OPEN}), :upTo)
              and (e.except_user_id is null or e.except_user_id <> :user)
              and (e.only_user_id is null or e.only_user_id = :user)
            order by e.id desc limit 1)
    from conversation_member_spans s where s.user_id = :user
    union all
    select (select e.id from events e
            where e.peers_of_user_id = theirs.user_id
              and e.id > max(mine.from_event_id, theirs.from_event_id)
              and e.id <= min(coalesce(mine.to_event_id, ${OPEN}), coalesce(theirs.to_event_id, ${OPEN}), :upTo)
            order by e.id desc limit 1)
    from conversation_member_spans mine
    join conversation_member_spans theirs
      on theirs.conversation_id = mine.conversation_id and theirs.user_id <> mine.user_id
    where mine.user_id = :user
  )`

const STREAM_LATEST_POSTGRES = `
  select max(latest) as latest from (
    select max(event_id) as latest from event_recipients where user_id = $1 and event_id <= $2
    union all
    select (select e.id from events e
            where e.conversation_id = s.conversation_id and e.id > s.from_event_id
              and e.id <= least(coalesce(s.to_event_id, ${OPEN}), $2)
              and (e.except_user_id is null or e.except_user_id <> $1)
              and (e.only_user_id is null or e.only_user_id = $1)
            order by e.id desc limit 1)
    from conversation_member_spans s where s.user_id = $1
    union all
    select (select e.id from events e
            where e.peers_of_user_id = theirs.user_id
              and e.id > greatest(mine.from_event_id, theirs.from_event_id)
              and e.id <= least(coalesce(mine.to_event_id, ${OPEN}), coalesce(theirs.to_event_id, ${OPEN}), $2)
            order by e.id desc limit 1)
    from conversation_member_spans mine
    join conversation_member_spans theirs
      on theirs.conversation_id = mine.conversation_id and theirs.user_id <> mine.user_id
    where mine.user_id = $1
  ) streams`

const STREAM_AFTER = rawSql(STREAM_AFTER_SQLITE, STREAM_AFTER_POSTGRES)
const STREAM_LATEST = rawSql(STREAM_LATEST_SQLITE, STREAM_LATEST_POSTGRES)

/**
 * The read side of the event log: each user's stream, which replay sends and the greeting's
 * latest_event_id names. The same rule decides who receives an event live (see the dialects'
 * delivery), so what a client replays is exactly what it would have received.
 */
export class EventReader {
  constructor(private readonly db: Database) {}

  /** The user's events after `since` and at most `upTo`, oldest first, at most `limit`. */
  after(userId: number, since: number, upTo: number, limit: number): Promise<StoredEvent[]> {
    // SQLite's text names its parameters (each is used several times); PostgreSQL's numbers them.
    const parameters =
      this.db.dialect === 'sqlite'
        ? [{ user: userId, since, upTo, limit }]
        : [userId, since, upTo, limit]
    return this.db.allRaw<StoredEvent>(STREAM_AFTER, parameters)
  }

  /** The user's newest event id at most `upTo`, 0 when their stream has none. */
  async latestFor(userId: number, upTo: number): Promise<number> {
    const parameters = this.db.dialect === 'sqlite' ? [{ user: userId, upTo }] : [userId, upTo]
    const row = await this.db.firstRaw<{ latest: number | null }>(STREAM_LATEST, parameters)
    return row?.latest ?? 0
  }
}
