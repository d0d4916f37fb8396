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

/** The types of tidings_append's parameters, in order. */
const APPEND_TYPES = [
  'text[]',
  'text[]',
  'text[]',
  'text[]',
  'text[]',
  'bigint[]',
  'bigint[]',
  'bigint[]',
  'bigint[]',
  'bigint[]',
  'text[]',
  'boolean[]',
  'int[]',
  'bigint[]',
  'int[]',
  'bigint[]',
  'bigint[]',
  'boolean[]',
] as const

/**
 * Appends a batch's events and membership changes in the transaction on `client` and commits it,
 * in one round trip: tidings_append (postgres/postgresSchema) takes the cluster-wide event-order
 * lock, which COMMIT releases. Both go in one simple-protocol query so that the lock is held for
 * PostgreSQL's work and the commit's WAL flush only, not also for a turn of this node's event
 * loop between the two (under load, that turn is what every other node's commit would wait for).
 * The simple protocol takes no parameters: each array is written as a quoted array literal (see
 * arrayLiteral). If the append fails, the
 * COMMIT after it in the same query does not run and the transaction is left for the caller to
 * roll back. Returns the id of each event (null for a presence event that changed nothing).
 */
export async function appendEventsAndCommit(
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
  const values: Element[][] = [
    events.map((e) => e.type),
    events.map((e) => e.createdAt),
    events.map((e) => e.head),
    events.map((e) => e.middle),
    events.map((e) => e.tail),
    events.map((e) => conversation(e.stream)),
    events.map((e) => (e.stream.kind === 'conversation' ? (e.stream.exceptUserId ?? null) : null)),
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
  ]
  const args = values.map((array, i) => `${arrayLiteral(array)}::${APPEND_TYPES[i]}`)
  const results = (await client.query(
    `select tidings_append(${args.join(', ')}) as ids; commit`,
  )) as unknown as pg.QueryResult<{ ids: (string | number | null)[] }>[]
  // A bigint[] comes back as strings (the int8 parser applies to scalars only).
  return (results[0]?.rows[0]?.ids ?? []).map((id) => (id === null ? null : Number(id)))
}

type Element = string | number | boolean | null

/**
 * `array` as a quoted SQL string constant holding PostgreSQL's array syntax (`'{"a",NULL}'`):
 * every element double-quoted with its backslashes and double quotes backslash-escaped (the
 * documented form, PostgreSQL manual 8.15.6, which node-postgres also writes for an array
 * parameter), NULL bare, booleans as t/f; then the whole quoted as a string constant.
 */
function arrayLiteral(array: readonly Element[]): string {
  const elements = array.map((value) => {
    if (value === null) return 'NULL'
    if (typeof value === 'boolean') return value ? 't' : 'f'
    if (typeof value === 'number') return String(value)
    return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`
  })
  return stringConstant(`{${elements.join(',')}}`)
}

/**
 * `text` as a SQL string constant, as node-postgres's escapeLiteral writes it (quotes doubled;
 * with backslashes, an E'' constant with them doubled, right whatever standard_conforming_strings
 * says), but with native replaceAll: escapeLiteral's loop of one concatenation per character
 * took seconds for the megabytes of a large batch.
 */
function stringConstant(text: string): string {
  const quoted = text.replaceAll("'", "''")
  return text.includes('\\') ? ` E'${quoted.replaceAll('\\', '\\\\')}'` : `'${quoted}'`
}
