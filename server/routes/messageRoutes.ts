import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { EditMessageBody } from '../../src/shared/api'
import type { ServerContext } from '../context'
import { authenticate, callerOf } from '../http/authentication'
import { ok } from '../http/httpError'
import { answers } from '../http/responseSchemas'
import * as Wire from '../../src/shared/wireSchemas'

const MessageParams = Type.Object({ id: Type.Integer({ minimum: 1 }) })

/** Edits and deletes of one's own messages. */
export const messageRoutes: FastifyPluginAsyncTypebox<{ ctx: ServerContext }> = async (
  app,
  { ctx },
) => {
  app.addHook('onRequest', authenticate(ctx))

  app.patch(
    '/messages/:id',
    {
      schema: {
        params: MessageParams,
        body: EditMessageBody,
        response: answers({ 200: Wire.Message }),
      },
    },
    async (request) => {
      const { user } = callerOf(request)
      return ok(
        await ctx.unitOfWork.run((tx) =>
          ctx.messages.edit(tx, user.id, request.params.id, request.body.text),
        ),
      )
    },
  )

  app.delete(
    '/messages/:id',
    { schema: { params: MessageParams, response: answers({ 200: Wire.Message }) } },
    async (request) => {
      const { user } = callerOf(request)
      return ok(
        await ctx.unitOfWork.run((tx) => ctx.messages.delete(tx, user.id, request.params.id)),
      )
    },
  )
}
