import type { Server } from 'node:http'
import type { Socket } from 'node:net'
import { PassThrough, type Readable } from 'node:stream'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { HttpError } from './httpError'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route reads its body itself (an upload), under a deadline of its own. */
    streamedBody?: boolean
  }
}

/** How long a connection still sending its first head may hold a shutdown. */
const SHUTDOWN_HEAD_GRACE_MS = 2_000

export const requestTimeout = (what: string) =>
  new HttpError(408, 'request_timeout', `The ${what} did not arrive in time; send it again.`)

/**
 * Connections that hold the server without asking anything: at most `maxConnections` are open
 * at once (more are dropped as they come), and one that has not sent a whole request head within
 * `headersTimeoutMs` of connecting is closed, whether it sent nothing (a socket held idle) or a
 * byte now and then (slowloris). Later requests on a kept-alive connection fall under Node's own
 * headersTimeout, set to the same value.
 */
export function limitConnections(
  app: FastifyInstance,
  options: { maxConnections: number; headersTimeoutMs: number },
): void {
  const server: Server = app.server
  server.maxConnections = options.maxConnections
  server.headersTimeout = options.headersTimeoutMs
  const deadlines = new WeakMap<Socket, NodeJS.Timeout>()
  server.on('connection', (socket: Socket) => {
    const timer = setTimeout(() => socket.destroy(), options.headersTimeoutMs)
    timer.unref()
    deadlines.set(socket, timer)
    socket.once('close', () => clearTimeout(deadlines.get(socket)))
  })
  const headArrived = (socket: Socket) => {
    waiting.delete(socket)
    const timer = deadlines.get(socket)
    if (timer === undefined) return
    clearTimeout(timer)
    deadlines.delete(socket)
  }
  // At close, one still waiting for its first head gets SHUTDOWN_HEAD_GRACE_MS more at most:
  // Node's close ends idle kept-alive connections but not these (an HTTP client's pool opens one
  // ahead of need, as Node's fetch does after an aborted download), so the close would wait for
  // their whole head deadline. One whose head is on its way may still finish it within the grace
  // and be answered 503 shutting_down. (Whether bytes came cannot be told: the HTTP parser reads
  // the socket natively.)
  const waiting = new Set<Socket>()
  server.on('connection', (socket: Socket) => {
    waiting.add(socket)
    socket.once('close', () => waiting.delete(socket))
  })
  app.addHook('preClose', (done) => {
    for (const socket of waiting) {
      clearTimeout(deadlines.get(socket))
      const grace = setTimeout(() => socket.destroy(), SHUTDOWN_HEAD_GRACE_MS)
      grace.unref()
      deadlines.set(socket, grace)
    }
    done()
  })
  server.on('request', (request: { socket: Socket }) => headArrived(request.socket))
  // An upgrade is routed by @fastify/websocket, not through 'request': its first hook says the
  // head arrived. (Not an 'upgrade' listener of our own: once @fastify/websocket removes its own
  // at shutdown, Node would hand an upgrade to ours alone, which would leave its socket open.)
  app.addHook('onRequest', async (request) => headArrived(request.raw.socket))
}

/**
 * A JSON body must arrive whole within `bodyTimeoutMs` of its request head: one that trickles in
 * is answered 408 request_timeout (in the envelope) and its connection closed. A body already
 * received with its head (nearly every one) is not wrapped at all. Routes that read their body
 * themselves (uploads: `config.streamedBody`) keep deadlines of their own.
 */
export function limitBodyTime(app: FastifyInstance, bodyTimeoutMs: number): void {
  app.addHook('preParsing', async (request: FastifyRequest, _reply, payload: Readable) => {
    if (request.routeOptions.config.streamedBody) return payload
    const length = Number(request.headers['content-length'])
    if (request.raw.complete || (length >= 0 && request.raw.readableLength >= length)) {
      return payload
    }
    return withDeadline(payload, bodyTimeoutMs, () => requestTimeout('request body'))
  })
}

/** `source` through a stream that fails with `error()` unless the source ends within `ms`. */
function withDeadline(source: Readable, ms: number, error: () => Error): Readable {
  const out = new PassThrough()
  const timer = setTimeout(() => {
    source.unpipe(out)
    source.pause()
    out.destroy(error())
  }, ms)
  const stop = () => clearTimeout(timer)
  source.once('end', stop)
  // The request is over (answered, or its connection gone): nothing trickles in any more.
  source.once('close', stop)
  out.once('close', stop)
  // The body's reader hears the error; with none left, it must not end the process as an
  // uncaught exception (seen once in the test suite: a 408 fired 30 s after its request).
  out.on('error', () => undefined)
  source.pipe(out)
  return out
}
