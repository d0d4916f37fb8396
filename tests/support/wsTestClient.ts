import type { IncomingMessage } from 'node:http'
import WebSocket from 'ws'
import type { EventType } from '../../src/shared/eventTypes'
import type { AnyTidingsEvent, TidingsEvent } from '../../src/shared/events'
import type {
  ConnectionEstablishedFrame,
  ControlFrame,
  ErrorFrame,
  PongFrame,
  ServerFrame,
} from '../../src/shared/frames'

/**
 * A WebSocket client of the events stream for tests, on the `ws` package. It records every frame
 * the server sends, in order, and lets a test wait for one with a timeout (never a fixed sleep):
 *
 *   const client = await WsTestClient.connect(server.url, token)    // waits for the greeting
 *   const mark = client.mark()
 *   await rest.post(...)                                             // cause an event
 *   const event = await client.waitForEvent('message_received', { after: mark })
 *
 * To assert that something did NOT arrive, use `sync()`: it sends a ping and resolves with every
 * frame received between the mark and the pong. Events caused by a finished REST call are written
 * to the sockets before the HTTP response, so anything that was going to arrive is in that list.
 *
 *   const mark = client.mark()
 *   await rest.post(...)
 *   expect(eventsIn(await client.sync(mark))).toEqual([])
 */
export interface WaitOptions {
  /** Only frames at or after this index (from `mark()`) count. Default 0: any frame so far. */
  after?: number
  /** Default 10000 ms. */
  timeoutMs?: number
}

export interface CloseInfo {
  code: number
  reason: string
}

export interface ConnectOptions {
  /** Resume position: appended as `&since=`; a string is sent verbatim (for invalid values). */
  since?: number | string
  /** Resolve only once `connection_established` arrived. Default true. */
  waitForGreeting?: boolean
  timeoutMs?: number
  /** Answer the server's protocol pings (ws default true); false simulates a dead peer. */
  autoPong?: boolean
}

interface Waiter {
  after: number
  test: (frame: ServerFrame) => boolean
  resolve: (frame: ServerFrame) => void
}

const DEFAULT_TIMEOUT_MS = 10_000

/** The ws:// URL of the events endpoint for a server base URL. */
export function eventsUrl(
  baseUrl: string,
  token: string | undefined,
  since?: number | string,
): string {
  const url = new URL('/events/ws/connect', baseUrl)
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
  if (token !== undefined) url.searchParams.set('token', token)
  if (since !== undefined) url.searchParams.set('since', String(since))
  return url.toString()
}

/** True for stored or ephemeral events (not control frames such as pong or error). */
export function isEvent(frame: ServerFrame): frame is AnyTidingsEvent {
  return 'data' in frame && 'timezone' in frame && 'id' in frame
}

/** The events among `frames`, in order. */
export function eventsIn(frames: readonly ServerFrame[]): AnyTidingsEvent[] {
  return frames.filter(isEvent)
}

/** A presence event: it comes and goes with other tests' sockets, on its own schedule. */
export function isPresence(event: AnyTidingsEvent): boolean {
  return event.type === 'user_online' || event.type === 'user_offline'
}

/** A type guard for an event of one type. */
export function isEventOf<T extends EventType>(type: T) {
  return (frame: ServerFrame): frame is TidingsEvent<T> & AnyTidingsEvent =>
    isEvent(frame) && frame.type === type
}

