import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { CreateContactBody, UpdateContactBody } from '../../src/shared/api'
import type { ServerContext } from '../context'
import { authenticate, callerOf } from '../http/authentication'
import { ok } from '../http/httpError'
import { answers } from '../http/responseSchemas'
import * as Wire from '../../src/shared/wireSchemas'

const ContactParams = Type.Object({ id: Type.Integer({ minimum: 1 }) })

/** The caller's own address book. */
export const contactRoutes: FastifyPluginAsyncTypebox<{ ctx: ServerContext }> = async (
  app,
  { ctx },
) => {
  app.addHook('onRequest', authenticate(ctx))
  const { contacts } = ctx

  app.get(
    '/contacts',
    { schema: { response: answers({ 200: Type.Array(Wire.Contact) }) } },
    async (request) => ok(await contacts.list(callerOf(request).user.id)),
  )

  app.get(
    '/contacts/:id',
    { schema: { params: ContactParams, response: answers({ 200: Wire.Contact }) } },
    async (request) => ok(await contacts.get(ctx.db, callerOf(request).user.id, request.params.id)),
  )

  app.post(
    '/contacts',
    { schema: { body: CreateContactBody, response: answers({ 201: Wire.Contact }) } },
    async (request, reply) => {
      const { user } = callerOf(request)
      const contact = await ctx.unitOfWork.run((tx) => contacts.create(tx, user.id, request.body))
      return reply.code(201).send(ok(contact))
    },
  )

  app.patch(
    '/contacts/:id',
    {
      schema: {
        params: ContactParams,
        body: UpdateContactBody,
        response: answers({ 200: Wire.Contact }),
      },
    },
    async (request) => {
      const { user } = callerOf(request)
      return ok(
        await ctx.unitOfWork.run((tx) =>
          contacts.update(tx, user.id, request.params.id, request.body),
        ),
      )
    },
  )

  app.delete(
    '/contacts/:id',
    { schema: { params: ContactParams, response: answers({ 200: Wire.Contact }) } },
    async (request) => {
      const { user } = callerOf(request)
      return ok(await ctx.unitOfWork.run((tx) => contacts.delete(tx, user.id, request.params.id)))
    },
  )
}
