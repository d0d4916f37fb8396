import Fastify, { type RouteOptions } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Message } from '../../src/shared/models'
import { ErrorEnvelope, Message as MessageSchema } from '../../src/shared/wireSchemas'
import { answers } from '../../server/http/responseSchemas'
import { startHarness, type TestServer } from '../support/serverHarness'

/**
 * The one route without a JSON success answer: it upgrades (101) to the event stream, described in
 * docs/protocol.md (its HEAD twin answers 404).
 */
const WEBSOCKET_UPGRADE = ['GET /events/ws/connect', 'HEAD /events/ws/connect']

const routeName = (route: Pick<RouteOptions, 'method' | 'url'>) =>
  `${String(route.method)} ${route.url}`

/**
 * Why a route breaks the rule "a response schema for each success status and the error envelope
 * for 4xx", or undefined when it keeps it.
 */
function responseSchemaProblem(route: RouteOptions): string | undefined {
  const response = route.schema?.response as Record<string, unknown> | undefined
  const success = Object.keys(response ?? {}).filter((status) => /^2(\d\d|xx)$/.test(status))
  if (success.length === 0) return 'no response schema for its success status'
  if (success.some((status) => response?.[status] === undefined)) return 'an empty success schema'
  if (response?.['4xx'] !== ErrorEnvelope) return 'no error envelope for 4xx'
  return undefined
}

/**
 * The places in a route's response schemas where fast-json-stringify would drop a field: an
 * object schema that does not allow properties it does not name (`additionalProperties` missing
 * or false). A schema describes the wire, it never filters it (src/shared/wireSchemas.ts).
 */
function filteringObjects(schema: unknown, at: string): string[] {
  if (Array.isArray(schema))
    return schema.flatMap((item, i) => filteringObjects(item, `${at}/${i}`))
  if (typeof schema !== 'object' || schema === null) return []
  const node = schema as Record<string, unknown>
  const types = [node.type].flat()
  const filters =
    (types.includes('object') || node.properties !== undefined) &&
    node.additionalProperties !== true &&
    typeof node.additionalProperties !== 'object'
  return [
    ...(filters ? [at] : []),
    ...Object.entries(node).flatMap(([key, value]) => filteringObjects(value, `${at}/${key}`)),
  ]
}

describe('response schemas', () => {
  let server: TestServer

  beforeAll(async () => {
    server = await startHarness()
  })
  afterAll(async () => {
    await server.stop()
  })

  it('are declared by every route (but the WebSocket upgrade), with the error envelope for 4xx', () => {
    const { routes } = server.server
    // The walk saw the whole server, the routes of each area among them.
    expect(routes.length).toBeGreaterThanOrEqual(50)
    for (const name of ['GET /conversations/:id/messages', 'POST /auth/login', 'GET /healthz']) {
      expect(routes.map(routeName)).toContain(name)
    }
    const upgrade = routes.filter((route) => route.websocket)
    expect(upgrade.map(routeName)).toEqual(WEBSOCKET_UPGRADE)

    const problems = routes
      .filter((route) => !route.websocket)
      .flatMap((route) => {
        const problem = responseSchemaProblem(route)
        return problem ? [`${routeName(route)}: ${problem}`] : []
      })
    expect(problems).toEqual([])
    // The upgrade's refusals (401, 426) are the error envelope all the same.
    expect((upgrade[0]!.schema?.response as Record<string, unknown>)['4xx']).toBe(ErrorEnvelope)
  })

  it('let through every field of every answer: no object schema drops the ones it does not name', () => {
    const filtering = server.server.routes.flatMap((route) =>
      filteringObjects(route.schema?.response, routeName(route)),
    )
    expect(filtering).toEqual([])
  })

  it('finds a route without a success schema or without the error envelope', () => {
    const handler = () => undefined
    const bare: RouteOptions = { method: 'GET', url: '/new', handler }
    const errorsOnly: RouteOptions = { ...bare, schema: { response: answers({}) } }
    const noEnvelope: RouteOptions = { ...bare, schema: { response: { 200: MessageSchema } } }
    const complete: RouteOptions = {
      ...bare,
      schema: { response: answers({ 200: MessageSchema }) },
    }
    expect(responseSchemaProblem(bare)).toBe('no response schema for its success status')
    expect(responseSchemaProblem(errorsOnly)).toBe('no response schema for its success status')
    expect(responseSchemaProblem(noEnvelope)).toBe('no error envelope for 4xx')
    expect(responseSchemaProblem(complete)).toBeUndefined()
  })

  it('finds an object schema that would drop the fields it does not name', () => {
    const open = { type: 'object', properties: { a: {} }, additionalProperties: true }
    const flat = { type: 'object', additionalProperties: { type: 'string' } }
    expect(filteringObjects({ 200: open, 201: flat }, 'GET /x')).toEqual([])
    const closed = { ...open, properties: { a: { type: ['object', 'null'], properties: {} } } }
    expect(filteringObjects({ 200: closed }, 'GET /x')).toEqual(['GET /x/200/properties/a'])
    expect(filteringObjects({ 200: { items: [{ properties: {} }] } }, 'GET /x')).toEqual([
      'GET /x/200/items/0',
    ])
  })

  it('pass on the fields a record has that its schema does not name yet', async () => {
    const app = Fastify().withTypeProvider<TypeBoxTypeProvider>()
    const message: Message & { pinned_at: string } = {
      id: 1,
      conversation_id: 2,
      sender_id: 3,
      sender_name: 'Alice',
      client_id: 'c-1',
      text: 'hello',
      created_at: '2026-01-02T03:04:05.000Z',
      edited_at: null,
      deleted_at: null,
      reply_to: { id: 9, sender_id: 3, sender_name: 'Alice', text: 'hi', deleted: false },
      reactions: [{ emoji: '👍', user_ids: [3], first_at: 1 } as never],
      pinned_at: '2026-01-02T03:04:06.000Z',
    }
    app.get('/message', { schema: { response: answers({ 200: MessageSchema }) } }, async () => ({
      status: 'success' as const,
      data: message,
    }))
    try {
      const answer = await app.inject({ method: 'GET', url: '/message' })
      expect(answer.statusCode).toBe(200)
      expect(answer.json()).toEqual({ status: 'success', data: message })
    } finally {
      await app.close()
    }
  })
})
