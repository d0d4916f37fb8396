import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { ServerContext } from '../context'
import { ok } from '../http/httpError'

/**
 * Liveness, readiness and metrics: /healthz answers 200 while the database answers, with this
 * node's delivery lag (events committed in the cluster that it has not delivered yet: a node
 * whose lag keeps growing has lost its way to the database's notifications, or its CPU), and 503
 * otherwise (`database_unavailable`), or while writes fail for lack of space (`storage_full`,
 * until a probe write succeeds again), so a load balancer sends no one to it. /metrics is the Prometheus text format.
 */
export const healthRoutes: FastifyPluginAsyncTypebox<{ ctx: ServerContext }> = async (
  app,
  { ctx },
) => {
  app.get('/healthz', async (_request, reply) => {
    let committed: number
    let full: boolean
    try {
      await ctx.db.ping()
      committed = await ctx.feed.committedMax()
      full = await ctx.storage.full()
    } catch {
      return reply.code(503).send({
        status: 'error',
        error: { code: 'database_unavailable', message: 'The database cannot be reached.' },
      })
    }
    if (full) {
      return reply.code(503).send({
        status: 'error',
        error: {
          code: 'storage_full',
          message: 'Writes fail: the storage is full. Reads still work.',
        },
      })
    }
    return ok({
      ok: true,
      connections: ctx.hub.size,
      database: ctx.db.dialect,
      ...(ctx.nodeId ? { node: ctx.nodeId } : {}),
      delivered_up_to: ctx.feed.watermark,
      delivery_lag_events: Math.max(0, committed - ctx.feed.watermark),
    })
  })

  app.get('/metrics', async (_request, reply) => {
    const { registry } = ctx.metrics
    return reply.header('content-type', registry.contentType).send(await registry.metrics())
  })
}
