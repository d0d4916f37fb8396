import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { SearchMessagesQuery } from '../../src/shared/api'
import type { ServerContext } from '../context'
import { authenticate, callerOf } from '../http/authentication'
import { ok } from '../http/httpError'
import { answers } from '../http/responseSchemas'
import * as Wire from '../../src/shared/wireSchemas'

/** Message search over the caller's conversations. */
export const searchRoutes: FastifyPluginAsyncTypebox<{ ctx: ServerContext }> = async (
  app,
  { ctx },
) => {
  app.addHook('onRequest', authenticate(ctx))

  app.get(
    '/search/messages',
    {
      schema: {
        querystring: SearchMessagesQuery,
        response: answers({ 200: Wire.MessageSearchPage }),
      },
    },
    async (request) => ok(await ctx.search.messages(callerOf(request).user.id, request.query)),
  )
}
