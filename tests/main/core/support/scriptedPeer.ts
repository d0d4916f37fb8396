import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'

/**
 * A stand-in events server for the few behaviours the real server cannot be asked to show on
 * demand: a peer that goes silent (half-dead socket), one that sends duplicates or out-of-order
 * ids, handshakes refused with a given HTTP status. It is a network peer, not a mock of our code.
 */
export type PeerAction =
  | { kind: 'reject'; status: number }
  | { kind: 'accept'; script: (socket: WebSocket, url: URL) => void }

export class ScriptedPeer {
  readonly handshakes: URL[] = []
  private readonly http: Server
  private readonly wss = new WebSocketServer({ noServer: true })
  private listeners: (() => void)[] = []

  constructor(private readonly decide: (attempt: number, url: URL) => PeerAction) {
    this.http = createServer((_request, response) => response.writeHead(404).end())
    this.http.on('upgrade', (request: IncomingMessage, socket, head) => {
      // The client may drop the connection abruptly (that is what terminate() does).
      socket.on('error', () => undefined)
      const url = new URL(request.url ?? '/', 'http://peer')
      this.handshakes.push(url)
      const action = this.decide(this.handshakes.length, url)
      this.listeners.forEach((l) => l())
      if (action.kind === 'reject') {
        socket.end(
          `HTTP/1.1 ${action.status} Refused\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
        )
        return
      }
      this.wss.handleUpgrade(request, socket, head, (ws) => action.script(ws, url))
    })
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.http.listen(0, '127.0.0.1', resolve))
    const { port } = this.http.address() as AddressInfo
    return `http://127.0.0.1:${port}`
  }

  /** Resolves once at least `count` handshakes arrived. */
  waitForHandshakes(count: number, timeoutMs = 5_000): Promise<void> {
    if (this.handshakes.length >= count) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${this.handshakes.length} of ${count} handshakes`)),
        timeoutMs,
      )
      const listener = () => {
        if (this.handshakes.length < count) return
        clearTimeout(timer)
        this.listeners = this.listeners.filter((l) => l !== listener)
        resolve()
      }
      this.listeners.push(listener)
    })
  }

  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate()
    this.wss.close()
    this.http.closeAllConnections()
    await new Promise<void>((resolve) => this.http.close(() => resolve()))
  }
}

export function established(latestEventId: number): string {
  return JSON.stringify({
    type: 'connection_established',
    user_id: 1,
    timezone: 'UTC',
    message: 'hi',
    server_time: new Date().toISOString(),
    latest_event_id: latestEventId,
    heartbeat_interval_ms: 30_000,
  })
}

export function messageEvent(id: number, text: string): string {
  return JSON.stringify({
    type: 'message_received',
    id,
    timestamp: '2026-01-15T15:30:00Z',
    timezone: 'UTC',
    data: {
      conversation_id: 1,
      conversation_title: null,
      sender_name: 'Jane',
      message: {
        id: id * 10,
        conversation_id: 1,
        sender_id: 2,
        sender_name: 'Jane',
        client_id: `c${id}`,
        text,
        created_at: '2026-01-15T15:30:00Z',
        edited_at: null,
        deleted_at: null,
        reply_to: null,
      },
    },
  })
}
