import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { BridgeInboundBody, BridgeOutboxResultBody, BridgeStatusBody } from '../../src/shared/api'
import type { ServerContext } from '../context'
import { ok, unauthorized } from '../http/httpError'
import type { AccountRow } from '../services/platformAccounts'

const PlatformParams = Type.Object({
  platform: Type.Union([Type.Literal('email'), Type.Literal('whatsapp'), Type.Literal('telegram')]),
})

const OutboxParams = Type.Object({
  platform: PlatformParams.properties.platform,
  messageId: Type.Integer({ minimum: 1 }),
})

function bridgeSecret(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization
  return header ? /^Bridge\s+(\S+)$/i.exec(header)?.[1] : undefined
}

/**
 * The endpoints external bridges call, authenticated with an account's bridge secret
 * (`Authorization: Bridge <secret>`) instead of a user token.
 */
export const integrationRoutes: FastifyPluginAsyncTypebox<{ ctx: ServerContext }> = async (
  app,
  { ctx },
) => {
  const { integrations } = ctx
  const bridgeAccounts = new WeakMap<FastifyRequest, AccountRow>()
  // Authenticate before the body is validated: a caller without the secret learns nothing.
  app.addHook('onRequest', async (request) => {
    const { platform } = request.params as { platform?: string }
    const account = await integrations.accounts.authenticateBridge(
      platform ?? '',
      bridgeSecret(request),
    )
    if (!account) {
      throw unauthorized(
        `A valid "Authorization: Bridge <secret>" of a ${platform ?? ''} account is required.`,
      )
    }
    bridgeAccounts.set(request, account)
  })
  const accountOf = (request: FastifyRequest): AccountRow => {
    const account = bridgeAccounts.get(request)
    if (!account) throw unauthorized()
    return account
  }

  app.post(
    '/integrations/:platform/inbound',
    { schema: { params: PlatformParams, body: BridgeInboundBody } },
    async (request, reply) => {
      const { message, created } = await integrations.inbound(accountOf(request), request.body)
      return reply.code(created ? 201 : 200).send(ok({ message, created }))
    },
  )

  app.get(
    '/integrations/:platform/outbox',
    { schema: { params: PlatformParams } },
    async (request) => ok(await integrations.bridgeOutbox(accountOf(request))),
  )

  app.post(
    '/integrations/:platform/outbox/:messageId',
    { schema: { params: OutboxParams, body: BridgeOutboxResultBody } },
    async (request) =>
      ok(
        await integrations.bridgeOutboxResult(
          accountOf(request),
          request.params.messageId,
          request.body,
        ),
      ),
  )

  app.post(
    '/integrations/:platform/status',
    { schema: { params: PlatformParams, body: BridgeStatusBody } },
    async (request) => ok(await integrations.bridgeStatus(accountOf(request), request.body)),
  )
}
