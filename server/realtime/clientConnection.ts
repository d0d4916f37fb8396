import { WebSocket } from 'ws'
import { Compile } from 'typebox/compile'
import { CloseCode } from '../../src/shared/closeCodes'
import type { EventType } from '../../src/shared/eventTypes'
import { ClientFrame, type ControlFrame, type ErrorCode } from '../../src/shared/frames'
import { Limits } from '../../src/shared/limits'
import type { OutgoingEvent } from './eventLog'

const validateFrame = Compile(ClientFrame)
const KNOWN_FRAME_TYPES = new Set(['ping', 'typing', 'subscribe'])

/** What a connection asks of the server when a valid client frame arrives. */
export interface FrameHandler {
  (connection: ClientConnection, frame: ClientFrame): void
}

/**
 * One authenticated socket. It owns the per-connection protocol rules: the event-type filter, the
 * frame rate limit (a token bucket refilled on arrival, so idle sockets cost no timers), the
 * violation count that ends abusive connections, and the slow-consumer cap on buffered bytes.
 */
export class ClientConnection {
  /** Cleared by each heartbeat round; set again by a pong or any frame. */
  alive = true
  private filter: ReadonlySet<EventType> | null = null
  private tokens: number = Limits.frameBurst
  private refilledAt = Date.now()
  private violations = 0

  constructor(
    readonly socket: WebSocket,
    readonly userId: number,
    readonly tokenHash: string,
    private readonly onFrame: FrameHandler,
  ) {}

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN
  }

  /** Sends a stored or ephemeral event unless this connection filtered its type out. */
  sendEvent(event: OutgoingEvent): void {
    if (this.filter && !this.filter.has(event.type)) return
    this.sendRaw(event.json)
  }

  sendFrame(frame: ControlFrame): void {
    this.sendRaw(JSON.stringify(frame))
  }

  /** Sends pre-serialized JSON, closing the socket if the peer stopped reading. */
  sendRaw(json: string): void {
    if (!this.isOpen) return
    if (this.socket.bufferedAmount > Limits.maxBufferedBytes) {
      this.close(CloseCode.SlowConsumer, 'slow consumer: reconnect and resume')
      return
    }
    this.socket.send(json)
  }

  setFilter(types: readonly EventType[]): void {
    this.filter = types.length === 0 ? null : new Set(types)
  }

  close(code: number, reason: string): void {
    if (
      this.socket.readyState === WebSocket.OPEN ||
      this.socket.readyState === WebSocket.CONNECTING
    ) {
      this.socket.close(code, reason)
    }
  }

  /** Parses, rate-limits and validates one client frame; errors are answered, never thrown. */
  receive(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
    this.alive = true
    if (!this.takeToken()) {
      this.reject('rate_limited', `Too many frames: at most ${Limits.framesPerSecond} per second.`)
      return
    }
    if (isBinary) {
      this.reject('invalid_frame', 'Binary frames are not supported; send JSON text.')
      return
    }
    let frame: unknown
    try {
      frame = JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : String(data))
    } catch {
      this.reject('invalid_json', 'The frame is not valid JSON.')
      return
    }
    const type = (frame as { type?: unknown } | null)?.type
    if (typeof type !== 'string' || !KNOWN_FRAME_TYPES.has(type)) {
      this.reject('unknown_type', `Unknown frame type ${JSON.stringify(type ?? null)}.`)
      return
    }
    if (!validateFrame.Check(frame)) {
      const first = validateFrame.Errors(frame)[0]
      const where = first?.instancePath ? ` at ${first.instancePath}` : ''
      this.reject(
        'invalid_frame',
        `Invalid ${type} frame${where}: ${first?.message ?? 'schema violation'}.`,
      )
      return
    }
    this.onFrame(this, frame)
  }

  /** Answers a bad frame; a client that keeps sending them is disconnected. */
  reject(code: ErrorCode, message: string): void {
    this.sendFrame({ type: 'error', code, message })
    this.violations += 1
    if (this.violations > Limits.maxViolations) {
      this.close(CloseCode.PolicyViolation, 'too many invalid or excess frames')
    }
  }

  private takeToken(): boolean {
    const now = Date.now()
    const refill = ((now - this.refilledAt) / 1000) * Limits.framesPerSecond
    this.tokens = Math.min(Limits.frameBurst, this.tokens + refill)
    this.refilledAt = now
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }
}
