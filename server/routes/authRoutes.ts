import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { LoginBody, RegisterBody } from '../../src/shared/api'
import type { ServerContext } from '../context'
import { authenticate, callerOf } from '../http/authentication'
import { ok } from '../http/httpError'
import { answers, Done } from '../http/responseSchemas'
import * as Wire from '../../src/shared/wireSchemas'

/** Registration, login and logout. Login and register are rate limited per username and address. */
export const authRoutes: FastifyPluginAsyncTypebox<{ ctx: ServerContext }> = async (
  app,
  { ctx },
) => {
  const rateLimit = {
    max: ctx.options.authAttemptsPerMinute,
    timeWindow: 60_000,
    keyGenerator: (request: { ip: string; body?: unknown }) =>
      `${request.ip}|${String((request.body as { username?: unknown } | undefined)?.username ?? '').toLowerCase()}`,
  }

  app.get(
    '/auth/status',
    { schema: { security: [], response: answers({ 200: Wire.AuthStatus }) } },
    async () =>
      ok({
        needs_first_account: (await ctx.accounts.userCount()) === 0,
        open_registration: ctx.options.openRegistration,
      }),
  )

  app.post(
    '/auth/register',
    {
      schema: { security: [], body: RegisterBody, response: answers({ 201: Wire.AuthResult }) },
      config: { rateLimit },
    },
    async (request, reply) => {
      const result = await ctx.accounts.register(request.body)
      return reply.code(201).send(ok(result))
    },
  )

  app.post(
    '/auth/login',
    {
      schema: { security: [], body: LoginBody, response: answers({ 200: Wire.AuthResult }) },
      config: { rateLimit },
    },
    async (request) => ok(await ctx.accounts.login(request.body.username, request.body.password)),
  )

  app.post(
    '/auth/logout',
    { onRequest: authenticate(ctx), schema: { response: answers({ 200: Done('signed_out') }) } },
    async (request) => {
      await ctx.accounts.logout(callerOf(request))
      return ok({ signed_out: true as const })
    },
  )
}
