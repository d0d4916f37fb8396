import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { Type, type Static } from 'typebox'
import { ReactionBody, ReactionQuery } from '../../src/shared/api'
import type { ServerContext } from '../context'
import { authenticate, callerOf } from '../http/authentication'
import { ok } from '../http/httpError'

const ReactionParams = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  messageId: Type.Integer({ minimum: 1 }),
})

/** The caller's reaction to the message the path names. */
function targetOf(request: FastifyRequest & { params: Static<typeof ReactionParams> }) {
  const { id, messageId } = request.params
  return { userId: callerOf(request).user.id, conversationId: id, messageId }
}

/**
 * The caller's own reactions to a message of a conversation they are a member of: any number of
 * different emoji, each added and taken back alone (`/reactions`). The singular `/reaction` is
 * what clients from before that call: it makes the caller's reactions one emoji, or none.
 */
export const reactionRoutes: FastifyPluginAsyncTypebox<{ ctx: ServerContext }> = async (
  app,
  { ctx },
) => {
  app.addHook('onRequest', authenticate(ctx))
  const { reactions, unitOfWork } = ctx

  app.put(
    '/conversations/:id/messages/:messageId/reactions',
    { schema: { params: ReactionParams, body: ReactionBody } },
    async (request) => {
      const { message } = await unitOfWork.run((tx) =>
        reactions.add(tx, targetOf(request), request.body.emoji),
      )
      return ok(message)
    },
  )

  app.delete(
    '/conversations/:id/messages/:messageId/reactions',
    { schema: { params: ReactionParams, querystring: ReactionQuery } },
    async (request) => {
      const { message } = await unitOfWork.run((tx) =>
        reactions.remove(tx, targetOf(request), request.query.emoji),
      )
      return ok(message)
    },
  )

  app.put(
    '/conversations/:id/messages/:messageId/reaction',
    { schema: { params: ReactionParams, body: ReactionBody } },
    async (request) => {
      const { message } = await unitOfWork.run((tx) =>
        reactions.replaceAll(tx, targetOf(request), request.body.emoji),
      )
      return ok(message)
    },
  )

  app.delete(
    '/conversations/:id/messages/:messageId/reaction',
    { schema: { params: ReactionParams } },
    async (request) => {
      const { message } = await unitOfWork.run((tx) => reactions.removeAll(tx, targetOf(request)))
      return ok(message)
    },
  )
}
