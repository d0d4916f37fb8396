import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { LoginBody, PasswordResetBody, RegisterBody } from '../../src/shared/api'
import type { ServerContext } from '../context'
import { authenticate, callerOf } from '../http/authentication'
import { ok } from '../http/httpError'

/**
 * Registration, login, logout and password resets with an administrator's code. Login and
 * register are rate limited per username and address, resets per address.
 */
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

  app.get('/auth/status', async () =>
    ok({
      needs_first_account: (await ctx.accounts.userCount()) === 0,
      open_registration: ctx.options.openRegistration,
    }),
  )

  app.post(
    '/auth/register',
    { schema: { body: RegisterBody }, config: { rateLimit } },
    async (request, reply) => {
      const result = await ctx.accounts.register(request.body, request.ip)
      return reply.code(201).send(ok(result))
    },
  )

  app.post('/auth/login', { schema: { body: LoginBody }, config: { rateLimit } }, async (request) =>
    ok(await ctx.accounts.login(request.body.username, request.body.password, request.ip)),
  )

  app.post('/auth/logout', { onRequest: authenticate(ctx) }, async (request) => {
    await ctx.accounts.logout(callerOf(request), request.ip)
    return ok({ signed_out: true })
  })

  // The code is 96 random bits, so guessing is hopeless; the limit keeps hashing cheap all the
  // same (each attempt with a valid body hashes the new password first).
  app.post(
    '/auth/password-reset',
    {
      schema: { body: PasswordResetBody },
      config: {
        rateLimit: {
          max: ctx.options.authAttemptsPerMinute,
          timeWindow: 60_000,
          keyGenerator: (request: { ip: string }) => `password-reset|${request.ip}`,
        },
      },
    },
    async (request) =>
      ok(await ctx.passwordResets.redeem(request.body.code, request.body.new_password, request.ip)),
  )
}