export class WsTestClient {
  /** Every JSON frame received, in arrival order. */
  readonly frames: ServerFrame[] = []
  /** Binary frames received (the server should never send one). */
  binaryFrames = 0
  /** Resolves when the socket closed, with the close code and reason. */
  readonly closed: Promise<CloseInfo>
  private readonly waiters = new Set<Waiter>()
  private closeInfo: CloseInfo | undefined

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data, isBinary) => {
      if (isBinary) {
        this.binaryFrames += 1
        return
      }
      const frame = JSON.parse(String(data)) as ServerFrame
      this.frames.push(frame)
      const index = this.frames.length - 1
      for (const waiter of [...this.waiters]) {
        if (index >= waiter.after && waiter.test(frame)) {
          this.waiters.delete(waiter)
          waiter.resolve(frame)
        }
      }
    })
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() }
        resolve(this.closeInfo)
      })
    })
    // Errors (e.g. a reset connection) are followed by 'close'; keep them from crashing the test.
    socket.on('error', () => {})
  }

  /** Connects and (by default) waits for `connection_established`. Rejects on HTTP refusal. */
  static async connect(
    baseUrl: string,
    token: string,
    options: ConnectOptions = {},
  ): Promise<WsTestClient> {
    const socket = new WebSocket(eventsUrl(baseUrl, token, options.since), {
      autoPong: options.autoPong ?? true,
    })
    const client = new WsTestClient(socket)
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve())
      socket.once('unexpected-response', (_request, response: IncomingMessage) => {
        reject(new Error(`Handshake refused with HTTP ${response.statusCode}`))
        socket.terminate()
      })
      socket.once('error', reject)
    })
    if (options.waitForGreeting ?? true) {
      await client.waitFor((f) => f.type === 'connection_established', {
        timeoutMs: options.timeoutMs,
      })
    }
    return client
  }

  /**
   * Attempts a handshake that the server should refuse; resolves with the HTTP status and the
   * response body (rejects if the socket opened instead). An undefined token omits the parameter.
   */
  static async expectRefusal(
    baseUrl: string,
    token: string | undefined,
    since?: number | string,
  ): Promise<{ statusCode: number; body: string }> {
    const socket = new WebSocket(eventsUrl(baseUrl, token, since))
    socket.on('error', () => {})
    return new Promise((resolve, reject) => {
      socket.once('open', () => {
        socket.terminate()
        reject(new Error('The handshake was accepted'))
      })
      socket.once('unexpected-response', (_request, response: IncomingMessage) => {
        let body = ''
        response.setEncoding('utf8')
        response.on('data', (chunk: string) => (body += chunk))
        response.on('end', () => {
          socket.terminate()
          resolve({ statusCode: response.statusCode ?? 0, body })
        })
      })
    })
  }

  /** The greeting frame. */
  get greeting(): ConnectionEstablishedFrame {
    const frame = this.frames.find((f) => f.type === 'connection_established')
    if (!frame) throw new Error('No connection_established frame yet.')
    return frame as ConnectionEstablishedFrame
  }

  /** The index the next frame will have: pass as `after` to wait only for newer frames. */
  mark(): number {
    return this.frames.length
  }

  /** The events received so far (optionally only those after a mark). */
  events(after = 0): AnyTidingsEvent[] {
    return eventsIn(this.frames.slice(after))
  }

  /** The id of the newest stored event received (0 when none). */
  lastEventId(): number {
    let last = 0
    for (const event of this.events()) if (event.id !== null) last = event.id
    return last
  }

  /** Waits for the first frame (at or after `after`) that matches. */
  waitFor<F extends ServerFrame>(
    test: ((frame: ServerFrame) => frame is F) | ((frame: ServerFrame) => boolean),
    options: WaitOptions = {},
  ): Promise<F> {
    const after = options.after ?? 0
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
    for (let i = after; i < this.frames.length; i++) {
      const frame = this.frames[i]!
      if (test(frame)) return Promise.resolve(frame as F)
    }
    return new Promise<F>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter)
        const recent = this.frames.slice(after).map((f) => JSON.stringify(f).slice(0, 200))
        reject(
          new Error(
            `Timed out after ${timeoutMs} ms waiting for a frame matching ${test.toString()}; ` +
              `received since index ${after}:\n${recent.join('\n') || '(nothing)'}` +
              (this.closeInfo ? `\nsocket closed with ${this.closeInfo.code}` : ''),
          ),
        )
      }, timeoutMs)
      const waiter: Waiter = {
        after,
        test,
        resolve: (frame) => {
          clearTimeout(timer)
          resolve(frame as F)
        },
      }
      this.waiters.add(waiter)
    })
  }

  /** Waits for an event of `type` (optionally also matching `where`). */
  waitForEvent<T extends EventType>(
    type: T,
    options: WaitOptions & { where?: (event: TidingsEvent<T>) => boolean } = {},
  ): Promise<TidingsEvent<T>> {
    const { where, ...wait } = options
    return this.waitFor(
      (f): f is TidingsEvent<T> & AnyTidingsEvent =>
        isEvent(f) && f.type === type && (!where || where(f as TidingsEvent<T>)),
      wait,
    )
  }

  /** Waits for a control frame of `type`. */
  waitForFrame<T extends ControlFrame['type']>(
    type: T,
    options: WaitOptions = {},
  ): Promise<Extract<ControlFrame, { type: T }>> {
    return this.waitFor((f): f is Extract<ControlFrame, { type: T }> => f.type === type, options)
  }

  /** Waits for an error frame with `code`. */
  waitForError(code: ErrorFrame['code'], options: WaitOptions = {}): Promise<ErrorFrame> {
    return this.waitFor((f): f is ErrorFrame => f.type === 'error' && f.code === code, options)
  }

  /** Waits until `count` events matching `test` arrived after `after`; returns them in order. */
  async waitForCount(
    count: number,
    test: (event: AnyTidingsEvent) => boolean,
    options: WaitOptions = {},
  ): Promise<AnyTidingsEvent[]> {
    const after = options.after ?? 0
    const matching = () => this.events(after).filter(test)
    if (matching().length < count) {
      await this.waitFor(() => matching().length >= count, { ...options, after })
    }
    return matching().slice(0, count)
  }

  /**
   * The marker technique: sends a ping, waits for the pong that answers it, and returns every frame
   * received from `after` (default: now) up to, not including, that pong.
   */
  async sync(after = this.mark(), timeoutMs = DEFAULT_TIMEOUT_MS): Promise<ServerFrame[]> {
    const pingAt = this.mark()
    this.send({ type: 'ping' })
    await this.waitFor((f): f is PongFrame => f.type === 'pong', { after: pingAt, timeoutMs })
    const pongIndex = this.frames.findIndex((f, i) => i >= pingAt && f.type === 'pong')
    return this.frames.slice(after, pongIndex)
  }

  /** Sends a JSON frame. */
  send(frame: unknown): void {
    this.socket.send(JSON.stringify(frame))
  }

  /** Sends a text or binary frame as-is. */
  sendRaw(data: string | Buffer, binary = false): void {
    this.socket.send(data, { binary })
  }

  /** Waits for the socket to close (by either side). */
  async waitForClose(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<CloseInfo> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`The socket did not close within ${timeoutMs} ms`)),
        timeoutMs,
      )
    })
    try {
      return await Promise.race([this.closed, timeout])
    } finally {
      clearTimeout(timer)
    }
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN
  }

  /** Closes the socket (default 1000) and waits until it is closed. Safe to call twice. */
  async close(code = 1000): Promise<CloseInfo> {
    if (this.socket.readyState === WebSocket.CONNECTING) this.socket.terminate()
    else if (this.socket.readyState === WebSocket.OPEN) this.socket.close(code)
    return this.waitForClose()
  }
}
