import type { Socket } from 'node:net'
import type { FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { ServerContext } from '../context'
import { authenticate, callerOf } from '../http/authentication'
import { contentDisposition } from '../http/downloadHeaders'

/** Exports a user may start per window: each reads their whole history. */
const EXPORTS_PER_WINDOW = 5
const EXPORT_WINDOW_MS = 10 * 60_000

/**
 * "Export my data": the caller's own profile and every message they can see, with its files, as
 * a ZIP streamed while it is made (services/dataExport). There is no parameter: a user exports
 * their own data and nobody else's, admins included.
 */
export const exportRoutes: FastifyPluginAsyncTypebox<{ ctx: ServerContext }> = async (
  app,
  { ctx },
) => {
  app.addHook('onRequest', authenticate(ctx))
  // An export runs for as long as the history takes, and a client that stopped reading (a save
  // that failed) can hold it open for its keep-alive: a server close does not wait on either.
  // The connections of exports under way are cut at close; their clients see a cut-off download.
  const running = new Set<Socket>()
  app.addHook('preClose', (done) => {
    for (const socket of running) socket.destroy()
    done()
  })

  app.get(
    '/users/me/export',
    {
      config: {
        rateLimit: {
          max: EXPORTS_PER_WINDOW,
          timeWindow: EXPORT_WINDOW_MS,
          keyGenerator: (request: FastifyRequest) => `export|${callerOf(request).user.id}`,
        },
      },
    },
    async (request, reply) => {
      const { user } = callerOf(request)
      const zip = await ctx.dataExport.zip(user, ctx.branding.timezone)
      const socket = request.raw.socket
      running.add(socket)
      socket.once('close', () => running.delete(socket))
      const day = new Date().toISOString().slice(0, 10)
      return reply
        .headers({
          'content-type': 'application/zip',
          'content-disposition': contentDisposition(`tidings-export-${user.username}-${day}.zip`),
          'x-content-type-options': 'nosniff',
          'cache-control': 'no-store',
        })
        .send(zip)
    },
  )
}
