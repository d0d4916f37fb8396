import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { CreateContactBody, UpdateContactBody } from '../../src/shared/api'
import type { ServerContext } from '../context'
import { authenticate, callerOf } from '../http/authentication'
import { ok } from '../http/httpError'
import type { Contacts } from '../services/contacts'

const ContactParams = Type.Object({ id: Type.Integer({ minimum: 1 }) })

/** The caller's own address book. */
export const contactRoutes: FastifyPluginAsyncTypebox<{
  ctx: ServerContext
  contacts: Contacts
}> = async (app, { ctx, contacts }) => {
  app.addHook('onRequest', authenticate(ctx))

  app.get('/contacts', async (request) => ok(contacts.list(callerOf(request).user.id)))

  app.get('/contacts/:id', { schema: { params: ContactParams } }, async (request) =>
    ok(contacts.get(callerOf(request).user.id, request.params.id)),
  )

  app.post('/contacts', { schema: { body: CreateContactBody } }, async (request, reply) => {
    const { user } = callerOf(request)
    const contact = ctx.unitOfWork.run((events) => contacts.create(events, user.id, request.body))
    return reply.code(201).send(ok(contact))
  })

  app.patch(
    '/contacts/:id',
    { schema: { params: ContactParams, body: UpdateContactBody } },
    async (request) => {
      const { user } = callerOf(request)
      return ok(
        ctx.unitOfWork.run((events) =>
          contacts.update(events, user.id, request.params.id, request.body),
        ),
      )
    },
  )

  app.delete('/contacts/:id', { schema: { params: ContactParams } }, async (request) => {
    const { user } = callerOf(request)
    return ok(ctx.unitOfWork.run((events) => contacts.delete(events, user.id, request.params.id)))
  })
}
