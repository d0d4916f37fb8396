import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { HttpError } from './httpError'

/**
 * A limit of attempts per key in a fixed window, counted in @fastify/rate-limit's store (shared
 * by a cluster's nodes on PostgreSQL, in memory on one node). Keys are prefixed by the limit's
 * name, so that limits sharing a store never count each other's attempts.
 */
export interface AttemptLimit {
  /** Counts this attempt; 429 when it is one too many. */
  take(request: FastifyRequest, reply: FastifyReply): Promise<void>
  /** 429 when the attempts counted so far reach the limit; counts nothing. */
  check(request: FastifyRequest, reply: FastifyReply): Promise<void>
  /** Counts an attempt (one that failed, for limits of failures). */
  count(request: FastifyRequest): Promise<void>
}

export interface AttemptLimitOptions {
  name: string
  max: number
  windowMs: number
  /** What is counted: an address, a username; undefined counts nothing. */
  key(request: FastifyRequest): string | undefined
}

export function attemptLimit(app: FastifyInstance, options: AttemptLimitOptions): AttemptLimit {
  const limiter = app.createRateLimit({
    max: options.max,
    timeWindow: options.windowMs,
    keyGenerator: (request) => `${options.name}|${options.key(request) ?? ''}`,
  })
  const refuse = (reply: FastifyReply, ttlInSeconds: number): never => {
    reply.header('retry-after', ttlInSeconds)
    throw new HttpError(
      429,
      'rate_limited',
      `Too many attempts; try again in ${ttlInSeconds} second${ttlInSeconds === 1 ? '' : 's'}.`,
    )
  }
  return {
    async take(request, reply) {
      if (options.key(request) === undefined) return
      const result = await limiter(request)
      if (!result.isAllowed && result.isExceeded) refuse(reply, result.ttlInSeconds)
    },
    async check(request, reply) {
      if (options.key(request) === undefined) return
      const result = await limiter(request, { increment: false })
      if (!result.isAllowed && result.remaining === 0) {
        refuse(reply, result.ttlInSeconds)
      }
    },
    async count(request) {
      if (options.key(request) === undefined) return
      await limiter(request)
    },
  }
}
