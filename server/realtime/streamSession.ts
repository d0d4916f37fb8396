import type { Duplex } from 'node:stream'
import type { WebSocket } from 'ws'
import { CloseCode } from '../../src/shared/closeCodes'
import type { ClientFrame, ResyncRequiredFrame } from '../../src/shared/frames'
import { Limits } from '../../src/shared/limits'
import type { ServerContext } from '../context'
import type { Caller } from '../services/accounts'
import { nowIso } from '../clock'
import { sendOverSocket, type ErrorReporter } from './socketSend'
import { ClientConnection, type ConnectionOwner } from './clientConnection'

/** The part of the server's logger (pino) the event stream writes to. */
export interface StreamLog {
  error(details: object, message: string): void
  warn(details: object, message: string): void
}

/**
 * What every connection of one server shares (create it once, with the route): answering frames,
 * unregistering on close and logging protocol errors. Connections hold this object instead of
 * closures of their own.
 */
export function streamOwner(ctx: ServerContext, log: StreamLog): ConnectionOwner {
  const typingGate = new TypingGate()
  const reportError: ErrorReporter = (error, message) => log.error({ err: error }, message)
  return {
    frame: (connection, frame) => handleFrame(ctx, connection, frame, typingGate, reportError),
    closed: (connection) => {
      if (ctx.hub.remove(connection)) ctx.presence.disconnected(connection.userId)
    },
    // A warning, not an error: the server is fine, a client (or something posing as one) is not.
    protocolError: (connection, error) =>
      log.warn(
        {
          user_id: connection.userId,
          code: (error as { code?: unknown }).code,
          reason: error.message,
        },
        'event stream client broke the WebSocket protocol; connection dropped',
      ),
  }
}

/** Replayed bytes per write (corked together); far below Limits.maxBufferedBytes. */
const REPLAY_CHUNK_BYTES = 256 * 1024

/**
 * Opens an authenticated event stream on a socket: greets, replays what the client missed since
 * `since`, and registers the connection for live events, all in one synchronous step so that no
 * event can fall between the replay and the live stream, or arrive in both. `transport` is the
 * TCP socket under `socket` (the upgrade request's `req.socket`).
 */
export function openStream(
  ctx: ServerContext,
  owner: ConnectionOwner,
  socket: WebSocket,
  transport: Duplex,
  caller: Caller,
  since: number | undefined,
): void {
  // Commit and deliver what the current batch holds first: the replay below must read only
  // committed events, and those events must not also reach this socket live.
  ctx.unitOfWork.flush()
  const userId = caller.user.id
  const connection = new ClientConnection(socket, transport, userId, caller.tokenHash, owner)
  const missed = since === undefined ? undefined : missedEvents(ctx, userId, since)
  // A complete replay ends with the newest event of the user's stream, which is what the greeting
  // announces: a reconnecting client (a storm is 10,000 of them) then costs no second query.
  const latest =
    missed?.rows && missed.rows.length > 0
      ? missed.rows[missed.rows.length - 1]!.id
      : ctx.eventLog.latestIdFor(userId)
  connection.sendFrame({
    type: 'connection_established',
    user_id: userId,
    timezone: ctx.branding.timezone,
    message: 'Connected to real-time events',
    server_time: nowIso(),
    latest_event_id: latest,
    heartbeat_interval_ms: ctx.options.heartbeatIntervalMs,
  })
  if (since !== undefined && missed?.rows) replay(connection, missed.rows, since)
  else if (missed?.resync) {
    connection.sendFrame({ type: 'resync_required', ...missed.resync, latest_id: latest })
  }

  if (ctx.hub.add(connection)) ctx.presence.connected(userId)
}

/** What a client resuming from `since` gets: every event it missed, or why it must resync. */
type Missed =
  | { rows: { id: number; payload: string }[]; resync?: undefined }
  | { rows?: undefined; resync: Pick<ResyncRequiredFrame, 'reason' | 'message'> }

function missedEvents(ctx: ServerContext, userId: number, since: number): Missed {
  if (since > ctx.eventLog.latestId) {
    return {
      resync: {
        reason: 'unknown_position',
        message: `Event ${since} is unknown to this server; reload your conversations.`,
      },
    }
  }
  if (since < ctx.retentionFloor()) {
    return {
      resync: {
        reason: 'retention',
        message: 'Events since then are past the retention window; reload your conversations.',
      },
    }
  }
  const rows = ctx.eventLog.after(userId, since, Limits.maxReplayEvents + 1)
  if (rows.length > Limits.maxReplayEvents) {
    return {
      resync: {
        reason: 'too_many',
        message: `More than ${Limits.maxReplayEvents} events were missed; reload your conversations.`,
      },
    }
  }
  return { rows }
}

function replay(
  connection: ClientConnection,
  rows: readonly { id: number; payload: string }[],
  since: number,
): void {
  // Corked in chunks: a chunk of events leaves in one write instead of one write each, while the
  // bytes held at once stay far below the slow-consumer cap that sendRaw checks.
  let held = 0
  connection.cork()
  try {
    for (const row of rows) {
      connection.sendRaw(row.payload)
      held += row.payload.length
      if (held >= REPLAY_CHUNK_BYTES) {
        connection.uncork()
        connection.cork()
        held = 0
      }
    }
  } finally {
    connection.uncork()
  }
  connection.sendFrame({
    type: 'replay_complete',
    last_id: rows.at(-1)?.id ?? since,
    replayed: rows.length,
  })
}

/** Throttles typing_indicator per user and conversation; is_typing=false always passes. */
export class TypingGate {
  private readonly last = new Map<string, number>()

  allow(userId: number, conversationId: number, isTyping: boolean): boolean {
    const key = `${userId}:${conversationId}`
    const now = Date.now()
    if (!isTyping) {
      this.last.delete(key)
      return true
    }
    const previous = this.last.get(key)
    if (previous !== undefined && now - previous < Limits.typingThrottleMs) return false
    this.last.set(key, now)
    // Bound the map: forget entries that can no longer throttle anything.
    if (this.last.size > 10_000) {
      for (const [k, at] of this.last) if (now - at >= Limits.typingThrottleMs) this.last.delete(k)
    }
    return true
  }
}

function handleFrame(
  ctx: ServerContext,
  connection: ClientConnection,
  frame: ClientFrame,
  typingGate: TypingGate,
  reportError: ErrorReporter,
): void {
  switch (frame.type) {
    case 'ping':
      connection.sendFrame({ type: 'pong', server_time: nowIso() })
      return
    case 'send_message':
      sendOverSocket(ctx, connection, frame, reportError)
      return
    case 'subscribe':
      connection.setFilter(frame.event_types)
      return
    case 'typing': {
      const userId = connection.userId
      if (!ctx.conversations.isMember(frame.conversation_id, userId)) {
        connection.reject(
          'forbidden',
          `You are not a member of conversation ${frame.conversation_id}.`,
        )
        return
      }
      if (!typingGate.allow(userId, frame.conversation_id, frame.is_typing)) return
      const user = ctx.accounts.getUser(userId)
      if (!user) {
        connection.close(CloseCode.Unauthorized, 'account no longer exists')
        return
      }
      const others = ctx.conversations
        .memberIds(frame.conversation_id)
        .filter((id) => id !== userId)
      ctx.hub.deliver(
        ctx.eventLog.create(
          'typing_indicator',
          {
            conversation_id: frame.conversation_id,
            user_id: userId,
            display_name: user.display_name,
            is_typing: frame.is_typing,
          },
          others,
          false,
        ),
      )
      return
    }
  }
}
