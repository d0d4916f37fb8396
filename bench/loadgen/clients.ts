import http from 'node:http'
import WebSocket from 'ws'
import { io, type Socket } from 'socket.io-client'
import { nowMs, type Layout, type ServerKind } from '../shared'

/** Called for every message_sent / message_received a client receives that the bench sent. */
export type DeliveryHandler = (
  client: BenchClient,
  tag: string,
  seq: number,
  sentAt: number,
) => void

const CLIENT_ID_MARK = '"client_id":"b:'
/** The same inside an event JSON that travels as a string (Socket.IO's event argument). */
const ESCAPED_CLIENT_ID_MARK = '\\"client_id\\":\\"b:'
/** How every Tidings `message_ack` begins (server/realtime/socketSend.ts builds it in this order). */
const ACK_PREFIX = '{"type":"message_ack","client_id":"'
const HANDSHAKE_TIMEOUT_MS = 15_000

/** The bench's client_id: tag, sequence number and send time (load generator clock, ms). */
export function benchClientId(tag: string, seq: number, sentAt: number): string {
  return `b:${tag}:${seq}:${sentAt.toFixed(3)}`
}

/** One receiving user connection, of any of the three servers. */
export abstract class BenchClient {
  connected = false
  /** Highest stored event id seen (Tidings resumes from it). */
  lastEventId = 0
  /** Frames of any kind received, for settle detection. */
  static framesReceived = 0
  static onDelivery: DeliveryHandler = () => {}

  constructor(
    readonly userId: number,
    protected readonly layout: Layout,
    protected readonly port: number,
  ) {}

  /** Opens the connection; resolves with ms until it is ready (after the replay, if resuming). */
  abstract connect(resume: boolean): Promise<number>
  /** Drops the connection abruptly (as a network failure would), without a goodbye. */
  abstract drop(): void
  /** Whether the last connect restored missed events (Socket.IO recovery / Tidings replay). */
  recovered = false

