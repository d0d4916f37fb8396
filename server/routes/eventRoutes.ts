import type { IncomingMessage, ServerResponse } from 'node:http'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { EVENT_TYPES } from '../../src/shared/eventTypes'
import type { ServerContext } from '../context'
import { authenticate } from '../http/authentication'
import { HttpError, ok, unauthorized } from '../http/httpError'
import { openStream, streamOwner } from '../realtime/streamSession'

const StreamQuery = Type.Object({
  // No length bound here: an overlong token is a bad token (401 from authenticate), not a 400.
  token: Type.Optional(Type.String()),
  since: Type.Optional(Type.Integer({ minimum: 0 })),
})

/** The event stream: its description over REST and the WebSocket endpoint itself. */
export const eventRoutes: FastifyPluginAsyncTypebox<{ ctx: ServerContext }> = async (
  app,
  { ctx },
) => {
  const owner = streamOwner(ctx, app.log)
  // The response object @fastify/websocket made for each upgrade request (see the handler).
  const upgradeResponses = new WeakMap<IncomingMessage, ServerResponse>()
  // Upgrades between their arrival and their socket (or refusal): each checks a token, a query
  // of the database on a cache miss. A reconnect storm on a slow database, or a flood of made-up
  // tokens, would pile them up: past maxPendingUpgrades the next is answered 503 at once.
  let pendingUpgrades = 0
  const upgradeDone = new WeakMap<IncomingMessage, () => void>()

  app.get('/events/', { onRequest: authenticate(ctx) }, async () =>
    ok({
      websocket_url: '/events/ws/connect',
      event_types: [...EVENT_TYPES],
      message:
        'Connect to /events/ws/connect?token=<token>[&since=<last event id>] for live events.',
    }),
  )

  app.get(
    '/events/ws/connect',
    {
      websocket: true,
      schema: { querystring: StreamQuery },
      onRequest: async (request, reply) => {
        if (request.headers.upgrade?.toLowerCase() !== 'websocket') return
        if (pendingUpgrades >= ctx.options.maxPendingUpgrades) {
          reply.header('retry-after', '1')
          throw new HttpError(
            503,
            'server_busy',
            'Too many connections are being opened at once; try again in a moment.',
          )
        }
        pendingUpgrades += 1
        let pending = true
        const done = () => {
          if (!pending) return
          pending = false
          pendingUpgrades -= 1
        }
        upgradeDone.set(request.raw, done)
        request.raw.socket.once('close', done)
      },
      // Refused (401, 400): no longer pending.
      onResponse: async (request) => {
        upgradeDone.get(request.raw)?.()
      },
      // Runs before the upgrade: a bad or missing token is refused with HTTP 401, never a socket.
      preHandler: async (request, reply) => {
        const caller = await ctx.accounts.authenticate(request.query.token)
        if (!caller) throw unauthorized('A valid token query parameter is required.')
        // A plain GET would otherwise get @fastify/websocket's bare 404 for a route that exists.
        if (request.headers.upgrade?.toLowerCase() !== 'websocket') {
          reply.header('upgrade', 'websocket')
          throw new HttpError(
            426,
            'upgrade_required',
            'This endpoint is a WebSocket: connect with an Upgrade: websocket request.',
          )
        }
        request.caller = caller
        upgradeResponses.set(request.raw, reply.raw)
      },
    },
    (socket, request) => {
      const transport = request.raw.socket
      // Let the HTTP exchange go once the socket is upgraded: @fastify/websocket leaves its
      // ServerResponse attached to the TCP socket and an 'error' listener on the WebSocket that
      // holds the Fastify request and reply; both would keep the request, its headers, logger and
      // response alive for as long as the connection (kilobytes of heap per idle socket). The
      // connection installs its own 'error' listener (terminate) in openStream.
      const done = upgradeDone.get(request.raw)
      if (done) {
        done()
        transport.off('close', done)
        upgradeDone.delete(request.raw)
      }
      const response = upgradeResponses.get(request.raw)
      upgradeResponses.delete(request.raw)
      if (response?.socket === transport) response.detachSocket(transport)
      socket.removeAllListeners('error')
      openStream(ctx, owner, socket, transport, request.caller!, request.query.since)
    },
  )
}
