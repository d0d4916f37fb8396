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
    replayFailed: (connection, error) => {
      log.error({ err: error, user_id: connection.userId }, 'event stream replay failed')
      connection.close(CloseCode.InternalError, 'replay failed: reconnect and resume')
    },
  }
}

/** Replayed bytes per write (corked together); far below Limits.maxBufferedBytes. */
const REPLAY_CHUNK_BYTES = 256 * 1024
/**
 * Bytes the socket may hold before the replay waits for it to drain. With one chunk on top this
 * stays far below the slow-consumer cap, so a backlog of any size reaches a client that reads
 * slowly instead of closing its connection with 4009 on every attempt.
 */
const REPLAY_HIGH_WATER = 1024 * 1024
/** Events read from the log per query when a paced replay catches up. */
const REPLAY_PAGE = 1000

/**
 * Opens an authenticated event stream on a socket: greets, replays what the client missed since
 * `since`, and then delivers live events, so that no event falls between the replay and the live
 * stream or arrives in both. A replay that fits in the socket's buffer is written in the same
 * synchronous step as everything else here. A larger one is paced by the client's reading; while
 * it waits, live events skip the connection and the replay reads them from the log instead (see
 * replayPaced). `transport` is the TCP socket under `socket` (the upgrade request's `req.socket`).
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
  // The token was checked before the upgrade (eventRoutes' preHandler), but a revocation closes
  // only the sockets the hub holds, and this one is not there yet: whatever runs between that
  // check and this step (promise continuations of other requests, any hook or listener added
  // on the way) may have revoked it. From here to hub.add below everything is synchronous, so a
  // session still live now is one that any later revocation will find and close.
  if (!ctx.accounts.session(caller.tokenHash)) {
    connection.close(CloseCode.Unauthorized, 'token revoked')
    return
  }
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
  if (missed?.resync) {
    connection.sendFrame({ type: 'resync_required', ...missed.resync, latest_id: latest })
  }
  // Registered before the replay, so that the heartbeat and a shutdown reach a paced one too.
  if (missed?.rows) connection.live = false
  if (ctx.hub.add(connection)) ctx.presence.connected(userId)
  if (since !== undefined && missed?.rows) replay(ctx, connection, missed.rows, since)
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

/** How far a replay has got: the last event written and how many so far. */
interface ReplayProgress {
  lastId: number
  replayed: number
}

function replay(
  ctx: ServerContext,
  connection: ClientConnection,
  rows: readonly { id: number; payload: string }[],
  since: number,
): void {
  const progress: ReplayProgress = { lastId: since, replayed: 0 }
  const next = writeRows(connection, rows, 0, progress)
  // Written in the step whose query found them, so nothing newer is committed yet.
  if (next === rows.length) finishReplay(connection, progress)
  else {
    replayPaced(ctx, connection, rows, next, progress).catch((error: unknown) =>
      connection.owner.replayFailed(connection, error),
    )
  }
}

/**
 * The rest of a replay that filled the socket's buffer: each wait for it to drain lets other work
 * commit events that skipped this connection (it is not live yet), so once the missed events are
 * written it reads on from the last one written, committing the open batch first, until a query
 * finds nothing more; the switch to live follows in that same step.
 */
async function replayPaced(
  ctx: ServerContext,
  connection: ClientConnection,
  rows: readonly { id: number; payload: string }[],
  next: number,
  progress: ReplayProgress,
): Promise<void> {
  let page = rows
  for (;;) {
    if (!(await connection.drained())) return
    next = writeRows(connection, page, next, progress)
    if (next < page.length) continue
    ctx.unitOfWork.flush()
    page = ctx.eventLog.after(connection.userId, progress.lastId, REPLAY_PAGE)
    next = writeRows(connection, page, 0, progress)
    if (next === page.length && page.length < REPLAY_PAGE) {
      finishReplay(connection, progress)
      return
    }
  }
}

/**
 * Writes rows from `from` on, corked in chunks so that a chunk leaves in one write, until all are
 * written or the socket holds REPLAY_HIGH_WATER bytes; returns the index of the first row not
 * written. Replayed events are never filtered by `subscribe`.
 */
function writeRows(
  connection: ClientConnection,
  rows: readonly { id: number; payload: string }[],
  from: number,
  progress: ReplayProgress,
): number {
  let held = 0
  let next = from
  connection.cork()
  try {
    while (next < rows.length) {
      const row = rows[next]!
      connection.sendRaw(row.payload)
      progress.lastId = row.id
      progress.replayed += 1
      next += 1
      held += row.payload.length
      if (held >= REPLAY_CHUNK_BYTES) {
        connection.uncork()
        connection.cork()
        held = 0
        if (connection.socket.bufferedAmount >= REPLAY_HIGH_WATER) break
      }
    }
  } finally {
    connection.uncork()
  }
  return next
}

function finishReplay(connection: ClientConnection, progress: ReplayProgress): void {
  connection.sendFrame({
    type: 'replay_complete',
    last_id: progress.lastId,
    replayed: progress.replayed,
  })
  connection.live = true
}

/**
 * Throttles typing_indicator per user and conversation: one is_typing=true per window while the
 * user keeps typing. is_typing=false always passes and ends the window, so that typing again
 * after stopping shows at once, as users expect; a client that alternates the two is bounded by
 * the connection's frame rate limit, as any other frame is.
 */
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
        connection.refuse(
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
