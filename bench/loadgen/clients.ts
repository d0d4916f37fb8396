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

  protected frame(text: string): void {
    BenchClient.framesReceived += 1
    const mark = text.indexOf(CLIENT_ID_MARK)
    if (mark < 0) return
    const start = mark + CLIENT_ID_MARK.length
    const end = text.indexOf('"', start)
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

/** Socket.IO: websocket only, no automatic reconnection (the bench schedules reconnects). */
class SocketIoClient extends BenchClient {
  private socket: Socket | undefined

  connect(): Promise<number> {
    const started = nowMs()
    let socket = this.socket
    if (!socket) {
      socket = io(`http://127.0.0.1:${this.port}`, {
        transports: ['websocket'],
        auth: { token: this.layout.token(this.userId) },
        reconnection: false,
        forceNew: true,
        autoConnect: false,
        timeout: HANDSHAKE_TIMEOUT_MS,
      })
      socket.on('event', (json: string) => this.frame(json))
      socket.on('disconnect', () => {
        this.connected = false
      })
      this.socket = socket
    }
    const current = socket
    const ready = new Promise<number>((resolve, reject) => {
      const onConnect = () => {
        current.off('connect_error', onError)
        this.connected = true
        this.recovered = current.recovered
        resolve(nowMs() - started)
      }
      const onError = (error: Error) => {
        current.off('connect', onConnect)
        reject(error)
      }
      current.once('connect', onConnect)
      current.once('connect_error', onError)
    })
    current.connect()
    return withTimeout(ready, HANDSHAKE_TIMEOUT_MS + 1000, 'socket.io connect').catch(
      (error: unknown) => {
        current.io.engine?.close()
        throw error
      },
    )
  }

  drop(): void {
    this.connected = false
    // Closing the transport (not socket.disconnect()) is a network-style loss: recoverable.
    this.socket?.io.engine?.close()
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
class TidingsSocketSender implements Sender {
  private readonly sockets = new Map<number, Promise<WebSocket>>()
  private readonly pending = new Map<string, { resolve: () => void; reject: (e: Error) => void }>()

  constructor(
    private readonly layout: Layout,
    private readonly port: number,
  ) {}

  private socketOf(userId: number): Promise<WebSocket> {
    let socket = this.sockets.get(userId)
    if (!socket) {
      const ws = new WebSocket(
        `ws://127.0.0.1:${this.port}/events/ws/connect?token=${this.layout.token(userId)}`,
        { perMessageDeflate: false },
      )
      socket = new Promise((resolve, reject) => {
        ws.on('message', (data: Buffer) => {
          const text = data.toString('utf8')
          if (text.startsWith('{"type":"connection_established"')) {
            ws.send(JSON.stringify({ type: 'subscribe', event_types: ['system_notification'] }))
            resolve(ws)
            return
          }
          const ack = text.startsWith('{"type":"message_ack"')
          if (!ack && !text.startsWith('{"type":"error"')) return
          const frame = JSON.parse(text) as { client_id?: string; message?: string }
          if (frame.client_id === undefined) return
          const waiter = this.pending.get(frame.client_id)
          this.pending.delete(frame.client_id)
          if (ack) waiter?.resolve()
          else waiter?.reject(new Error(`send refused: ${frame.message}`))
        })
        ws.once('error', reject)
      })
      this.sockets.set(userId, socket)
    }
    return socket
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

  prepare(userIds: readonly number[]): Promise<void> {
    return openAll(userIds, (id) => this.socketOf(id))
  }

  close(): void {
    for (const socket of this.sockets.values()) void socket.then((ws) => ws.terminate())
  }
}

/** Socket.IO: a send-only socket per sending user, `send` event with an ack. */
class SocketIoSender implements Sender {
  private readonly sockets = new Map<number, Promise<Socket>>()

  constructor(
    private readonly layout: Layout,
    private readonly port: number,
  ) {}

  private socketOf(userId: number): Promise<Socket> {
    let socket = this.sockets.get(userId)
    if (!socket) {
      const s = io(`http://127.0.0.1:${this.port}`, {
        transports: ['websocket'],
        auth: { token: this.layout.token(userId), sendOnly: true },
        forceNew: true,
      })
      socket = new Promise((resolve, reject) => {
        s.once('connect', () => resolve(s))
        s.once('connect_error', reject)
      })
      this.sockets.set(userId, socket)
    }
    return socket
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

  prepare(userIds: readonly number[]): Promise<void> {
    return openAll(userIds, (id) => this.socketOf(id))
  }

  close(): void {
    for (const socket of this.sockets.values()) void socket.then((s) => s.disconnect())
  }
}

/** The floor: a send-only ws per sending user, `send` frames answered by `ack` frames. */
class RawSender implements Sender {
  private readonly sockets = new Map<number, Promise<WebSocket>>()
  private readonly pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>()
  private nextReq = 1

  constructor(
    private readonly layout: Layout,
    private readonly port: number,
  ) {}

  private socketOf(userId: number): Promise<WebSocket> {
    let socket = this.sockets.get(userId)
    if (!socket) {
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
      socket = new Promise((resolve, reject) => {
        ws.once('open', () => resolve(ws))
        ws.once('error', reject)
      })
      this.sockets.set(userId, socket)
    }
    return socket
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

  prepare(userIds: readonly number[]): Promise<void> {
    return openAll(userIds, (id) => this.socketOf(id))
  }

  close(): void {
    for (const socket of this.sockets.values()) void socket.then((ws) => ws.terminate())
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
