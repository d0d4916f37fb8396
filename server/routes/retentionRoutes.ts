import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { RetentionBody } from '../../src/shared/api'
import type { ServerContext } from '../context'
import { auditOrigin } from '../http/auditOrigin'
import { authenticate, requireAdmin } from '../http/authentication'
import { ok } from '../http/httpError'

/**
 * The organization's message retention policy, the admin's alone to read and change: how many
 * days messages and their files are kept (null: forever). A change is stored and announced to
 * every node in one unit of work, with its audit entry; the node that runs the sweep starts it
 * at once.
 */
export const retentionRoutes: FastifyPluginAsyncTypebox<{ ctx: ServerContext }> = async (
  app,
  { ctx },
) => {
  app.addHook('onRequest', authenticate(ctx))

  app.get('/admin/retention', async (request) => {
    requireAdmin(request)
    return ok(await ctx.messageRetention.get())
  })

  app.put('/admin/retention', { schema: { body: RetentionBody } }, async (request) => {
    requireAdmin(request)
    const policy = { message_retention_days: request.body.message_retention_days }
    await ctx.unitOfWork.run(async (tx) => {
      const previous = await ctx.messageRetention.set(tx, policy)
      await ctx.audit.append(tx, {
        kind: 'retention_changed',
        ...auditOrigin(request),
        details: {
          from: previous.message_retention_days,
          to: policy.message_retention_days,
        },
      })
    })
    return ok(policy)
  })
}
