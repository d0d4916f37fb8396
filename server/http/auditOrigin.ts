import type { FastifyRequest } from 'fastify'

/**
 * Who made a request and from where, as the audit log records them: the signed-in caller (none
 * on a public route) and the client's address. `request.ip` honours --trust-proxy: behind a
 * trusted load balancer it is the address in X-Forwarded-For, never the balancer's own.
 */
export function auditOrigin(request: FastifyRequest): { actorId: number | null; address: string } {
  return { actorId: request.caller?.user.id ?? null, address: request.ip }
}
