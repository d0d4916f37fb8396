import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { RECORD } from '../../src/shared/wireSchemas'
import type { ServerContext } from '../context'
import { answers } from '../http/responseSchemas'

/**
 * GET /docs/openapi.json: the OpenAPI document of every route (see http/openApi.ts), public like
 * the protocol it describes. Built once, on the first request, when every route is registered.
 */
export const docsRoutes: FastifyPluginAsyncTypebox<{ ctx: ServerContext }> = async (app) => {
  let document: string | undefined

  app.get(
    '/docs/openapi.json',
    {
      schema: {
        security: [],
        response: {
          ...answers({}),
          200: Type.Object(
            {
              openapi: Type.String(),
              info: Type.Object({}, RECORD),
              paths: Type.Object({}, RECORD),
            },
            { description: 'This document (OpenAPI 3.1).', additionalProperties: true },
          ),
        },
      },
    },
    async (_request, reply) => {
      document ??= JSON.stringify(app.swagger())
      // Already JSON: a string with a JSON Content-Type is sent as it is, not serialized again.
      // (The type provider expects the object the schema describes, hence the cast.)
      return reply.type('application/json; charset=utf-8').send(document as never)
    },
  )
}
