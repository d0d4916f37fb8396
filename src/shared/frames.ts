import { Type, type Static } from 'typebox'
import { EVENT_TYPES } from './eventTypes'
import type { AnyTidingsEvent } from './events'

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

export const ClientFrame = Type.Union([PingFrame, TypingFrame, SubscribeFrame])
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
  'invalid_json' | 'invalid_frame' | 'unknown_type' | 'rate_limited' | 'forbidden' | 'not_found'

export interface ErrorFrame {
  type: 'error'
  code: ErrorCode
  message: string
}

export type ControlFrame =
  ConnectionEstablishedFrame | ReplayCompleteFrame | ResyncRequiredFrame | PongFrame | ErrorFrame

export type ServerFrame = ControlFrame | AnyTidingsEvent

const CONTROL_TYPES: ReadonlySet<string> = new Set([
  'connection_established',
  'replay_complete',
  'resync_required',
  'pong',
  'error',
])

export function isControlFrame(frame: ServerFrame): frame is ControlFrame {
  return CONTROL_TYPES.has(frame.type)
}
