import type { Duplex } from 'node:stream'
import { WebSocket, type RawData } from 'ws'
import { Compile } from 'typebox/compile'
import { CloseCode } from '../../src/shared/closeCodes'
import type { EventType } from '../../src/shared/eventTypes'
import { ClientFrame, type ControlFrame, type ErrorCode } from '../../src/shared/frames'
import { Limits } from '../../src/shared/limits'
import type { StoredEvent } from '../storage/eventReader'
import type { OutgoingEvent } from '../storage/eventSink'
import { textFrame } from './textFrame'

const validateFrame = Compile(ClientFrame)
const KNOWN_FRAME_TYPES = new Set(['ping', 'typing', 'subscribe', 'send_message'])
/** Stored events a connection holds while its replay is written, at most (a replay page's worth). */
const MAX_HELD_EVENTS = 1000

/**
 * What the connections of one server share: the frame handler and the close hook. One object for
 * all connections, so that an idle connection holds no closures of its own.
 */
export interface ConnectionOwner {
  /** A valid client frame arrived. */
  frame(connection: ClientConnection, frame: ClientFrame): void
  /** The socket closed (once per connection). */
  closed(connection: ClientConnection): void
  /**
   * The client broke the WebSocket protocol (an oversized or malformed frame, text that is not
   * UTF-8); ws has already sent the close code that says which, and the socket is then dropped.
   */
  protocolError(connection: ClientConnection, error: Error): void
  /** A replay paced by the client's reading threw (storage failed); the connection must close. */
  replayFailed(connection: ClientConnection, error: unknown): void
}

/**
 * The connection of each socket, for the socket listeners below. They are shared functions (ws
 * calls a listener with `this` set to the socket) instead of closures per connection: at 10,000
 * idle connections, five closures and their context each cost more than this table's entries.
 */
const connectionOf = new WeakMap<WebSocket, ClientConnection>()

function onSocketMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  connectionOf.get(this)?.receive(data, isBinary)
}

function onSocketPong(this: WebSocket): void {
  const connection = connectionOf.get(this)
  if (connection) connection.alive = true
}

function onSocketError(this: WebSocket, error: Error): void {
  const connection = connectionOf.get(this)
  if (connection) connection.owner.protocolError(connection, error)
  this.terminate()
}

function onSocketClose(this: WebSocket): void {
  const connection = connectionOf.get(this)
  if (!connection) return
  connectionOf.delete(this)
  connection.owner.closed(connection)
}

/**
 * One authenticated socket. It owns the per-connection protocol rules: the event-type filter, the
 * frame rate limit (a token bucket refilled on arrival, so idle sockets cost no timers), the
 * violation count that ends abusive connections, and the slow-consumer cap on buffered bytes.
 */
export class ClientConnection {
  /** Cleared by each heartbeat round; set again by a pong or any frame. */
  alive = true
  /**
   * False while the connection's replay is still being written (see streamSession): live events
   * are not sent then but held (`takeHeld`), and the replay writes them after the ones it read.
   */
  private isLive = true
  /**
   * Stored events delivered while not live, in id order, for the replay to write after what it
   * read instead of reading the log again for them: under churn (a reconnect storm's own presence
   * events) the log moves during nearly every replay. Undefined once more than MAX_HELD_EVENTS
   * came: the replay then reads them from the log, as it would without.
   */
  private held: StoredEvent[] | undefined = []
  /**
   * Set once connection_established was sent: ephemeral events (typing), which no replay can
   * bring back, reach the connection from then on, even while its replay is still being written.
   */
  greeted = true
  /**
   * Cleared when the server begins shutting down: frames that arrive from then on are dropped
   * unread (a send among them is neither stored nor acked; the client sends it again once
   * reconnected), so that nothing is stored whose ack could only follow the close.
   */
  taking = true
  private filter: ReadonlySet<EventType> | null = null
  /** The frame handled last, when it was still running: the next one waits for it. */
  private handling: Promise<void> | undefined
  private tokens: number = Limits.frameBurst
  private refilledAt = Date.now()
  private violations = 0

  /**
   * `transport` is the TCP socket under `socket` (the upgrade request's `req.socket`): corking it
   * makes the frames of one delivery batch leave in one write. Listeners are attached at once.
   */
  constructor(
    readonly socket: WebSocket,
    private readonly transport: Duplex,
    readonly userId: number,
    readonly tokenHash: string,
    readonly owner: ConnectionOwner,
  ) {
    connectionOf.set(socket, this)
    socket.on('message', onSocketMessage)
    socket.on('pong', onSocketPong)
    socket.on('error', onSocketError)
    socket.on('close', onSocketClose)
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN
  }

  /**
   * Holds this socket's writes in memory until `uncork()`, so that several frames go out in one
   * syscall. Nests (Node counts cork depth); bufferedAmount still counts the held bytes.
   */
  cork(): void {
    this.transport.cork()
  }