  /**
   * Counts a frame and reports the bench message in it, if any. `mark` and `close` delimit the
   * client_id: plain JSON by default, escaped when the event JSON travels inside a string.
   */
  protected frame(text: string, mark = CLIENT_ID_MARK, close = '"'): void {
    BenchClient.framesReceived += 1
    const at = text.indexOf(mark)
    if (at < 0) return
    const start = at + mark.length
    const end = text.indexOf(close, start)
    const parts = text.slice(start, end).split(':')
    const [tag, seq, sentAt] = parts
    if (tag === undefined || seq === undefined || sentAt === undefined) return
    BenchClient.onDelivery(this, tag, Number(seq), Number(sentAt))
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([
    promise,
    new Promise<T>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out`)), ms)
    }),
  ]).finally(() => clearTimeout(timer))
}

/**
 * Opens a raw WebSocket for a bench client: every text frame goes to `onText`, which answers
 * whether the connection is now ready; resolves with the ms until then, or rejects on an error,
 * an early close or the handshake timeout (terminating the socket).
 */
function openReadySocket(
  client: BenchClient,
  url: string,
  what: string,
  onText: (text: string) => boolean,
): { socket: WebSocket; ready: Promise<number> } {
  const started = nowMs()
  const socket = new WebSocket(url, { perMessageDeflate: false })
  const ready = new Promise<number>((resolve, reject) => {
    let done = false
    const finish = (error?: Error) => {
      if (done) return
      done = true
      if (error) reject(error)
      else {
        client.connected = true
        resolve(nowMs() - started)
      }
    }
    socket.on('message', (data: Buffer) => {
      if (onText(data.toString('utf8'))) finish()
    })
    socket.on('error', (error) => finish(error))
    socket.on('close', () => {
      client.connected = false
      finish(new Error('closed before ready'))
    })
  })
  return {
    socket,
    ready: withTimeout(ready, HANDSHAKE_TIMEOUT_MS, what).catch((error: unknown) => {
      socket.terminate()
      throw error
    }),
  }
}

/** Tidings: /events/ws/connect?token=&since=, ready on connection_established or replay_complete. */
class TidingsClient extends BenchClient {
  private socket: WebSocket | undefined

  connect(resume: boolean): Promise<number> {
    const since = resume ? `&since=${this.lastEventId}` : ''
    const url = `ws://127.0.0.1:${this.port}/events/ws/connect?token=${this.layout.token(this.userId)}${since}`
    this.recovered = false
    const { socket, ready } = openReadySocket(this, url, 'tidings connect', (text) => {
      let isReady = false
      if (text.charCodeAt(2) === 116 && text.startsWith('{"type":"')) {
        const typeEnd = text.indexOf('"', 9)
        const type = text.slice(9, typeEnd)
        if (text.startsWith('","id":', typeEnd)) {
          const id = Number.parseInt(text.slice(typeEnd + 7, typeEnd + 27), 10)
          if (id > this.lastEventId) this.lastEventId = id
        }
        if (type === 'replay_complete') this.recovered = true
        isReady =
          (type === 'connection_established' && !resume) ||
          type === 'replay_complete' ||
          type === 'resync_required'
      }
      this.frame(text)
      return isReady
    })
    this.socket = socket
    return ready
  }

  drop(): void {
    this.connected = false
    this.socket?.terminate()
  }
}

/** The floor: ready on its connection_established frame; nothing to resume. */
class RawClient extends BenchClient {
  private socket: WebSocket | undefined

  connect(): Promise<number> {
    const url = `ws://127.0.0.1:${this.port}/?token=${this.layout.token(this.userId)}`
    const { socket, ready } = openReadySocket(this, url, 'raw connect', (text) => {
      this.frame(text)
      return true
    })
    this.socket = socket
    return ready
  }

  drop(): void {
    this.connected = false
    this.socket?.terminate()
  }
}

/**
 * Socket.IO, received the way the other two servers' clients are: a raw `ws` socket that speaks
 * the wire format itself (Engine.IO 4 over websocket, Socket.IO protocol 5), so every server's
 * frames cost the load generator the same. socket.io-client would parse each packet into arguments
 * and dispatch it through its emitters: at the top fan-out steps that made the generator, not the
 * server, the limit of Socket.IO's figure. What it does is what socket.io-client does for this
 * job: answer pings, send the CONNECT packet with the token, and on reconnection with the
 * session's pid and the offset of the last event (connection state recovery), which the server
 * appends to every broadcast event.
 */
class SocketIoClient extends BenchClient {
  private socket: WebSocket | undefined
  /** The session id that recovery restores (set by the server's CONNECT answer). */
  private pid: string | undefined
  private offset: string | undefined

  connect(): Promise<number> {
    const url = `ws://127.0.0.1:${this.port}/socket.io/?EIO=4&transport=websocket`
    this.recovered = false
    const { socket, ready } = openReadySocket(this, url, 'socket.io connect', (text) =>
      this.packet(text),
    )
    this.socket = socket
    return ready
  }

  /** One Engine.IO packet (a websocket message holds exactly one); true once connected. */
  private packet(text: string): boolean {
    switch (text.charCodeAt(0)) {
      case 48: // '0' open: ask for the default namespace, with recovery data when there is any
        this.socket?.send(
          `40${JSON.stringify({
            token: this.layout.token(this.userId),
            ...(this.pid ? { pid: this.pid, offset: this.offset } : {}),
          })}`,
        )
        return false
      case 50: // '2' ping
        this.socket?.send('3')
        return false
      case 52: // '4' message: a Socket.IO packet
        return this.socketIoPacket(text)
      default:
        return false
    }
  }

  private socketIoPacket(text: string): boolean {
    const type = text.charCodeAt(1)
    if (type === 50) {
      // '2' EVENT: 42["event","<event JSON as a string>","<offset>"]
      this.frame(text, ESCAPED_CLIENT_ID_MARK, '\\')
      const offsetStart = text.lastIndexOf(',"')
      if (offsetStart > 0 && text.endsWith('"]')) {
        this.offset = text.slice(offsetStart + 2, -2)
      }
      return false
    }
    if (type === 48) {
      // '0' CONNECT answered: {"sid":…,"pid":…}; the same pid means the session was recovered.
      const { pid } = JSON.parse(text.slice(2)) as { sid: string; pid?: string }
      this.recovered = pid !== undefined && pid === this.pid
      this.pid = pid
      return true
    }
    if (type === 52) {
      // '4' CONNECT_ERROR (the middleware refused the token)
      this.socket?.terminate()
    }
    return false
  }

  drop(): void {
    this.connected = false
    // A network-style loss (no DISCONNECT packet): the server keeps the session for recovery.
    this.socket?.terminate()
  }
}

/** Sends messages the way each server's real clients do. Resolves once the server accepted it. */
export interface Sender {
  send(senderId: number, conversationId: number, text: string, clientId: string): Promise<void>
  /** Opens the sending sockets of these users ahead of a measured step (no-op over REST). */
  prepare(userIds: readonly number[]): Promise<void>
  close(): void
}

/** Opens `open(id)` for every id, at most 200 at a time. */
async function openAll(ids: readonly number[], open: (id: number) => Promise<unknown>) {
  let next = 0
  const worker = async () => {
    while (next < ids.length) await open(ids[next++]!)
  }
  await Promise.all(Array.from({ length: Math.min(200, ids.length) }, worker))
}

/**
 * A sender with one socket per sending user, opened on first use (or ahead of a step by
 * `prepare`) and kept: what the three socket senders share. Subclasses open and close a socket.
 */
abstract class SocketPerUserSender<S> implements Sender {
  private readonly sockets = new Map<number, Promise<S>>()

  constructor(
    protected readonly layout: Layout,
    protected readonly port: number,
  ) {}

  abstract send(
    senderId: number,
    conversationId: number,
    text: string,
    clientId: string,
  ): Promise<void>
  /** Opens this user's sending socket; resolves once it can send. */
  protected abstract open(userId: number): Promise<S>
  protected abstract closeSocket(socket: S): void

  protected socketOf(userId: number): Promise<S> {
    let socket = this.sockets.get(userId)
    if (!socket) {
      socket = this.open(userId)
      this.sockets.set(userId, socket)
    }
    return socket
  }

  prepare(userIds: readonly number[]): Promise<void> {
    return openAll(userIds, (id) => this.socketOf(id))
  }

  close(): void {
    for (const socket of this.sockets.values()) void socket.then((s) => this.closeSocket(s))
  }
}

/** Tidings: REST POST /conversations/:id/messages over keep-alive HTTP/1.1 connections (--rest-send). */
class RestSender implements Sender {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 })

