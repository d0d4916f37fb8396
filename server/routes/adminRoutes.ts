import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { BroadcastBody, InviteBody } from '../../src/shared/api'
import type { ServerContext } from '../context'
import { authenticate, requireAdmin } from '../http/authentication'
import { ok } from '../http/httpError'
import { answers, Done } from '../http/responseSchemas'
import * as Wire from '../../src/shared/wireSchemas'

/** Administrator actions: invites and broadcast notifications. */
export const adminRoutes: FastifyPluginAsyncTypebox<{ ctx: ServerContext }> = async (
  app,
  { ctx },
) => {
  app.addHook('onRequest', authenticate(ctx))

  app.post(
    '/admin/invites',
    {
      schema: { body: InviteBody, response: answers({ 201: Wire.Invite }) },
      // The body is optional: no body means the default lifetime.
      preValidation: async (request) => {
        request.body ??= {}
      },
    },
    async (request, reply) => {
      const admin = requireAdmin(request)
      const invite = await ctx.accounts.createInvite(admin.user.id, request.body?.expires_in_hours)
      return reply.code(201).send(ok(invite))
    },
  )

  app.post(
    '/admin/notifications',
    { schema: { body: BroadcastBody, response: answers({ 201: Done('sent') }) } },
    async (request, reply) => {
      requireAdmin(request)
      const { title, body, level = 'info' } = request.body
      await ctx.unitOfWork.run(async (tx) =>
        tx.events.emit(
          'system_notification',
          { kind: 'broadcast', title, body, level },
          await ctx.accounts.allUserIds(tx),
        ),
      )
      return reply.code(201).send(ok({ sent: true as const }))
    },
  )
}
