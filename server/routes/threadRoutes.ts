import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { HistoryQuery, ThreadFollowBody, ThreadReadBody } from '../../src/shared/api'
import type { ServerContext } from '../context'
import { authenticate, callerOf } from '../http/authentication'
import { ok } from '../http/httpError'

const ThreadParams = Type.Object(
  { id: Type.Integer({ minimum: 1 }), rootId: Type.Integer({ minimum: 1 }) },
  { additionalProperties: false },
)

/** Threads of the conversations the caller is a member of, and the caller's Threads view. */
export const threadRoutes: FastifyPluginAsyncTypebox<{ ctx: ServerContext }> = async (
  app,
  { ctx },
) => {
  app.addHook('onRequest', authenticate(ctx))
  const { threads, unitOfWork } = ctx

  app.get('/threads', async (request) => {
    const { user } = callerOf(request)
    return ok(await threads.followed(user.id))
  })

  app.get(
    '/conversations/:id/threads/:rootId',
    { schema: { params: ThreadParams, querystring: HistoryQuery } },
    async (request) => {
      const { user } = callerOf(request)
      const { id, rootId } = request.params
      const { before, limit } = request.query
      return ok(await threads.page(user.id, id, rootId, before, limit))
    },
  )

  app.put(
    '/conversations/:id/threads/:rootId/follow',
    { schema: { params: ThreadParams, body: ThreadFollowBody } },
    async (request) => {
      const { user } = callerOf(request)
      const { id, rootId } = request.params
      return ok(
        await unitOfWork.run((tx) =>
          threads.follow(tx, user.id, id, rootId, request.body.following),
        ),
      )
    },
  )

  app.post(
    '/conversations/:id/threads/:rootId/read',
    { schema: { params: ThreadParams, body: ThreadReadBody } },
    async (request) => {
      const { user } = callerOf(request)
      const { id, rootId } = request.params
      return ok(
        await unitOfWork.run((tx) =>
          threads.read(tx, user.id, id, rootId, request.body.up_to_message_id),
        ),
      )
    },
  )
}
