import type { IncomingMessage } from 'node:http'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { AttachmentUploadQuery } from '../../src/shared/api'
import type { ServerContext } from '../context'
import { authenticate, callerOf } from '../http/authentication'
import { ok } from '../http/httpError'
import { downloadHeaders } from '../http/downloadHeaders'

const ConversationParams = Type.Object({ id: Type.Integer({ minimum: 1 }) })
const AttachmentParams = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  attachmentId: Type.Integer({ minimum: 1 }),
})

/** Uploads of files to a conversation and their downloads. Members only. */
export const attachmentRoutes: FastifyPluginAsyncTypebox<{ ctx: ServerContext }> = async (
  app,
  { ctx },
) => {
  app.addHook('onRequest', authenticate(ctx))
  const { attachments } = ctx

  // The body is the file, of any type: not parsed (nor held to the JSON body limit) but streamed
  // to disk by the handler, which reads request.raw. Only this plugin's routes see this parser.
  // Its Content-Type is the file's, taken aside before Fastify reads it: Fastify refuses a header
  // it cannot parse with 415, where an upload stores it as application/octet-stream.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', (_request, _payload, done) => done(null))
  const uploadTypes = new WeakMap<IncomingMessage, string | undefined>()
  app.addHook('onRequest', async (request) => {
    if (request.method !== 'POST') return
    uploadTypes.set(request.raw, request.raw.headers['content-type'])
    delete request.raw.headers['content-type']
  })

  // A download's streamed body can reach its client whole a moment before the response finishes
  // here; a server close begun in between finds the connection busy, leaves it open, and then
  // waits out its keep-alive (72 s). Ending such a connection once it finishes lets the close go
  // on. Scoped to these routes: no other response pays for the hook.
  let closing = false
  app.addHook('preClose', (done) => {
    closing = true
    done()
  })
  app.addHook('onResponse', (request, _reply, done) => {
    if (closing) request.raw.socket.end()
    done()
  })

  app.post(
    '/conversations/:id/attachments',
    {
      schema: { params: ConversationParams, querystring: AttachmentUploadQuery },
      // Read by the handler, under the upload's own deadlines (see Attachments.upload).
      config: { streamedBody: true },
    },
    async (request, reply) => {
      const { user } = callerOf(request)
      const hasBody =
        request.headers['transfer-encoding'] !== undefined ||
        Number(request.headers['content-length'] ?? 0) > 0
      const attachment = await attachments.upload(
        user.id,
        request.params.id,
        request.query.name,
        uploadTypes.get(request.raw),
        hasBody ? request.raw : undefined,
      )
      return reply.code(201).send(ok({ attachment }))
    },
  )

  app.get(
    '/conversations/:id/attachments/:attachmentId',
    { schema: { params: AttachmentParams } },
    async (request, reply) => {
      const { user } = callerOf(request)
      const stored = await attachments.open(user.id, request.params.id, request.params.attachmentId)
      return reply.headers(downloadHeaders(stored)).send(stored.bytes)
    },
  )
}
