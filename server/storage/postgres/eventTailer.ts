import { postgresSql } from '../database'
import { CONTROL_EVENT_TYPE, type ControlEvent, type OutgoingEvent } from '../eventSink'
import type { CommitListener } from '../unitOfWork'
import type { AppendedEvents } from './postgresUnitOfWork'
import type { PostgresDatabase } from './postgresDatabase'

/** Events read per query. */
const PAGE = 2000
const OPEN = Number.MAX_SAFE_INTEGER

interface EventRow {
  id: number
  type: string
  payload: string
  conversation_id: number | null
  except_user_id: number | null
  only_user_id: number | null
  peers_of_user_id: number | null
}

interface SpanRow {
  key: number
  user_id: number
  from_id: number
  to_id: number
}

/** Where the tail delivers: the node's live feed (realtime/liveFeed). */
export interface TailTarget {
  readonly watermark: number
  deliverAll(
    events: readonly OutgoingEvent[],
    controls: readonly ControlEvent[],
    then?: () => void,
  ): void
  advance(id: number): void
}

/**
 * Follows the event log on one node of a cluster: reads the events after the last one delivered
 * (the watermark), in id order, works out who receives each from the membership spans (the same
 * rule replay uses, so what a client receives live is what it would replay), and hands them to
 * the node's sockets. Ids are handed out in commit order (tidings_append), so a read of "after W"
 * never skips an event that commits later.
 *
 * It reads when told that events were committed (by this node's unit of work, or by another
 * node's notification on the `tidings_events` channel) and every `pollIntervalMs` anyway, so a
 * lost notification (the LISTEN connection dropped) delays delivery by at most that long.
 */
export class EventTailer implements AppendedEvents {
  private reading: Promise<void> | undefined
  private again = false
  private timer: NodeJS.Timeout | undefined
  private stopped = false
  /** Acks waiting for their batch to be delivered, by the batch's last id. */
  private readonly acks: { lastId: number; listener: CommitListener }[] = []

  constructor(
    private readonly db: PostgresDatabase,
    private readonly feed: TailTarget,
    private readonly pollIntervalMs: number,
    private readonly reportError: (error: unknown) => void,
    private readonly onDelivered: (events: number, batches: number) => void = () => {},
  ) {}

  start(): void {
    this.timer = setInterval(() => this.poke(), this.pollIntervalMs)
    this.timer.unref()
  }

  async stop(): Promise<void> {
    this.stopped = true
    clearInterval(this.timer)
    await this.reading
  }

  committed(): void {
    this.poke()
  }

  whenDelivered(lastId: number, listener: CommitListener): void {
    if (lastId <= this.feed.watermark) listener.committed()
    else this.acks.push({ lastId, listener })
  }

  /** Reads now (or right after the read in progress). */
  poke(): void {
    if (this.stopped) return
    if (this.reading) {
      this.again = true
      return
    }
    this.reading = this.readAll()
      .catch(this.reportError)
      .finally(() => {
        this.reading = undefined
        if (this.again) {
          this.again = false
          this.poke()
        }
      })
  }

  /** Reads and delivers until a read finds nothing new. */
  private async readAll(): Promise<void> {
    for (;;) {
      const after = this.feed.watermark
      const rows = await this.db.all<EventRow>(
        this.db.q
          .selectFrom('events')
          .select([
            'id',
            'type',
            'payload',
            'conversation_id',
            'except_user_id',
            'only_user_id',
            'peers_of_user_id',
          ])
          .where('id', '>', after)
          .orderBy('id')
          .limit(PAGE),
      )
      if (rows.length === 0 || this.stopped) return
      await this.deliver(rows)
      if (rows.length < PAGE) return
    }
  }

  private async deliver(rows: EventRow[]): Promise<void> {
    const first = rows[0]!.id
    const last = rows.at(-1)!.id
    const audiences = await this.audiences(rows, first, last)
    const events: OutgoingEvent[] = []
    const controls: ControlEvent[] = []
    for (const row of rows) {
      if (row.type === CONTROL_EVENT_TYPE) {
        controls.push((JSON.parse(row.payload) as { data: ControlEvent }).data)
        continue
      }
      const audience = audiences(row)
      if (audience.length > 0) {
        events.push({
          type: row.type as OutgoingEvent['type'],
          id: row.id,
          json: row.payload,
          audience,
        })
      }
    }
    // The watermark may have moved while the audiences were read (a read that overlapped).
    if (last <= this.feed.watermark) return
    const due = this.takeAcks(last)
    this.feed.deliverAll(events, controls, due.length > 0 ? () => notify(due) : undefined)
    this.feed.advance(last)
    this.onDelivered(rows.length, 1)
  }

