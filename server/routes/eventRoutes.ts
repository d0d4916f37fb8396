import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { EVENT_TYPES } from '../../src/shared/eventTypes'
import type { ServerContext } from '../context'
import { authenticate } from '../http/authentication'
import { ok, unauthorized } from '../http/httpError'
import { TypingGate, openStream } from '../realtime/streamSession'

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
  const typingGate = new TypingGate()

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
      // Runs before the upgrade: a bad or missing token is refused with HTTP 401, never a socket.
      preHandler: async (request) => {
        const caller = ctx.accounts.authenticate(request.query.token)
        if (!caller) throw unauthorized('A valid token query parameter is required.')
        request.caller = caller
      },
    },
    (socket, request) => {
      openStream(ctx, socket, request.caller!, request.query.since, typingGate)
    },
  )
}
