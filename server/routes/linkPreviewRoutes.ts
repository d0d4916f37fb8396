import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { ServerContext } from '../context'
import { authenticate, callerOf } from '../http/authentication'
import { ok } from '../http/httpError'

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) }, { additionalProperties: false })

/** Link previews: a preview's image (fetched by the server), and its removal by the sender. */
export const linkPreviewRoutes: FastifyPluginAsyncTypebox<{ ctx: ServerContext }> = async (
  app,
  { ctx },
) => {
  app.addHook('onRequest', authenticate(ctx))
  const { linkPreviews, unitOfWork } = ctx

  app.get('/link-previews/:id/image', { schema: { params: IdParams } }, async (request, reply) => {
    const { user } = callerOf(request)
    const image = await linkPreviews.image(user.id, request.params.id)
    return reply
      .headers({
        // One of the raster types the fetch accepted (never SVG), and never sniffed as another.
        'content-type': image.mime,
        'content-length': String(image.bytes.length),
        'x-content-type-options': 'nosniff',
        'content-disposition': 'inline',
        // A preview is read again after a day, and its image may change then.
        'cache-control': 'private, max-age=3600',
      })
      .send(image.bytes)
  })

  app.delete('/messages/:id/link-preview', { schema: { params: IdParams } }, async (request) => {
    const { user } = callerOf(request)
    return ok(await unitOfWork.run((tx) => linkPreviews.remove(tx, user.id, request.params.id)))
  })
}
