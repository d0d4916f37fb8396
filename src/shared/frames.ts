import { Type, type Static } from 'typebox'
import { AttachmentIds } from './api'
import { EVENT_TYPES } from './eventTypes'
import type { AnyTidingsEvent } from './events'
import { Limits } from './limits'
import type { Message } from './models'

/** Frames a client may send. The server validates each against these schemas. */
export const PingFrame = Type.Object(
  { type: Type.Literal('ping') },
  { additionalProperties: false },
)

export const TypingFrame = Type.Object(
  {
    type: Type.Literal('typing'),
    conversation_id: Type.Integer({ minimum: 1 }),
    is_typing: Type.Boolean(),
  },
  { additionalProperties: false },
)

/** Limits live delivery to these types; an empty list or omitted field means every type. */
export const SubscribeFrame = Type.Object(
  {
    type: Type.Literal('subscribe'),
    event_types: Type.Array(Type.Union(EVENT_TYPES.map((t) => Type.Literal(t))), {
      maxItems: EVENT_TYPES.length,
    }),
  },
  { additionalProperties: false },
)

/**
 * Sends a message over the socket instead of `POST /conversations/:id/messages`: the same rules
 * (membership, idempotent `client_id`), answered by `message_ack` once stored, or by an error frame
 * that carries the `client_id`.
 */
export const SendMessageFrame = Type.Object(
  {
    type: Type.Literal('send_message'),
    conversation_id: Type.Integer({ minimum: 1 }),
    text: Type.String({ maxLength: Limits.maxMessageChars }),
    client_id: Type.String({ minLength: 1, maxLength: 64 }),
    reply_to_id: Type.Optional(Type.Integer({ minimum: 1 })),
    attachment_ids: Type.Optional(AttachmentIds),
    thread_root_id: Type.Optional(Type.Integer({ minimum: 1 })),
    also_to_channel: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
)

export const ClientFrame = Type.Union([PingFrame, TypingFrame, SubscribeFrame, SendMessageFrame])
export type ClientFrame = Static<typeof ClientFrame>

/** Frames the server sends besides events. */
export interface ConnectionEstablishedFrame {
  type: 'connection_established'
  user_id: number
  timezone: string
  message: string
  server_time: string
  /** The newest event id in this user's stream at connect time (0 when empty). */
  latest_event_id: number
  heartbeat_interval_ms: number
}

/** After a resume: every missed event up to `last_id` has been sent; live events follow. */
export interface ReplayCompleteFrame {
  type: 'replay_complete'
  last_id: number
  replayed: number
}

/**
 * The `since` id is older than the retention window (or unknown to this server). Missed events
 * cannot be replayed: reload conversations over REST, then continue from `latest_id`.
 */
export interface ResyncRequiredFrame {
  type: 'resync_required'
  reason: 'retention' | 'unknown_position' | 'too_many'
  latest_id: number
  message: string
}

export interface PongFrame {
  type: 'pong'
  server_time: string
}

export type ErrorCode =
  | 'invalid_json'
  | 'invalid_frame'
  | 'unknown_type'
  | 'rate_limited'
  | 'forbidden'
  | 'not_found'
  | 'invalid_request'
  | 'conflict'
  | 'internal_error'
  /** The server's storage is full: nothing was stored; send it again later. */
  | 'storage_full'

export interface ErrorFrame {
  type: 'error'
  code: ErrorCode
  message: string
  /** Set when the frame answers a `send_message`: which one failed (nothing was stored). */
  client_id?: string
}

/**
 * A `send_message` is stored (committed): `created` is false when the `client_id` had already
 * been used for this message, which is then the one stored the first time. The sender's
 * `message_sent` event reaches this socket before the ack.
 */
export interface MessageAckFrame {
  type: 'message_ack'
  client_id: string
  created: boolean
  message: Message
}

export type ControlFrame =
  | ConnectionEstablishedFrame
  | ReplayCompleteFrame
  | ResyncRequiredFrame
  | PongFrame
  | ErrorFrame
  | MessageAckFrame

export type ServerFrame = ControlFrame | AnyTidingsEvent

const CONTROL_TYPES: ReadonlySet<string> = new Set([
  'connection_established',
  'replay_complete',
  'resync_required',
  'pong',
  'error',
  'message_ack',
])

export function isControlFrame(frame: ServerFrame): frame is ControlFrame {
  return CONTROL_TYPES.has(frame.type)
}
