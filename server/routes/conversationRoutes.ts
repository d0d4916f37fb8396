import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import {
  CreateConversationBody,
  HistoryQuery,
  MembersBody,
  ReceiptBody,
  RenameConversationBody,
  SendMessageBody,
} from '../../src/shared/api'
import type { ServerContext } from '../context'
import { authenticate, callerOf } from '../http/authentication'
import { ok } from '../http/httpError'
import { answers } from '../http/responseSchemas'
import * as Wire from '../../src/shared/wireSchemas'
import { sendOptions } from '../services/messages'

const ConversationParams = Type.Object({ id: Type.Integer({ minimum: 1 }) })
const MemberParams = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  userId: Type.Integer({ minimum: 1 }),
})

/** Conversations, their members, their message history, sends and receipts. Members only. */
export const conversationRoutes: FastifyPluginAsyncTypebox<{ ctx: ServerContext }> = async (
  app,
  { ctx },
) => {
  app.addHook('onRequest', authenticate(ctx))
  const { conversations, messages, unitOfWork } = ctx

  app.get(
    '/conversations',
    { schema: { response: answers({ 200: Type.Array(Wire.Conversation) }) } },
    async (request) => ok(await conversations.listFor(callerOf(request).user.id)),
  )

  app.post(
    '/conversations',
    {
      schema: {
        body: CreateConversationBody,
        // 200 when the direct conversation already existed.
        response: answers({ 200: Wire.Conversation, 201: Wire.Conversation }),
      },
    },
    async (request, reply) => {
      const { user } = callerOf(request)
      const { conversation, created } = await unitOfWork.run((tx) =>
        conversations.create(tx, user.id, request.body.member_ids, request.body.title),
      )
      return reply.code(created ? 201 : 200).send(ok(conversation))
    },
  )

  app.get(
    '/conversations/:id',
    { schema: { params: ConversationParams, response: answers({ 200: Wire.Conversation }) } },
    async (request) => {
      const { user } = callerOf(request)
      await conversations.requireMember(ctx.db, request.params.id, user.id)
      return ok(await conversations.get(ctx.db, request.params.id, user.id))
    },
  )

  app.patch(
    '/conversations/:id',
    {
      schema: {
        params: ConversationParams,
        body: RenameConversationBody,
        response: answers({ 200: Wire.Conversation }),
      },
    },
    async (request) => {
      const { user } = callerOf(request)
      return ok(
        await unitOfWork.run((tx) =>
          conversations.rename(tx, request.params.id, user.id, request.body.title),
        ),
      )
    },
  )

  app.post(
    '/conversations/:id/members',
    {
      schema: {
        params: ConversationParams,
        body: MembersBody,
        response: answers({ 200: Wire.Conversation }),
      },
    },
    async (request) => {
      const { user } = callerOf(request)
      return ok(
        await unitOfWork.run((tx) =>
          conversations.addMembers(tx, request.params.id, user.id, request.body.user_ids),
        ),
      )
    },
  )

  app.delete(
    '/conversations/:id/members/:userId',
    { schema: { params: MemberParams, response: answers({ 200: Wire.Conversation }) } },
    async (request) => {
      const { user } = callerOf(request)
      return ok(
        await unitOfWork.run((tx) =>
          conversations.removeMember(tx, request.params.id, user, request.params.userId),
        ),
      )
    },
  )

  app.get(
    '/conversations/:id/messages',
    {
      schema: {
        params: ConversationParams,
        querystring: HistoryQuery,
        response: answers({ 200: Wire.MessagePage }),
      },
    },
    async (request) => {
      const { user } = callerOf(request)
      const { before, limit } = request.query
      return ok(await messages.history(user.id, request.params.id, before, limit))
    },
  )

  app.post(
    '/conversations/:id/messages',
    {
      schema: {
        params: ConversationParams,
        body: SendMessageBody,
        // 200 when the client_id was sent before: the stored message, not a second one.
        response: answers({ 200: Wire.Message, 201: Wire.Message }),
      },
    },
    async (request, reply) => {
      const { user } = callerOf(request)
      const { text, client_id } = request.body
      const ahead = await conversations.sendTargetAhead(ctx.db, request.params.id, user)
      const { message, created } = await unitOfWork.run((tx) =>
        messages.send(
          tx,
          user,
          request.params.id,
          text,
          client_id,
          sendOptions(request.body),
          ahead,
        ),
      )
      return reply.code(created ? 201 : 200).send(ok(message))
    },
  )

  app.post(
    '/conversations/:id/receipts',
    {
      schema: {
        params: ConversationParams,
        body: ReceiptBody,
        response: answers({ 200: Type.Object({ moved: Type.Boolean() }, Wire.RECORD) }),
      },
    },
    async (request) => {
      const { user } = callerOf(request)
      const moved = await unitOfWork.run((tx) =>
        messages.receipt(tx, user.id, request.params.id, request.body),
      )
      return ok({ moved })
    },
  )
}