  private takeAcks(upTo: number): CommitListener[] {
    const due: CommitListener[] = []
    for (let i = this.acks.length - 1; i >= 0; i -= 1) {
      if (this.acks[i]!.lastId <= upTo) due.unshift(this.acks.splice(i, 1)[0]!.listener)
    }
    return due
  }

  /**
   * Who receives each event of a page, by the replay rule (storage/eventReader): direct events
   * their recipient rows; a conversation's events its members whose span holds the event's id
   * (but the one excepted, or only the one named); a user's peer events everyone who shared a
   * conversation with them at that id. One query per kind for the whole page.
   */
  private async audiences(rows: EventRow[], first: number, last: number) {
    const direct = new Map<number, number[]>()
    const conversations = new Set<number>()
    const subjects = new Set<number>()
    for (const row of rows) {
      if (row.type === CONTROL_EVENT_TYPE) continue
      if (row.conversation_id !== null) conversations.add(row.conversation_id)
      else if (row.peers_of_user_id !== null) subjects.add(row.peers_of_user_id)
      else direct.set(row.id, [])
    }
    if (direct.size > 0) {
      const recipients = await this.db.all(
        this.db.q
          .selectFrom('event_recipients')
          .select(['event_id', 'user_id'])
          .where('event_id', '>=', first)
          .where('event_id', '<=', last),
      )
      for (const { event_id: eventId, user_id: userId } of recipients) {
        direct.get(eventId)?.push(userId)
      }
    }
    const members =
      conversations.size > 0 ? await this.memberSpans([...conversations], first, last) : []
    const peers = subjects.size > 0 ? await this.peerSpans([...subjects], first, last) : []
    const byKey = (spans: SpanRow[]) => {
      const map = new Map<number, SpanRow[]>()
      for (const span of spans) {
        const list = map.get(span.key)
        if (list) list.push(span)
        else map.set(span.key, [span])
      }
      return map
    }
    const membersOf = byKey(members)
    const peersOf = byKey(peers)
    return (row: EventRow): number[] => {
      if (row.conversation_id !== null) {
        const audience: number[] = []
        for (const span of membersOf.get(row.conversation_id) ?? []) {
          if (span.from_id >= row.id || span.to_id < row.id) continue
          if (row.except_user_id !== null && span.user_id === row.except_user_id) continue
          if (row.only_user_id !== null && span.user_id !== row.only_user_id) continue
          audience.push(span.user_id)
        }
        return audience
      }
      if (row.peers_of_user_id !== null) {
        const audience = new Set<number>()
        for (const span of peersOf.get(row.peers_of_user_id) ?? []) {
          if (span.from_id < row.id && span.to_id >= row.id) audience.add(span.user_id)
        }
        return [...audience]
      }
      return direct.get(row.id) ?? []
    }
  }

  /** The membership spans of these conversations that overlap the ids first..last. */
  private memberSpans(conversations: number[], first: number, last: number) {
    return this.db.allRaw<SpanRow>(
      postgresSql(
        `select conversation_id as key, user_id, from_event_id as from_id,
                     coalesce(to_event_id, ${OPEN}) as to_id
                   from conversation_member_spans
                   where conversation_id = any($1::bigint[]) and from_event_id < $3
                     and coalesce(to_event_id, ${OPEN}) >= $2`,
      ),
      [conversations, first, last],
    )
  }

  /** For each subject, who shared a conversation with them, and between which ids. */
  private peerSpans(subjects: number[], first: number, last: number) {
    return this.db.allRaw<SpanRow>(
      postgresSql(
        `select mine.user_id as key, theirs.user_id,
                     greatest(mine.from_event_id, theirs.from_event_id) as from_id,
                     least(coalesce(mine.to_event_id, ${OPEN}), coalesce(theirs.to_event_id, ${OPEN})) as to_id
                   from conversation_member_spans mine
                   join conversation_member_spans theirs
                     on theirs.conversation_id = mine.conversation_id and theirs.user_id <> mine.user_id
                   where mine.user_id = any($1::bigint[])
                     and mine.from_event_id < $3 and coalesce(mine.to_event_id, ${OPEN}) >= $2
                     and theirs.from_event_id < $3 and coalesce(theirs.to_event_id, ${OPEN}) >= $2`,
      ),
      [subjects, first, last],
    )
  }
}

function notify(listeners: readonly CommitListener[]): void {
  for (const listener of listeners) {
    try {
      listener.committed()
    } catch {
      // One listener's failure does not keep the others from hearing of the commit.
    }
  }
}
