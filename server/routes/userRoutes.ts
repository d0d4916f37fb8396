import type { FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ChangePasswordBody, UpdateProfileBody } from '../../src/shared/api'
import type { PasswordChanged, SessionsRevoked } from '../../src/shared/models'
import type { ServerContext } from '../context'
import type { RevokedSessions } from '../services/accounts'
import { authenticate, callerOf } from '../http/authentication'
import { ok } from '../http/httpError'

/**
 * The caller's profile, password and sessions, and the directory of people (with presence and the
 * "deactivated" mark) for starting conversations.
 */
export const userRoutes: FastifyPluginAsyncTypebox<{ ctx: ServerContext }> = async (
  app,
  { ctx },
) => {
  app.addHook('onRequest', authenticate(ctx))

  /**
   * A stolen token could guess the password here, so attempts are limited like logins, per user
   * (a thief cannot escape it by changing address). Every attempt counts, right or wrong, as for
   * login: counting only wrong ones after the check would let parallel guesses all pass it.
   */
  const passwordRateLimit = {
    max: ctx.options.authAttemptsPerMinute,
    timeWindow: 60_000,
    keyGenerator: (request: FastifyRequest) => `password|${callerOf(request).user.id}`,
  }

  /** The revoked sessions' sockets are closed when the revocation commits (4001: sign in again). */
  const signedOut = (revoked: RevokedSessions): SessionsRevoked => ({
    signed_out_sessions: revoked.live,
  })

  app.get('/users/me', async (request) => ok(callerOf(request).user))

  app.patch('/users/me', { schema: { body: UpdateProfileBody } }, async (request) => {
    const caller = callerOf(request)
    return ok(
      await ctx.unitOfWork.run(async (tx) => {
        const user = await ctx.accounts.updateDisplayName(
          tx,
          caller.user.id,
          request.body.display_name,
        )
        // Everyone who shares a conversation sees the new name: their contact_updated says so.
        if (user.display_name !== caller.user.display_name) {
          tx.events.toPeers(
            'contact_updated',
            { kind: 'profile', action: 'updated', user },
            user.id,
          )
        }
        return user
      }),
    )
  })

  app.post(
    '/users/me/password',
    { schema: { body: ChangePasswordBody }, config: { rateLimit: passwordRateLimit } },
    async (request) => {
      const caller = callerOf(request)
      const revoked = await ctx.accounts.changePassword(
        caller,
        request.body.current_password,
        request.body.new_password,
        request.ip,
      )
      const answer: PasswordChanged = { changed: true, ...signedOut(revoked) }
      return ok(answer)
    },
  )

  app.post('/users/me/sessions/revoke-others', async (request) => {
    const caller = callerOf(request)
    return ok(signedOut(await ctx.accounts.revokeOtherSessions(caller, request.ip)))
  })

  // Deactivated accounts are listed too (marked), so that history can name them.
  app.get('/users', async () =>
    ok(await ctx.accounts.listPeople(await ctx.presence.onlineUserIds())),
  )
}
