import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { BridgeInboundBody, BridgeOutboxResultBody, BridgeStatusBody } from '../../src/shared/api'
import type { ServerContext } from '../context'
import { ok, unauthorized } from '../http/httpError'
import { answers } from '../http/responseSchemas'
import * as Wire from '../../src/shared/wireSchemas'
import type { AccountRow } from '../services/platformAccounts'

const PlatformParams = Type.Object({
  platform: Type.Union([Type.Literal('email'), Type.Literal('whatsapp'), Type.Literal('telegram')]),
})

const InboundAnswer = Type.Object({ message: Wire.Message, created: Type.Boolean() }, Wire.RECORD)

/** These routes take an account's bridge secret instead of a user's token. */
const BRIDGE_SECURITY = [{ bridgeSecret: [] }]

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
    {
      schema: {
        security: BRIDGE_SECURITY,
        params: PlatformParams,
        body: BridgeInboundBody,
        // 200 when this external_id was posted before.
        response: answers({ 200: InboundAnswer, 201: InboundAnswer }),
      },
    },
    async (request, reply) => {
      const { message, created } = await integrations.inbound(accountOf(request), request.body)
      return reply.code(created ? 201 : 200).send(ok({ message, created }))
    },
  )

  app.get(
    '/integrations/:platform/outbox',
    {
      schema: {
        security: BRIDGE_SECURITY,
        params: PlatformParams,
        response: answers({ 200: Type.Array(Wire.BridgeOutboxItem) }),
      },
    },
    async (request) => ok(await integrations.bridgeOutbox(accountOf(request))),
  )

  app.post(
    '/integrations/:platform/outbox/:messageId',
    {
      schema: {
        security: BRIDGE_SECURITY,
        params: OutboxParams,
        body: BridgeOutboxResultBody,
        response: answers({ 200: Wire.ExternalMessageRecord }),
      },
    },
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
    {
      schema: {
        security: BRIDGE_SECURITY,
        params: PlatformParams,
        body: BridgeStatusBody,
        response: answers({ 200: Wire.PlatformAccount }),
      },
    },
    async (request) => ok(await integrations.bridgeStatus(accountOf(request), request.body)),
  )
}
