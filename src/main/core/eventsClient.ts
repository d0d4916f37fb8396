import WebSocket from 'ws'
import { CloseCode, shouldReconnect } from '../../shared/closeCodes'
import type { AnyTidingsEvent } from '../../shared/events'
import type {
  ConnectionEstablishedFrame,
  ReplayCompleteFrame,
  ResyncRequiredFrame,
  ServerFrame,
} from '../../shared/frames'
import type { ConnectionState } from '../../shared/ipc'
import { DEFAULT_BACKOFF, fullJitterDelayMs, type BackoffPolicy } from './backoff'
import { systemClock, type Clock, type TimerHandle } from './clock'

/**
 * Our own liveness check on top of the server's protocol pings: a socket whose peer vanished
 * (laptop slept, Wi-Fi changed, NAT dropped the mapping) can look open for many minutes. We send
 * an application ping every `pingIntervalMs`; when nothing at all arrives for `silenceTimeoutMs`
 * the socket is declared dead and replaced, so a half-dead socket is noticed within a minute.
 */
export interface HeartbeatPolicy {
  pingIntervalMs: number
  silenceTimeoutMs: number
  /** After reconnectNow() on a socket that looks open: how long a ping may take to answer. */
  probeTimeoutMs: number
}

export const DEFAULT_HEARTBEAT: HeartbeatPolicy = {
  pingIntervalMs: 20_000,
  silenceTimeoutMs: 45_000,
  probeTimeoutMs: 5_000,
}

export interface EventsClientListener {
  /** A new event, in stream order. `replaying` is true for events missed while disconnected. */
  event(event: AnyTidingsEvent, replaying: boolean): void
  /** Missed events cannot be replayed: reload state over REST. The stream continues after it. */
  resync(reason: string, latestId: number): void
  state(state: ConnectionState): void
  /** The token was rejected. The client has stopped and will not retry with it. */
  signedOut(reason: string): void
  connected?(frame: ConnectionEstablishedFrame): void
  replayComplete?(frame: ReplayCompleteFrame): void
}

export interface EventsClientOptions {
  /** http(s) base URL of the server; the socket URL is derived from it. */
  serverUrl: string
  token: string
  /** Last processed event id from an earlier run (null on a first sign-in). */
  resumeFrom: number | null
  /** Persists the last processed event id so the next run resumes after it. */
  savePosition(lastEventId: number): void
  listener: EventsClientListener
  backoff?: BackoffPolicy
  heartbeat?: HeartbeatPolicy
  clock?: Clock
  random?: () => number
}

const HANDSHAKE_TIMEOUT_MS = 10_000

/**
 * One events WebSocket for one signed-in account. It reconnects on its own, resumes from the last
 * processed event id so nothing is lost or repeated, and reports its state for the UI.
 */
export class EventsClient {
  private readonly options: EventsClientOptions
  private readonly backoff: BackoffPolicy
  private readonly heartbeat: HeartbeatPolicy
  private readonly clock: Clock
  private readonly random: () => number

  private lastEventId: number | null
  private socket: WebSocket | null = null
  /** Bumped per socket, so callbacks of a replaced socket are ignored. */
  private generation = 0
  private running = false
  private signedOut = false
  private networkOnline = true
  /** Consecutive attempts that failed since the last successful connection. */
  private failures = 0
  private replaying = false
  private currentState: ConnectionState = {
    status: 'offline',
    next_attempt_at: null,
    attempt: 0,
    last_error: null,
  }

  private reconnectTimer: TimerHandle | null = null
  private pingTimer: TimerHandle | null = null
  private watchdogTimer: TimerHandle | null = null
  private lastFrameAt = 0
  private probeDeadline: number | null = null

  constructor(options: EventsClientOptions) {
    this.options = options
    this.backoff = options.backoff ?? DEFAULT_BACKOFF
    this.heartbeat = options.heartbeat ?? DEFAULT_HEARTBEAT
    this.clock = options.clock ?? systemClock
    this.random = options.random ?? Math.random
    this.lastEventId = options.resumeFrom
  }

  get state(): ConnectionState {
    return this.currentState
  }

  /** The id of the newest event processed, which the next connection resumes after. */
  get position(): number | null {
    return this.lastEventId
  }

  start(): void {
    if (this.running || this.signedOut) return
    this.running = true
    this.failures = 0
    this.connect()
  }

  /** Closes the socket for good (sign-out, quit). */
  stop(): void {
    this.running = false
    this.clock.clearTimeout(this.reconnectTimer)
    this.reconnectTimer = null
    this.dropSocket(CloseCode.Normal)
    if (!this.signedOut) this.setState({ status: 'offline', next_attempt_at: null, attempt: 0 })
  }

