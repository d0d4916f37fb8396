import type { SwaggerOptions } from '@fastify/swagger'

/**
 * The OpenAPI 3.1 document of the REST API, built by @fastify/swagger from every route's schemas
 * as the routes are registered (so it must be registered before them) and served by
 * routes/docsRoutes.ts at GET /docs/openapi.json. 3.1, not 3.0: its Schema Object is JSON Schema
 * 2020-12, so the response schemas go in as they are (`type: ['string', 'null']`)
 * rather than rewritten into 3.0's dialect.
 *
 * Routes are signed in with a bearer token unless they say otherwise (`security: []` for the
 * public ones, the bridge secret for /integrations). The WebSocket upgrade, GET
 * /events/ws/connect, is not in it: @fastify/websocket hides it, and docs/protocol.md describes
 * the stream.
 */
export const OPEN_API_OPTIONS: SwaggerOptions = {
  openapi: {
    openapi: '3.1.0',
    info: {
      title: 'Tidings events server',
      version: '1',
      description:
        'The REST API of the Tidings events server. Every JSON answer is an envelope: ' +
        '{"status":"success","data":…} or {"status":"error","error":{"code","message"}} ' +
        '(but this document itself). ' +
        'The WebSocket event stream (GET /events/ws/connect) and its frames are described in ' +
        'docs/protocol.md.',
    },
    components: {
      securitySchemes: {
        bearerToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'The token that POST /auth/login or /auth/register answered.',
        },
        bridgeSecret: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description:
            '"Bridge <secret>": the bridge secret of a connected account (shown once, when the ' +
            'account is created).',
        },
      },
    },
    security: [{ bearerToken: [] }],
  },
}
