import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { normalizeIP } from '@fastify/rate-limit'
import { LoginBody, PasswordResetBody, RegisterBody } from '../../src/shared/api'
import type { ServerContext } from '../context'
import { attemptLimit } from '../http/attemptLimits'
import { authenticate, callerOf } from '../http/authentication'
import { HttpError, ok } from '../http/httpError'

const MINUTE = 60_000
const HOUR = 60 * MINUTE

/**
 * Registration, login, logout and password resets with an administrator's code, and the limits
 * on guessing. Every login and registration counts against its address and username (10 a
 * minute by default, per route), its address whatever the username (30: password spraying from
 * one address) and, for a login, its username whatever the address (20: one account guessed
 * from many addresses). A registration whose invite code is missing or wrong counts against its
 * address (10 an hour: invite guessing); the code is checked before the password is hashed. A
 * password reset counts like a login: against its address on the route (10 a minute) and in the
 * address's 30 shared with logins and registrations, so guessed codes and guessed passwords
 * draw on one budget; a wrong code is refused before the new password is hashed. The hashes
 * themselves run a few at a time (see PasswordHasher), fairly between addresses.
 */
export const authRoutes: FastifyPluginAsyncTypebox<{ ctx: ServerContext }> = async (
  app,
  { ctx },
) => {
  const { options } = ctx
  const usernameOf = (request: FastifyRequest) =>
    String((request.body as { username?: unknown } | undefined)?.username ?? '').toLowerCase()
  // IPv6 by /64: one host usually holds a whole one.
  const addressOf = (request: FastifyRequest) => normalizeIP(request.ip)
  const rateLimit = {
    max: options.authAttemptsPerMinute,
    timeWindow: MINUTE,
    keyGenerator: (request: FastifyRequest) => `${request.ip}|${usernameOf(request)}`,
  }
  const perAddress = attemptLimit(app, {
    name: 'auth-address',
    max: options.authAttemptsPerAddress,
    windowMs: MINUTE,
    key: addressOf,
  })
  const perUsername = attemptLimit(app, {
    name: 'login-username',
    max: options.loginAttemptsPerUsername,
    windowMs: MINUTE,
    key: usernameOf,
  })
  const inviteFailures = attemptLimit(app, {
    name: 'invite-failures',
    max: options.inviteFailuresPerHour,
    windowMs: HOUR,
    key: addressOf,
  })

  app.get('/auth/status', async () =>
    ok({
      needs_first_account: (await ctx.accounts.userCount()) === 0,
      open_registration: options.openRegistration,
    }),
  )

  app.post(
    '/auth/register',
    {
      schema: { body: RegisterBody },
      config: { rateLimit },
      preHandler: async (request: FastifyRequest, reply: FastifyReply) => {
        await perAddress.take(request, reply)
        await inviteFailures.check(request, reply)
      },
    },
    async (request, reply) => {
      try {
        const result = await ctx.accounts.register(request.body, request.ip, addressOf(request))
        return reply.code(201).send(ok(result))
      } catch (error) {
        if (error instanceof HttpError && error.statusCode === 403) {
          await inviteFailures.count(request)
        }
        throw error
      }
    },
  )

  app.post(
    '/auth/login',
    {
      schema: { body: LoginBody },
      config: { rateLimit },
      preHandler: async (request: FastifyRequest, reply: FastifyReply) => {
        await perAddress.take(request, reply)
        await perUsername.take(request, reply)
      },
    },
    async (request) =>
      ok(
        await ctx.accounts.login(
          request.body.username,
          request.body.password,
          request.ip,
          addressOf(request),
        ),
      ),
  )

  app.post('/auth/logout', { onRequest: authenticate(ctx) }, async (request) => {
    await ctx.accounts.logout(callerOf(request), request.ip)
    return ok({ signed_out: true })
  })

  // The code is 96 random bits, so guessing is hopeless; the limits keep it so all the same,
  // and a wrong code costs no hash (PasswordResets.redeem checks it first).
  app.post(
    '/auth/password-reset',
    {
      schema: { body: PasswordResetBody },
      config: {
        rateLimit: {
          max: options.authAttemptsPerMinute,
          timeWindow: MINUTE,
          keyGenerator: (request: FastifyRequest) => `password-reset|${addressOf(request)}`,
        },
      },
      preHandler: async (request: FastifyRequest, reply: FastifyReply) => {
        await perAddress.take(request, reply)
      },
    },
    async (request) =>
      ok(
        await ctx.passwordResets.redeem(
          request.body.code,
          request.body.new_password,
          request.ip,
          addressOf(request),
        ),
      ),
  )
}