  /**
   * Connect at once instead of waiting for the backoff timer: after the machine wakes from sleep
   * or the network comes back, the reason for the earlier failures is most likely gone. A socket
   * that still looks open is probed with a ping and replaced if the answer does not come quickly.
   */
  reconnectNow(): void {
    if (!this.running || this.signedOut || !this.networkOnline) return
    const socket = this.socket
    if (socket && socket.readyState === WebSocket.OPEN) {
      this.probeDeadline = this.clock.now() + this.heartbeat.probeTimeoutMs
      this.sendFrame({ type: 'ping' })
      this.armWatchdog()
      return
    }
    if (socket && socket.readyState === WebSocket.CONNECTING) return
    this.clock.clearTimeout(this.reconnectTimer)
    this.reconnectTimer = null
    this.failures = 0
    this.connect()
  }

  /** While the OS reports no network, attempts are pointless: wait for it to come back. */
  setNetworkOnline(online: boolean): void {
    if (online === this.networkOnline) return
    this.networkOnline = online
    if (!this.running || this.signedOut) return
    if (online) {
      this.reconnectNow()
      return
    }
    this.clock.clearTimeout(this.reconnectTimer)
    this.reconnectTimer = null
    this.dropSocket(CloseCode.GoingAway)
    this.setState({ status: 'offline', next_attempt_at: null, attempt: this.failures })
  }

  /** Sends a typing frame when connected; typing is best-effort and never queued. */
  sendTyping(conversationId: number, isTyping: boolean): boolean {
    return this.sendFrame({ type: 'typing', conversation_id: conversationId, is_typing: isTyping })
  }

  // ---- Connection lifecycle ----------------------------------------------------------------

  private connect(): void {
    this.dropSocket(CloseCode.Normal)
    const generation = ++this.generation
    const resuming = this.lastEventId !== null
    const socket = new WebSocket(this.socketUrl(), { handshakeTimeout: HANDSHAKE_TIMEOUT_MS })
    this.socket = socket
    this.replaying = false
    this.setState({
      status: this.failures === 0 ? 'connecting' : 'reconnecting',
      next_attempt_at: null,
      attempt: this.failures,
    })

    let handshakeStatus: number | null = null
    let lastError: string | null = null
    const current = () => generation === this.generation

    socket.on('unexpected-response', (_request, response) => {
      handshakeStatus = response.statusCode ?? null
      // With a listener attached, ws leaves the aborted handshake to us.
      socket.terminate()
    })
    socket.on('open', () => {
      if (!current()) return
      this.lastFrameAt = this.clock.now()
      this.schedulePing()
      this.armWatchdog()
    })
    socket.on('message', (data) => {
      if (!current()) return
      this.noteActivity()
      this.handleFrame(data.toString(), resuming)
    })
    // Protocol-level pings from the server also prove the socket is alive.
    socket.on('ping', () => current() && this.noteActivity())
    socket.on('pong', () => current() && this.noteActivity())
    socket.on('error', (error) => {
      lastError = error.message
    })
    socket.on('close', (code, reason) => {
      if (!current()) return
      this.socket = null
      this.stopHeartbeat()
      if (!this.running) return
      if (handshakeStatus === 401 || code === CloseCode.Unauthorized) {
        this.handleSignedOut(reason.toString() || 'The session is no longer valid')
        return
      }
      const why =
        handshakeStatus !== null
          ? `The server refused the connection (HTTP ${handshakeStatus})`
          : (lastError ?? (reason.toString() || `Connection closed (${code})`))
      if (!shouldReconnect(code)) {
        this.setState({ status: 'offline', next_attempt_at: null, attempt: 0, last_error: why })
        this.running = false
        return
      }
      this.scheduleReconnect(code, why)
    })
  }

  private scheduleReconnect(code: number, why: string): void {
    if (!this.networkOnline) {
      this.setState({
        status: 'offline',
        next_attempt_at: null,
        attempt: this.failures,
        last_error: why,
      })
      return
    }
    // A slow consumer lost frames it must fetch again right away; everything else backs off.
    const delay =
      code === CloseCode.SlowConsumer
        ? 0
        : fullJitterDelayMs(this.failures, this.backoff, this.random)
    this.failures += 1
    this.setState({
      status: 'reconnecting',
      next_attempt_at: new Date(this.clock.now() + delay).toISOString(),
      attempt: this.failures,
      last_error: why,
    })
    this.clock.clearTimeout(this.reconnectTimer)
    this.reconnectTimer = this.clock.setTimeout(() => {
      this.reconnectTimer = null
      if (this.running && !this.signedOut) this.connect()
    }, delay)
  }

  private handleSignedOut(reason: string): void {
    this.signedOut = true
    this.running = false
    this.clock.clearTimeout(this.reconnectTimer)
    this.reconnectTimer = null
    this.setState({ status: 'signed_out', next_attempt_at: null, attempt: 0, last_error: reason })
    this.options.listener.signedOut(reason)
  }

  private dropSocket(code: number): void {
    const socket = this.socket
    this.socket = null
    this.generation += 1
    this.stopHeartbeat()
    if (!socket) return
    if (socket.readyState === WebSocket.OPEN) socket.close(code)
    else socket.terminate()
  }