  uncork(): void {
    this.transport.uncork()
  }

  /**
   * Sends a stored or ephemeral event unless this connection filtered its type out. `frame` is the
   * event framed once for all recipients (see ConnectionHub).
   */
  sendEvent(event: OutgoingEvent, frame: Buffer): void {
    if (event.id === null) {
      if (!this.greeted) return
    } else if (!this.isLive) {
      // Unfiltered, as the replay's own rows are: it takes the place of a read of the log.
      if (this.held && this.held.length < MAX_HELD_EVENTS) {
        this.held.push({ id: event.id, payload: event.json })
      } else {
        this.held = undefined
      }
      return
    }
    if (this.filter && !this.filter.has(event.type)) return
    this.sendFramed(frame)
  }

  /** Whether stored events are sent as they are delivered (see `isLive`). */
  get live(): boolean {
    return this.isLive
  }

  set live(live: boolean) {
    this.isLive = live
    this.held = []
  }

  /**
   * The stored events delivered while not live with ids in (`after`, `upTo`], removed from the
   * hold; undefined when some of them were not held (more came than it keeps), and the caller
   * must read the log instead. Every event of the user's stream with an id in that range was
   * delivered to this connection after it was registered, so when none was dropped they are all
   * here.
   */
  takeHeld(after: number, upTo: number): StoredEvent[] | undefined {
    const held = this.held
    if (!held) return undefined
    this.held = []
    const taken = held.filter((event) => event.id > after && event.id <= upTo)
    // Held past upTo (delivered after the caller read the watermark): kept for the next take.
    for (const event of held) if (event.id > upTo) this.held.push(event)
    return taken
  }

  sendFrame(frame: ControlFrame): void {
    this.sendFramed(textFrame(JSON.stringify(frame)))
  }

  /** Sends pre-serialized JSON (a stored event's payload) as a text frame. */
  sendRaw(json: string): void {
    this.sendFramed(textFrame(json))
  }

  /**
   * Writes one complete text frame (`textFrame`) to the TCP socket, closing the connection instead
   * if the peer stopped reading. Writing beside ws is safe here: permessage-deflate is off
   * (startServer), so ws's sender never holds frames back in a queue of its own, every write is a
   * whole frame, so it cannot split one of ws's (a ping, the close), and `bufferedAmount` counts
   * what the TCP socket holds.
   */
  sendFramed(frame: Buffer): void {
    if (!this.isOpen) return
    if (this.socket.bufferedAmount > Limits.maxBufferedBytes) {
      this.close(CloseCode.SlowConsumer, 'slow consumer: reconnect and resume')
      return
    }
    this.transport.write(frame)
  }

  /**
   * Resolves true once the TCP socket has written out what it held (at once when it was not asked
   * to wait), or false when the connection closed or began closing (a shutdown) first. A drain
   * also counts as a sign of life for the heartbeat: the peer acknowledged what it was sent, so it
   * is reading. A client catching up on a long replay would otherwise be dropped whenever the
   * server's ping sat behind more backlog than it could read in one heartbeat interval.
   */
  drained(): Promise<boolean> {
    const transport = this.transport
    if (!this.isOpen || transport.destroyed) return Promise.resolve(false)
    if (!transport.writableNeedDrain) return Promise.resolve(true)
    return new Promise((resolve) => {
      const settle = (drained: boolean) => {
        transport.off('drain', onDrain)
        transport.off('close', onClose)
        resolve(drained)
      }
      const onDrain = () => {
        this.alive = true
        settle(this.isOpen)
      }
      const onClose = () => settle(false)
      transport.on('drain', onDrain)
      transport.on('close', onClose)
    })
  }

  /**
   * Runs `task` once the tasks of the frames before it have run, so that a client's frames are
   * answered in the order they came (two sends are stored in the order they were sent, a pong
   * follows the refusals of the frames before it) even though some await the database. With
   * nothing pending it runs at once. A task that fails has reported its failure; the next runs.
   */
  serially(task: () => void | Promise<void>): void {
    const previous = this.handling
    let current: Promise<void>
    if (previous) {
      current = previous.then(task).catch(() => undefined)
    } else {
      const result = task()
      if (!result) return
      current = result.catch(() => undefined)
    }
    this.handling = current
    void current.then(() => {
      if (this.handling === current) this.handling = undefined
    })
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
  receive(data: RawData, isBinary: boolean): void {
    if (!this.taking) return
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
    this.owner.frame(this, frame)
  }

  /**
   * Refuses a well-formed frame for a reason of the world, not of the protocol (not a member, no
   * such conversation): the client may have acted on news it has not received yet, such as its
   * removal from the conversation, so this does not count toward closing the connection.
   */
  refuse(code: ErrorCode, message: string, clientId?: string): void {
    this.sendFrame(
      clientId === undefined
        ? { type: 'error', code, message }
        : { type: 'error', code, message, client_id: clientId },
    )
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
