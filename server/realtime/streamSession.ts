import type { Duplex } from 'node:stream'
import type { WebSocket } from 'ws'
import { CloseCode } from '../../src/shared/closeCodes'
import type { Static } from 'typebox'
import type { ClientFrame, ResyncRequiredFrame, TypingFrame } from '../../src/shared/frames'
import { Limits } from '../../src/shared/limits'
import type { ServerContext } from '../context'
import type { Caller } from '../services/accounts'
import type { StoredEvent } from '../storage/eventReader'
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
      if (ctx.hub.remove(connection)) {
        ctx.presence.disconnected(connection.userId)
        ctx.lastSeen.touch(connection.userId)
      }
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
/** Events read from the log per query when a replay catches up. */
const REPLAY_PAGE = 1000
/**
 * How long a resume from a position this node has not delivered yet (another node of the cluster
 * has) waits for this node's tail to get there before the position counts as unknown.
 */
const CATCH_UP_WAIT_MS = 5_000

/**
 * Opens an authenticated event stream on a socket: greets, replays what the client missed since
 * `since`, and then delivers live events, so that no event falls between the replay and the live
 * stream or arrives in both. The connection is registered at once but not live: live events skip
 * it while its replay reads the log up to the node's delivery watermark (realtime/liveFeed), and
 * it goes live in the same step as a read that found the watermark where it was when the read
 * began (see catchUp). `transport` is the TCP socket under `socket` (the upgrade request's
 * `req.socket`).
 */
export function openStream(
  ctx: ServerContext,
  owner: ConnectionOwner,
  socket: WebSocket,
  transport: Duplex,
  caller: Caller,
  since: number | undefined,
): void {
  const connection = new ClientConnection(
    socket,
    transport,
    caller.user.id,
    caller.tokenHash,
    owner,
  )
  connection.live = false
  connection.greeted = false
  // One connection too many for this user: refused before it is registered or greeted.
  if (ctx.hub.countOf(caller.user.id) >= ctx.options.maxSocketsPerUser) {
    connection.close(
      CloseCode.TooManyConnections,
      `at most ${ctx.options.maxSocketsPerUser} connections per user`,
    )
    return
  }
  // Registered before anything else, so that the heartbeat, a shutdown and a revocation reach it.
  const first = ctx.hub.add(connection)
  if (first) ctx.lastSeen.touch(caller.user.id)
  const announced = first ? ctx.presence.connected(caller.user.id) : undefined
  // From here on the connection is owed every event delivered: those that come while it is not
  // live it holds, or they are read from the log (catchUp), from this watermark on.
  const registeredAt = ctx.feed.watermark
  // The client's frames are answered after this (see ClientConnection.serially): a pong means
  // that everything the stream owed the client before the ping has been written.
  connection.serially(() =>
    greetAndCatchUp(ctx, connection, caller, since, announced, registeredAt).catch(
      (error: unknown) => connection.owner.replayFailed(connection, error),
    ),
  )
}

async function greetAndCatchUp(
  ctx: ServerContext,
  connection: ClientConnection,
  caller: Caller,
  since: number | undefined,
  announced: Promise<void> | undefined,
  registeredAt: number,
): Promise<void> {
  const userId = caller.user.id
  // The token was checked before the upgrade (eventRoutes' preHandler), but a revocation closes
  // only the sockets the hub holds, and this one was not there yet. Checked again now that it is:
  // a revocation applied from here on finds it, and one applied before is seen here.
  if (!(await ctx.accounts.session(caller.tokenHash))) {
    if (ctx.hub.remove(connection)) ctx.presence.disconnected(userId)
    connection.close(CloseCode.Unauthorized, 'token revoked')
    return
  }
  // Greeted once the user's online (if they just came) reached the others: see Presence.
  await announced
  const missed = since === undefined ? undefined : await missedEvents(ctx, userId, since)
  if (!connection.isOpen) return
  // What the greeting and the replay cover: up to where a resume's read ended, else up to where
  // the connection was registered (a fresh one, or one told to resync, starts there).
  const upTo = missed?.rows ? missed.upTo : registeredAt
  // A complete replay ends with the newest event of the user's stream, which is what the greeting
  // announces: a reconnecting client (a storm is 10,000 of them) then costs no second query.
  // Otherwise the newest event of the stream, and never a position below the retention floor
  // (which a resume from would be refused).
  const latest =
    missed?.rows && missed.rows.length > 0
      ? missed.rows[missed.rows.length - 1]!.id
      : Math.max(await ctx.eventReader.latestFor(userId, upTo), await ctx.retention.floor())
  connection.sendFrame({
    type: 'connection_established',
    user_id: userId,
    timezone: ctx.branding.timezone,
    message: 'Connected to real-time events',
    server_time: nowIso(),
    latest_event_id: latest,
    heartbeat_interval_ms: ctx.options.heartbeatIntervalMs,
  })
  connection.greeted = true
  if (missed?.resync) {
    connection.sendFrame({ type: 'resync_required', ...missed.resync, latest_id: latest })
    ctx.metrics.resynced(missed.resync.reason)
  } else if (missed?.rows) {
    ctx.metrics.replayed(missed.rows.length)
  }
  // A resume goes on from its own position; anything else (told to resync too) from the greeting's.
  const progress: ReplayProgress = {
    lastId: missed?.rows ? since! : latest,
    readUpTo: upTo,
    replayed: 0,
  }
  await catchUp(ctx, connection, missed?.rows ?? [], progress, missed?.rows !== undefined)
}