  private socketUrl(): string {
    const url = new URL('/events/ws/connect', this.options.serverUrl)
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
    url.searchParams.set('token', this.options.token)
    if (this.lastEventId !== null) url.searchParams.set('since', String(this.lastEventId))
    return url.toString()
  }

  // ---- Frames ------------------------------------------------------------------------------

  private handleFrame(text: string, resuming: boolean): void {
    let frame: ServerFrame
    try {
      frame = JSON.parse(text) as ServerFrame
    } catch {
      return
    }
    if (typeof frame !== 'object' || frame === null || typeof frame.type !== 'string') return
    switch (frame.type) {
      case 'connection_established':
        this.handleEstablished(frame, resuming)
        return
      case 'replay_complete':
        this.replaying = false
        this.options.listener.replayComplete?.(frame)
        return
      case 'resync_required':
        this.handleResync(frame)
        return
      // The desktop app sends through its REST outbox, never with send_message: no acks come.
      case 'message_ack':
      case 'pong':
      case 'error':
        return
      default:
        this.handleEvent(frame)
    }
  }

  private handleEstablished(frame: ConnectionEstablishedFrame, resuming: boolean): void {
    this.failures = 0
    this.replaying = resuming
    if (this.lastEventId === null) {
      // First connection of this account: start the stream at "now"; the caller loads the
      // current state over REST.
      this.advancePosition(frame.latest_event_id)
    }
    this.setState({ status: 'connected', next_attempt_at: null, attempt: 0, last_error: null })
    this.options.listener.connected?.(frame)
  }

  private handleResync(frame: ResyncRequiredFrame): void {
    this.replaying = false
    this.lastEventId = frame.latest_id
    this.options.savePosition(frame.latest_id)
    this.options.listener.resync(frame.reason, frame.latest_id)
  }

  private handleEvent(event: AnyTidingsEvent): void {
    if (event.id === null) {
      // Ephemeral (typing): never stored, never replayed, no position.
      this.options.listener.event(event, false)
      return
    }
    if (typeof event.id !== 'number') return
    // Ids only grow: anything at or below the position was processed already (a replay that
    // overlaps live delivery, or a duplicate after a reconnect race).
    if (this.lastEventId !== null && event.id <= this.lastEventId) return
    this.options.listener.event(event, this.replaying)
    this.advancePosition(event.id)
  }

  private advancePosition(id: number): void {
    this.lastEventId = id
    this.options.savePosition(id)
  }

  private sendFrame(frame: object): boolean {
    const socket = this.socket
    if (!socket || socket.readyState !== WebSocket.OPEN) return false
    socket.send(JSON.stringify(frame))
    return true
  }

  // ---- Heartbeat ---------------------------------------------------------------------------

  private noteActivity(): void {
    this.lastFrameAt = this.clock.now()
    this.probeDeadline = null
  }

  private schedulePing(): void {
    this.clock.clearTimeout(this.pingTimer)
    this.pingTimer = this.clock.setTimeout(() => {
      this.pingTimer = null
      if (this.sendFrame({ type: 'ping' })) this.schedulePing()
    }, this.heartbeat.pingIntervalMs)
  }

  /** One timer for the earliest deadline; activity just moves the deadline, not the timer. */
  private armWatchdog(): void {
    this.clock.clearTimeout(this.watchdogTimer)
    const silenceDeadline = this.lastFrameAt + this.heartbeat.silenceTimeoutMs
    const deadline =
      this.probeDeadline === null ? silenceDeadline : Math.min(silenceDeadline, this.probeDeadline)
    this.watchdogTimer = this.clock.setTimeout(
      () => {
        this.watchdogTimer = null
        const socket = this.socket
        if (!socket) return
        const now = this.clock.now()
        const silentTooLong = now - this.lastFrameAt >= this.heartbeat.silenceTimeoutMs
        const probeMissed = this.probeDeadline !== null && now >= this.probeDeadline
        if (silentTooLong || probeMissed) {
          this.probeDeadline = null
          // terminate() skips the closing handshake a dead peer would never answer.
          socket.terminate()
          return
        }
        this.armWatchdog()
      },
      Math.max(0, deadline - this.clock.now()),
    )
  }

  private stopHeartbeat(): void {
    this.clock.clearTimeout(this.pingTimer)
    this.clock.clearTimeout(this.watchdogTimer)
    this.pingTimer = null
    this.watchdogTimer = null
    this.probeDeadline = null
  }

  private setState(
    next: Omit<ConnectionState, 'last_error'> & { last_error?: string | null },
  ): void {
    this.currentState = {
      status: next.status,
      next_attempt_at: next.next_attempt_at,
      attempt: next.attempt,
      last_error: next.last_error === undefined ? this.currentState.last_error : next.last_error,
    }
    if (next.status === 'connected') this.currentState.last_error = null
    this.options.listener.state(this.currentState)
  }
}
