import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { BroadcastBody, InviteBody } from '../../src/shared/api'
import type { ServerContext } from '../context'
import { auditOrigin } from '../http/auditOrigin'
import { adminOnly, requireAdmin } from '../http/authentication'
import { ok } from '../http/httpError'

const InviteParams = Type.Object({ id: Type.Integer({ minimum: 1 }) })

/** Administrator actions: invites (made, listed, revoked) and broadcast notifications. */
export const adminRoutes: FastifyPluginAsyncTypebox<{ ctx: ServerContext }> = async (
  app,
  { ctx },
) => {
  app.addHook('onRequest', adminOnly(ctx))

  /** Who acts on invites, from where (for the audit log). */
  const inviteActor = (request: FastifyRequest) => ({
    userId: requireAdmin(request).user.id,
    address: request.ip,
  })

  app.post(
    '/admin/invites',
    {
      schema: { body: InviteBody },
      // The body is optional: no body means the default lifetime.
      preValidation: async (request) => {
        request.body ??= {}
      },
    },
    async (request, reply) => {
      const invite = await ctx.invites.create(inviteActor(request), request.body ?? {})
      return reply.code(201).send(ok(invite))
    },
  )

  app.get('/admin/invites', async () => ok(await ctx.invites.list()))

  app.delete('/admin/invites/:id', { schema: { params: InviteParams } }, async (request) =>
    ok(await ctx.invites.revoke(inviteActor(request), request.params.id)),
  )

  app.post('/admin/notifications', { schema: { body: BroadcastBody } }, async (request, reply) => {
    const { title, body, level = 'info' } = request.body
    await ctx.unitOfWork.run(async (tx) => {
      tx.events.emit(
        'system_notification',
        { kind: 'broadcast', title, body, level },
        await ctx.accounts.activeUserIds(tx),
      )
      await ctx.audit.append(tx, {
        kind: 'broadcast_sent',
        ...auditOrigin(request),
        details: { title, level },
      })
    })
    return reply.code(201).send(ok({ sent: true }))
  })
}
