import http from 'node:http'
import net from 'node:net'

/**
 * HTTP below fetch, for tests that behave as an attacker would: requests from another loopback
 * address (every 127.x.y.z is this machine on Linux, and the server sees each as a client of its
 * own), bodies that trickle in, bytes that are not a well-formed request, and connections that
 * say nothing at all.
 */

/** An answer read off the wire. */
export interface RawAnswer {
  status: number
  headers: http.IncomingHttpHeaders
  text: string
  /** The parsed JSON body, when there is one. */
  json: unknown
}

export interface FromOptions {
  /** The local address to connect from (127.0.0.2, …): the server's `request.ip`. */
  localAddress?: string
  headers?: Record<string, string>
  /** A JSON body (serialized, as application/json) or raw bytes (with the headers given). */
  body?: unknown
}

/** One request through node:http, from `localAddress` when given; never throws on a status. */
export function requestFrom(
  baseUrl: string,
  method: string,
  path: string,
  options: FromOptions = {},
): Promise<RawAnswer> {
  const url = new URL(path, baseUrl)
  const headers: Record<string, string> = { ...options.headers }
  let payload: Buffer | undefined
  if (options.body !== undefined) {
    if (Buffer.isBuffer(options.body)) {
      payload = options.body
    } else {
      payload = Buffer.from(JSON.stringify(options.body))
      headers['content-type'] ??= 'application/json'
    }
    headers['content-length'] = String(payload.length)
  }
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method,
        headers,
        agent: false,
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
      },
      (response) => {
        let text = ''
        response.setEncoding('utf8')
        response.on('data', (chunk: string) => (text += chunk))
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text,
            json: parseJson(text),
          }),
        )
      },
    )
    request.on('error', reject)
    request.end(payload)
  })
}

/**
 * A raw TCP connection to the server: write bytes when you like, and read the first answer (the
 * status line, headers and a body of Content-Length bytes) or learn that the server closed it.
 */
export class RawConnection {
  private received = Buffer.alloc(0)
  private closedAt: number | undefined
  private readonly waiters = new Set<() => void>()

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk])
      this.wake()
    })
    socket.on('error', () => {})
    socket.on('close', () => {
      this.closedAt = Date.now()
      this.wake()
    })
  }

  static open(baseUrl: string, localAddress?: string): Promise<RawConnection> {
    const url = new URL(baseUrl)
    return new Promise((resolve, reject) => {
      const socket = net.connect({
        host: url.hostname,
        port: Number(url.port),
        ...(localAddress ? { localAddress } : {}),
      })
      socket.once('connect', () => resolve(new RawConnection(socket)))
      socket.once('error', reject)
    })
  }

  get closed(): boolean {
    return this.closedAt !== undefined
  }

  write(data: string | Buffer): void {
    this.socket.write(data)
  }

  /** Resolves once the server has closed the connection (or rejects after `timeoutMs`). */
  async waitForClose(timeoutMs = 10_000): Promise<void> {
    await this.until(() => this.closed, timeoutMs, 'the server to close the connection')
  }

  /** The first complete answer on this connection. */
  async answer(timeoutMs = 10_000): Promise<RawAnswer> {
    let parsed: RawAnswer | undefined
    await this.until(
      () => (parsed = parseAnswer(this.received)) !== undefined || this.closed,
      timeoutMs,
      'an answer',
    )
    parsed ??= parseAnswer(this.received)
    if (!parsed) {
      throw new Error(`The connection closed without an answer: ${this.received.toString()}`)
    }
    return parsed
  }

  destroy(): void {
    this.socket.destroy()
  }

  private wake(): void {
    for (const waiter of this.waiters) waiter()
  }

  private until(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (done()) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check)
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`))
      }, timeoutMs)
      const check = () => {
        if (!done()) return
        clearTimeout(timer)
        this.waiters.delete(check)
        resolve()
      }
      this.waiters.add(check)
    })
  }
}

/** The request head of `method path` with a Host header for `baseUrl`, and `headers`. */
export function requestHead(
  baseUrl: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
): string {
  const lines = [`${method} ${path} HTTP/1.1`, `Host: ${new URL(baseUrl).host}`]
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`)
  return `${lines.join('\r\n')}\r\n\r\n`
}

function parseAnswer(bytes: Buffer): RawAnswer | undefined {
  const end = bytes.indexOf('\r\n\r\n')
  if (end < 0) return undefined
  const [statusLine, ...lines] = bytes.subarray(0, end).toString('latin1').split('\r\n')
  const headers: http.IncomingHttpHeaders = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  const length = Number(headers['content-length'] ?? 0)
  if (bytes.length < end + 4 + length) return undefined
  const text = bytes.subarray(end + 4, end + 4 + length).toString('utf8')
  return { status: Number(statusLine!.split(' ')[1]), headers, text, json: parseJson(text) }
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined
  } catch {
    return undefined
  }
}