/** What a client resuming from `since` gets: every event it missed, or why it must resync. */
type Missed =
  | { rows: StoredEvent[]; upTo: number; resync?: undefined }
  | { rows?: undefined; upTo: number; resync: Pick<ResyncRequiredFrame, 'reason' | 'message'> }

async function missedEvents(ctx: ServerContext, userId: number, since: number): Promise<Missed> {
  let upTo = ctx.feed.watermark
  if (since > upTo) {
    // Another node may have delivered it already: wait for this one's tail to get there.
    const known = since <= (await ctx.feed.committedMax())
    if (!known || !(await ctx.feed.reached(since, CATCH_UP_WAIT_MS))) {
      return {
        upTo,
        resync: {
          reason: 'unknown_position',
          message: `Event ${since} is unknown to this server; reload your conversations.`,
        },
      }
    }
    upTo = ctx.feed.watermark
  }
  const rows = await ctx.eventReader.after(userId, since, upTo, Limits.maxReplayEvents + 1)
  // Read after the events: a prune committed before that read is seen here (see EventRetention).
  if (since < (await ctx.retention.floor())) {
    return {
      upTo,
      resync: {
        reason: 'retention',
        message: 'Events since then are past the retention window; reload your conversations.',
      },
    }
  }
  if (rows.length > Limits.maxReplayEvents) {
    return {
      upTo,
      resync: {
        reason: 'too_many',
        message: `More than ${Limits.maxReplayEvents} events were missed; reload your conversations.`,
      },
    }
  }
  return { rows, upTo }
}

/** How far a connection's replay has got. */
interface ReplayProgress {
  /** The last event written (or the client's position). */
  lastId: number
  /** Every event of the user's stream up to this id has been read (and is written or queued). */
  readUpTo: number
  replayed: number
}

/**
 * Writes `rows`, then goes on from where the last read ended up to the watermark, pacing the
 * writes by the client's reading, until it finds the watermark where it was when it last looked;
 * the switch to live follows in that same step, so the next event delivered is the first one it
 * did not write. What was delivered meanwhile the connection held (ClientConnection.takeHeld);
 * only when it held too much (or the last read filled a page) is the log read again.
 * `announce` sends replay_complete (for a resume).
 */
async function catchUp(
  ctx: ServerContext,
  connection: ClientConnection,
  rows: readonly StoredEvent[],
  progress: ReplayProgress,
  announce: boolean,
): Promise<void> {
  let page = rows
  let next = 0
  // Whether the last read found every event up to progress.readUpTo (a full page may not have).
  let complete = true
  for (;;) {
    next = writeRows(connection, page, next, progress)
    if (next < page.length) {
      if (!(await connection.drained())) return
      continue
    }
    const upTo = ctx.feed.watermark
    if (complete && upTo === progress.readUpTo) break
    // What was delivered since the last read ended: held by the connection unless too much came.
    const held = complete ? connection.takeHeld(progress.readUpTo, upTo) : undefined
    if (held) {
      page = held
      next = 0
      progress.readUpTo = upTo
      continue
    }
    const from = complete ? progress.readUpTo : progress.lastId
    const readUpTo = complete ? upTo : progress.readUpTo
    page = await ctx.eventReader.after(connection.userId, from, readUpTo, REPLAY_PAGE)
    next = 0
    complete = page.length < REPLAY_PAGE
    progress.readUpTo = readUpTo
    if (!connection.isOpen) return
    // Events after the client's position pruned meanwhile (a replay that ran for days): the
    // client must resume again, and will be told to resync.
    if (progress.lastId < (await ctx.retention.floor())) {
      throw new Error('events of this replay were pruned while it ran')
    }
  }
  if (!connection.isOpen) return
  if (announce) {
    connection.sendFrame({
      type: 'replay_complete',
      last_id: progress.lastId,
      replayed: progress.replayed,
    })
  }
  connection.live = true
}

/**
 * Writes rows from `from` on, corked in chunks so that a chunk leaves in one write, until all are
 * written or the socket holds REPLAY_HIGH_WATER bytes; returns the index of the first row not
 * written. Replayed events are never filtered by `subscribe`.
 */
function writeRows(
  connection: ClientConnection,
  rows: readonly StoredEvent[],
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
  // In order, each after the ones before it (see ClientConnection.serially).
  switch (frame.type) {
    case 'ping':
      connection.serially(() => connection.sendFrame({ type: 'pong', server_time: nowIso() }))
      return
    case 'send_message':
      connection.serially(() => sendOverSocket(ctx, connection, frame, reportError))
      return
    case 'subscribe':
      connection.serially(() => connection.setFilter(frame.event_types))
      return
    case 'typing':
      connection.serially(() => relayTyping(ctx, connection, frame, typingGate))
      return
  }
}

/** A typing frame: to the conversation's other members, never stored. */
async function relayTyping(
  ctx: ServerContext,
  connection: ClientConnection,
  frame: Static<typeof TypingFrame>,
  typingGate: TypingGate,
): Promise<void> {
  const userId = connection.userId
  if (!(await ctx.conversations.isMember(ctx.db, frame.conversation_id, userId))) {
    connection.refuse('forbidden', `You are not a member of conversation ${frame.conversation_id}.`)
    return
  }
  if (!typingGate.allow(userId, frame.conversation_id, frame.is_typing)) return
  const user = await ctx.accounts.getUser(userId)
  if (!user) {
    connection.close(CloseCode.Unauthorized, 'account no longer exists')
    return
  }
  await ctx.typing.relay({
    conversation_id: frame.conversation_id,
    user_id: userId,
    display_name: user.display_name,
    is_typing: frame.is_typing,
  })
}
