import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { SetRoleBody } from '../../src/shared/api'
import type { ServerContext } from '../context'
import { adminOnly, requireAdmin } from '../http/authentication'
import { ok } from '../http/httpError'
import type { AdminActor } from '../services/userAdministration'

const UserParams = Type.Object({ id: Type.Integer({ minimum: 1 }) })

/**
 * People and roles (administrators only): the list, roles, deactivation and reactivation,
 * password resets and signing someone out everywhere. The rules (the last active administrator
 * stays) are the services'.
 */
export const peopleRoutes: FastifyPluginAsyncTypebox<{ ctx: ServerContext }> = async (
  app,
  { ctx },
) => {
  app.addHook('onRequest', adminOnly(ctx))
  const people = ctx.userAdministration

  const actor = (request: FastifyRequest): AdminActor => ({
    caller: requireAdmin(request),
    address: request.ip,
  })
  const online = () => ctx.presence.onlineUserIds()

  app.get('/admin/users', async () => ok(await people.list(await online())))

  app.put(
    '/admin/users/:id/role',
    { schema: { params: UserParams, body: SetRoleBody } },
    async (request) =>
      ok(
        await people.setRole(actor(request), request.params.id, request.body.role, await online()),
      ),
  )

  app.post('/admin/users/:id/deactivate', { schema: { params: UserParams } }, async (request) =>
    ok(await people.deactivate(actor(request), request.params.id, await online())),
  )

  app.post('/admin/users/:id/reactivate', { schema: { params: UserParams } }, async (request) =>
    ok(await people.reactivate(actor(request), request.params.id, await online())),
  )

  app.post(
    '/admin/users/:id/sessions/revoke',
    { schema: { params: UserParams } },
    async (request) => ok(await people.signOutEverywhere(actor(request), request.params.id)),
  )

  app.post(
    '/admin/users/:id/password-reset',
    { schema: { params: UserParams } },
    async (request, reply) =>
      reply.code(201).send(ok(await ctx.passwordResets.issue(actor(request), request.params.id))),
  )
}
