import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Caller } from '../services/accounts'
import type { ServerContext } from '../context'
import { forbidden, unauthorized } from './httpError'

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller | null
  }
}

/** The token of an `Authorization: Bearer <token>` header. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization
  if (!header) return undefined
  const match = /^Bearer\s+(\S+)$/i.exec(header)
  return match?.[1]
}

/** An onRequest hook that admits only requests with a valid bearer token. */
export function authenticate(ctx: ServerContext) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const caller = await ctx.accounts.authenticate(bearerToken(request))
    if (!caller) throw unauthorized()
    request.caller = caller
  }
}

/**
 * An onRequest hook for administrators' routes: a valid bearer token (401 otherwise) of an
 * administrator (403 otherwise), checked before the body is read, so that nobody else learns
 * anything from a validation error.
 */
export function adminOnly(ctx: ServerContext) {
  const signedIn = authenticate(ctx)
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    await signedIn(request, reply)
    requireAdmin(request)
  }
}

/** The authenticated caller; only valid behind `authenticate`. */
export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw unauthorized()
  return request.caller
}

export function requireAdmin(request: FastifyRequest): Caller {
  const caller = callerOf(request)
  if (caller.user.role !== 'admin') throw forbidden('Only an administrator can do this.')
  return caller
}
