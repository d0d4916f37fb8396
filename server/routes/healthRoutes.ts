import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { ServerContext } from '../context'
import { ok } from '../http/httpError'

/** Liveness and readiness: answers 200 once the database is open and migrated. */
export const healthRoutes: FastifyPluginAsyncTypebox<{ ctx: ServerContext }> = async (
  app,
  { ctx },
) => {
  app.get('/healthz', async () => {
    ctx.db.sqlite.prepare('select 1').get()
    return ok({ ok: true, connections: ctx.hub.size })
  })
}