  constructor(
    private readonly layout: Layout,
    private readonly port: number,
  ) {}

  send(senderId: number, conversationId: number, text: string, clientId: string): Promise<void> {
    const body = JSON.stringify({ text, client_id: clientId })
    return new Promise((resolve, reject) => {
      const request = http.request(
        {
          host: '127.0.0.1',
          port: this.port,
          method: 'POST',
          path: `/conversations/${conversationId}/messages`,
          agent: this.agent,
          headers: {
            authorization: `Bearer ${this.layout.token(senderId)}`,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (response) => {
          response.resume()
          response.on('end', () =>
            response.statusCode === 201
              ? resolve()
              : reject(new Error(`send answered HTTP ${response.statusCode}`)),
          )
        },
      )
      request.on('error', reject)
      request.end(body)
    })
  }

  async prepare(): Promise<void> {}

  close(): void {
    this.agent.destroy()
  }
}

/**
 * Tidings over its events socket: a socket per sending user that subscribes to one rare event type
 * (so it does not also receive the fan-out), `send_message` frames answered by `message_ack`.
 */
class TidingsSocketSender extends SocketPerUserSender<WebSocket> {
  private readonly pending = new Map<string, { resolve: () => void; reject: (e: Error) => void }>()

  protected open(userId: number): Promise<WebSocket> {
    const ws = new WebSocket(
      `ws://127.0.0.1:${this.port}/events/ws/connect?token=${this.layout.token(userId)}`,
      { perMessageDeflate: false },
    )
    return new Promise((resolve, reject) => {
      ws.on('message', (data: Buffer) => {
        const text = data.toString('utf8')
        if (text.startsWith('{"type":"connection_established"')) {
          ws.send(JSON.stringify({ type: 'subscribe', event_types: ['system_notification'] }))
          resolve(ws)
          return
        }
        if (text.startsWith(ACK_PREFIX)) {
          // An ack carries the whole stored message; only its client_id (which the server
          // writes first) matters here, so it is read without parsing the rest.
          const end = text.indexOf('"', ACK_PREFIX.length)
          const clientId = text.slice(ACK_PREFIX.length, end)
          this.pending.get(clientId)?.resolve()
          this.pending.delete(clientId)
          return
        }
        if (!text.startsWith('{"type":"error"')) return
        const frame = JSON.parse(text) as { client_id?: string; message?: string }
        if (frame.client_id === undefined) return
        this.pending.get(frame.client_id)?.reject(new Error(`send refused: ${frame.message}`))
        this.pending.delete(frame.client_id)
      })
      ws.once('error', reject)
    })
  }

  protected closeSocket(ws: WebSocket): void {
    ws.terminate()
  }

  async send(senderId: number, conversationId: number, text: string, clientId: string) {
    const ws = await this.socketOf(senderId)
    const acked = new Promise<void>((resolve, reject) => {
      this.pending.set(clientId, { resolve, reject })
      ws.send(
        JSON.stringify({
          type: 'send_message',
          conversation_id: conversationId,
          text,
          client_id: clientId,
        }),
      )
    })
    await withTimeout(acked, 30_000, `send ${clientId}`).finally(() =>
      this.pending.delete(clientId),
    )
  }
}

/** Socket.IO: a send-only socket per sending user, `send` event with an ack. */
class SocketIoSender extends SocketPerUserSender<Socket> {
  protected open(userId: number): Promise<Socket> {
    const s = io(`http://127.0.0.1:${this.port}`, {
      transports: ['websocket'],
      auth: { token: this.layout.token(userId), sendOnly: true },
      forceNew: true,
    })
    return new Promise((resolve, reject) => {
      s.once('connect', () => resolve(s))
      s.once('connect_error', reject)
    })
  }

  protected closeSocket(socket: Socket): void {
    socket.disconnect()
  }

  async send(senderId: number, conversationId: number, text: string, clientId: string) {
    const socket = await this.socketOf(senderId)
    const reply = (await socket
      .timeout(30_000)
      .emitWithAck('send', { conversation_id: conversationId, text, client_id: clientId })) as {
      status: string
    }
    if (reply.status !== 'success') throw new Error(`send refused: ${JSON.stringify(reply)}`)
  }
}

/** The floor: a send-only ws per sending user, `send` frames answered by `ack` frames. */
class RawSender extends SocketPerUserSender<WebSocket> {
  private readonly pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>()
  private nextReq = 1

  protected open(userId: number): Promise<WebSocket> {
    const ws = new WebSocket(
      `ws://127.0.0.1:${this.port}/?send_only=1&token=${this.layout.token(userId)}`,
      { perMessageDeflate: false },
    )
    ws.on('message', (data: Buffer) => {
      const text = data.toString('utf8')
      if (!text.startsWith('{"type":"ack"')) return
      const frame = JSON.parse(text) as { req: number; status: string }
      const waiter = this.pending.get(frame.req)
      this.pending.delete(frame.req)
      if (frame.status === 'success') waiter?.resolve()
      else waiter?.reject(new Error('send refused'))
    })
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(ws))
      ws.once('error', reject)
    })
  }

  protected closeSocket(ws: WebSocket): void {
    ws.terminate()
  }

  async send(senderId: number, conversationId: number, text: string, clientId: string) {
    const ws = await this.socketOf(senderId)
    const req = this.nextReq++
    await new Promise<void>((resolve, reject) => {
      this.pending.set(req, { resolve, reject })
      ws.send(
        JSON.stringify({
          type: 'send',
          req,
          conversation_id: conversationId,
          text,
          client_id: clientId,
        }),
      )
    })
  }
}

export function createClient(kind: ServerKind, userId: number, layout: Layout, port: number) {
  if (kind === 'tidings') return new TidingsClient(userId, layout, port)
  if (kind === 'socketio') return new SocketIoClient(userId, layout, port)
  return new RawClient(userId, layout, port)
}

/** `restSend`: Tidings sends over REST (as the desktop app does) instead of its socket. */
export function createSender(
  kind: ServerKind,
  layout: Layout,
  port: number,
  restSend = false,
): Sender {
  if (kind === 'tidings') {
    return restSend ? new RestSender(layout, port) : new TidingsSocketSender(layout, port)
  }
  if (kind === 'socketio') return new SocketIoSender(layout, port)
  return new RawSender(layout, port)
}
