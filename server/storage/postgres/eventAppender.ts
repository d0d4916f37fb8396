import type pg from 'pg'
import { nowIso } from '../../clock'
import { CONTROL_EVENT_TYPE, type ControlEvent, type EventStream } from '../eventSink'

/** An event of a batch, before it has an id. */
export interface PendingEvent {
  type: string
  createdAt: string
  /** The envelope before the id, between the id and the timezone, and after the timezone. */
  head: string
  middle: string
  tail: string
  stream: EventStream
  /** The recipients of a direct event. */
  recipients: readonly number[]
  /**
   * A presence event kept only if it changes the user's presence cluster-wide: `up` adds the
   * node to the user's nodes (an online kept when it is the first), otherwise the node is removed
   * (an offline kept when it was the last).
   */
  presence?: { userId: number; nodeId: string; up: boolean }
}

/** A member who joined or left, after `position` events of the batch. */
export interface SpanChange {
  position: number
  userId: number
  conversationId: number
  joined: boolean
}

/**
 * The envelope of an event without its id and timezone, which are known only when the batch is
 * appended (see tidings_append): `{"type":…,"id":<id>,"timestamp":…,"timezone":<tz>,"data":…}`,
 * the same JSON the SQLite log writes in one piece.
 */
export function pendingEvent(
  type: string,
  data: unknown,
  stream: EventStream,
  recipients: readonly number[] = [],
): PendingEvent {
  const createdAt = nowIso()
  return {
    type,
    createdAt,
    head: `{"type":${JSON.stringify(type)},"id":`,
    middle: `,"timestamp":"${createdAt}","timezone":`,
    tail: `,"data":${JSON.stringify(data)}}`,
    stream,
    recipients,
  }
}

/** A control event as the log stores it: no audience, applied by every node (see ControlEvent). */
export function pendingControl(control: ControlEvent): PendingEvent {
  return pendingEvent(CONTROL_EVENT_TYPE, control, { kind: 'direct' })
}

const APPEND = `select tidings_append(
  $1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
  $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[],
  $10::bigint[], $11::text[], $12::boolean[],
  $13::int[], $14::bigint[],
  $15::int[], $16::bigint[], $17::bigint[], $18::boolean[]
) as ids`

/**
 * Appends a batch's events and membership changes in the transaction on `client`, in one round
 * trip (tidings_append, postgres/postgresSchema): it takes the event-order lock, which is held
 * until that transaction ends, so the caller commits right after. Returns the id of each event
 * (null for a presence event that changed nothing).
 */
export async function appendEvents(
  client: pg.ClientBase,
  events: readonly PendingEvent[],
  spans: readonly SpanChange[],
): Promise<(number | null)[]> {
  const conversation = (s: EventStream) => (s.kind === 'conversation' ? s.conversationId : null)
  const recipientOrd: number[] = []
  const recipientUser: number[] = []
  events.forEach((event, index) => {
    for (const userId of event.recipients) {
      recipientOrd.push(index + 1)
      recipientUser.push(userId)
    }
  })
  const { rows } = await client.query<{ ids: (string | number | null)[] }>({
    name: 'tidings_append',
    text: APPEND,
    values: [
      events.map((e) => e.type),
      events.map((e) => e.createdAt),
      events.map((e) => e.head),
      events.map((e) => e.middle),
      events.map((e) => e.tail),
      events.map((e) => conversation(e.stream)),
      events.map((e) =>
        e.stream.kind === 'conversation' ? (e.stream.exceptUserId ?? null) : null,
      ),
      events.map((e) => (e.stream.kind === 'conversation' ? (e.stream.onlyUserId ?? null) : null)),
      events.map((e) => (e.stream.kind === 'peers' ? e.stream.userId : null)),
      events.map((e) => e.presence?.userId ?? null),
      events.map((e) => e.presence?.nodeId ?? null),
      events.map((e) => e.presence?.up ?? null),
      recipientOrd,
      recipientUser,
      spans.map((s) => s.position),
      spans.map((s) => s.userId),
      spans.map((s) => s.conversationId),
      spans.map((s) => s.joined),
    ],
  })
  // A bigint[] comes back as strings (the int8 parser applies to scalars only).
  return (rows[0]?.ids ?? []).map((id) => (id === null ? null : Number(id)))
}
