import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { CreateAccountBody, StartEmailThreadBody, UpdateAccountBody } from '../../src/shared/api'
import type { ServerContext } from '../context'
import { authenticate, callerOf } from '../http/authentication'
import { ok } from '../http/httpError'
import { answers } from '../http/responseSchemas'
import * as Wire from '../../src/shared/wireSchemas'

const AccountParams = Type.Object({ id: Type.Integer({ minimum: 1 }) })
const OutboxParams = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  messageId: Type.Integer({ minimum: 1 }),
})
const RecordsQuery = Type.Object(
  {
    direction: Type.Optional(Type.Union([Type.Literal('in'), Type.Literal('out')])),
    state: Type.Optional(
      Type.Union([
        Type.Literal('received'),
        Type.Literal('malformed'),
        Type.Literal('queued'),
        Type.Literal('sending'),
        Type.Literal('sent'),
        Type.Literal('failed'),
      ]),
    ),
  },
  { additionalProperties: false },
)

/** The caller's connected platform accounts: email (SMTP + IMAP) and bridged messengers. */
export const accountRoutes: FastifyPluginAsyncTypebox<{ ctx: ServerContext }> = async (
  app,
  { ctx },
) => {
  app.addHook('onRequest', authenticate(ctx))
  const { integrations } = ctx
  const { accounts, records } = integrations

  app.get(
    '/accounts',
    { schema: { response: answers({ 200: Type.Array(Wire.PlatformAccount) }) } },
    async (request) => ok(await accounts.list(callerOf(request).user.id)),
  )

  app.get(
    '/accounts/:id',
    { schema: { params: AccountParams, response: answers({ 200: Wire.PlatformAccount }) } },
    async (request) => {
      const { user } = callerOf(request)
      return ok(accounts.toAccount(await accounts.requireOwned(user.id, request.params.id)))
    },
  )

  app.post(
    '/accounts',
    {
      schema: {
        body: CreateAccountBody,
        response: answers({ 201: Wire.CreatedPlatformAccount }),
      },
    },
    async (request, reply) => {
      const { user } = callerOf(request)
      return reply.code(201).send(ok(await integrations.createAccount(user.id, request.body)))
    },
  )

  app.patch(
    '/accounts/:id',
    {
      schema: {
        params: AccountParams,
        body: UpdateAccountBody,
        response: answers({ 200: Wire.PlatformAccount }),
      },
    },
    async (request) => {
      const { user } = callerOf(request)
      return ok(await integrations.updateAccount(user.id, request.params.id, request.body))
    },
  )

  app.delete(
    '/accounts/:id',
    { schema: { params: AccountParams, response: answers({ 200: Wire.PlatformAccount }) } },
    async (request) => {
      const { user } = callerOf(request)
      return ok(await integrations.removeAccount(user.id, request.params.id))
    },
  )

  app.post(
    '/accounts/:id/sync',
    { schema: { params: AccountParams, response: answers({ 200: Wire.PlatformAccount }) } },
    async (request) => {
      const { user } = callerOf(request)
      return ok(await integrations.syncAccount(user.id, request.params.id))
    },
  )

  app.post(
    '/accounts/:id/conversations',
    {
      schema: {
        params: AccountParams,
        body: StartEmailThreadBody,
        response: answers({ 201: Wire.Conversation }),
      },
    },
    async (request, reply) => {
      const { user } = callerOf(request)
      const conversation = await integrations.startEmailThread(
        user.id,
        request.params.id,
        request.body,
      )
      return reply.code(201).send(ok(conversation))
    },
  )

  app.get(
    '/accounts/:id/messages',
    {
      schema: {
        params: AccountParams,
        querystring: RecordsQuery,
        response: answers({ 200: Type.Array(Wire.ExternalMessageRecord) }),
      },
    },
    async (request) => {
      const { user } = callerOf(request)
      const account = await accounts.requireOwned(user.id, request.params.id)
      return ok(await records.list(account.id, request.query))
    },
  )

  app.get(
    '/accounts/:id/outbox',
    {
      schema: {
        params: AccountParams,
        response: answers({ 200: Type.Array(Wire.ExternalMessageRecord) }),
      },
    },
    async (request) => {
      const { user } = callerOf(request)
      const account = await accounts.requireOwned(user.id, request.params.id)
      const outgoing = await records.list(account.id, { direction: 'out' })
      return ok(outgoing.filter((record) => record.state !== 'sent'))
    },
  )

  app.post(
    '/accounts/:id/outbox/:messageId/retry',
    { schema: { params: OutboxParams, response: answers({ 200: Wire.ExternalMessageRecord }) } },
    async (request) => {
      const { user } = callerOf(request)
      return ok(await integrations.retry(user.id, request.params.id, request.params.messageId))
    },
  )
}
