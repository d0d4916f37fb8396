import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { ReactionBody } from '../../src/shared/api'
import type { ServerContext } from '../context'
import { authenticate, callerOf } from '../http/authentication'
import { ok } from '../http/httpError'
import { answers } from '../http/responseSchemas'
import * as Wire from '../../src/shared/wireSchemas'

const ReactionParams = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  messageId: Type.Integer({ minimum: 1 }),
})

/** The caller's own reaction to a message of a conversation they are a member of. */
export const reactionRoutes: FastifyPluginAsyncTypebox<{ ctx: ServerContext }> = async (
  app,
  { ctx },
) => {
  app.addHook('onRequest', authenticate(ctx))
  const { reactions, unitOfWork } = ctx

  app.put(
    '/conversations/:id/messages/:messageId/reaction',
    {
      schema: {
        params: ReactionParams,
        body: ReactionBody,
        response: answers({ 200: Wire.Message }),
      },
    },
    async (request) => {
      const { user } = callerOf(request)
      const { id, messageId } = request.params
      const { message } = await unitOfWork.run((tx) =>
        reactions.set(tx, user.id, id, messageId, request.body.emoji),
      )
      return ok(message)
    },
  )

  app.delete(
    '/conversations/:id/messages/:messageId/reaction',
    { schema: { params: ReactionParams, response: answers({ 200: Wire.Message }) } },
    async (request) => {
      const { user } = callerOf(request)
      const { id, messageId } = request.params
      const { message } = await unitOfWork.run((tx) => reactions.remove(tx, user.id, id, messageId))
      return ok(message)
    },
  )
}
