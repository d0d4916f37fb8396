import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { UpdateProfileBody } from '../../src/shared/api'
import type { Person } from '../../src/shared/models'
import type { ServerContext } from '../context'
import { authenticate, callerOf } from '../http/authentication'
import { ok } from '../http/httpError'

/** The caller's profile and the directory of people (with presence) for starting conversations. */
export const userRoutes: FastifyPluginAsyncTypebox<{ ctx: ServerContext }> = async (
  app,
  { ctx },
) => {
  app.addHook('onRequest', authenticate(ctx))

  app.get('/users/me', async (request) => ok(callerOf(request).user))

  app.patch('/users/me', { schema: { body: UpdateProfileBody } }, async (request) => {
    const caller = callerOf(request)
    return ok(
      ctx.unitOfWork.run((events) => {
        const user = ctx.accounts.updateDisplayName(caller.user.id, request.body.display_name)
        // Everyone who shares a conversation sees the new name: their contact_updated says so.
        if (user.display_name !== caller.user.display_name) {
          events.toPeers('contact_updated', { kind: 'profile', action: 'updated', user }, user.id)
        }
        return user
      }),
    )
  })

  app.get('/users', async () => {
    const people: Person[] = ctx.accounts
      .listUsers()
      .map((user) => ({ ...user, online: ctx.presence.isOnline(user.id) }))
    return ok(people)
  })
}
