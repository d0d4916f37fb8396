import { validate, compileErrors } from '@readme/openapi-parser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHarness, type TestServer } from '../support/serverHarness'

interface Operation {
  security?: Record<string, string[]>[]
  responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }>
}
interface OpenApiDocument {
  openapi: string
  paths: Record<string, Record<string, Operation>>
  security: Record<string, string[]>[]
  components: { securitySchemes: Record<string, Record<string, string>> }
}

/** Fastify's `/conversations/:id` is OpenAPI's `/conversations/{id}`. */
const openApiPath = (url: string) => url.replace(/:(\w+)/g, '{$1}')

describe('GET /docs/openapi.json', () => {
  let server: TestServer
  let document: OpenApiDocument

  beforeAll(async () => {
    server = await startHarness()
    // Without a token: the document is public.
    const response = await fetch(`${server.url}/docs/openapi.json`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^application\/json/)
    document = (await response.json()) as OpenApiDocument
  })
  afterAll(async () => {
    await server.stop()
  })

  it('is a valid OpenAPI 3.1 document', async () => {
    expect(document.openapi).toBe('3.1.0')
    // validate() dereferences in place: give it a copy.
    const result = await validate(structuredClone(document) as never)
    expect(result.valid ? '' : compileErrors(result)).toBe('')
    expect(result.valid).toBe(true)
  })

  it('lists every route the server registered but the WebSocket upgrade', () => {
    const routes = server.server.routes.filter((route) => route.method !== 'HEAD')
    expect(routes.length).toBeGreaterThanOrEqual(50)
    const missing = routes
      .map((route) => ({
        path: openApiPath(route.url),
        method: String(route.method).toLowerCase(),
      }))
      .filter(({ path, method }) => document.paths[path]?.[method] === undefined)
    // @fastify/websocket hides it; docs/protocol.md describes the stream.
    expect(missing).toEqual([{ path: '/events/ws/connect', method: 'get' }])
  })

  it('documents each answer: the records with every field, the error envelope for 4xx', () => {
    const history = document.paths['/conversations/{id}/messages']!.get!
    const page = history.responses['200']!.content!['application/json']!.schema as {
      properties: { data: { properties: { messages: { items: Record<string, unknown> } } } }
    }
    const message = page.properties.data.properties.messages.items
    expect(message.additionalProperties).toBe(true)
    expect(Object.keys(message.properties as object)).toEqual(
      expect.arrayContaining(['id', 'text', 'reply_to', 'reactions', 'attachments']),
    )
    expect(message.required).toContain('reply_to')
    expect(message.required).not.toContain('reactions')
    const error = history.responses['4XX'] ?? history.responses['4xx']
    expect(error?.content?.['application/json']?.schema).toMatchObject({
      properties: { status: { enum: ['error'] }, error: { required: ['code', 'message'] } },
    })
  })

  it('says which routes take the bearer token, the bridge secret or nothing', () => {
    expect(document.components.securitySchemes.bearerToken).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    })
    expect(document.security).toEqual([{ bearerToken: [] }])
    // Signed-in routes inherit the document's security; public ones opt out.
    expect(document.paths['/conversations']!.get!.security).toBeUndefined()
    expect(document.paths['/auth/login']!.post!.security).toEqual([])
    expect(document.paths['/docs/openapi.json']!.get!.security).toEqual([])
    expect(document.paths['/integrations/{platform}/inbound']!.post!.security).toEqual([
      { bridgeSecret: [] },
    ])
  })
})
