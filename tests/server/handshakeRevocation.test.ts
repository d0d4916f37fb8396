import fs from 'node:fs'
import Fastify, { type FastifyInstance, type preHandlerAsyncHookHandler } from 'fastify'
import websocket from '@fastify/websocket'
import { afterEach, describe, expect, it } from 'vitest'
import { CloseCode } from '../../src/shared/closeCodes'
import { resolveOptions } from '../../server/config'
import type { ServerContext } from '../../server/context'
import { installErrorHandling } from '../../server/http/errorHandling'
import { eventRoutes } from '../../server/routes/eventRoutes'
import { buildServerContext, type ServerServices } from '../../server/buildServerContext'
import { makeDataDir } from '../support/serverHarness'
import { WsTestClient } from '../support/wsTestClient'

// A token revoked after the handshake's check but before the socket is registered in the hub
// must not leave an open socket behind: the revocation closes only the sockets the hub holds.
// The real event routes and services (wired by buildServerContext, as startServer does), on a Fastify instance of the test's own, whose only
// addition is a preHandler appended to the WebSocket route: it runs after the route's own token
// check and before the upgrade, and revokes the token there, as POST /auth/logout does. So the
// revocation lands in that window every time, with no timing involved.

interface TestApp {
  app: FastifyInstance
  services: ServerServices
  ctx: ServerContext
  url: string
  dataDir: string
}

let running: TestApp | undefined
afterEach(async () => {
  if (!running) return
  for (const connection of [...running.ctx.hub.connections()]) connection.close(1001, 'done')
  await running.app.close()
  await running.services.close()
  fs.rmSync(running.dataDir, { recursive: true, force: true })
  running = undefined
})

/** The event routes, with `between` run after the route's own preHandler, before the upgrade. */
async function startTestApp(between: (ctx: ServerContext) => preHandlerAsyncHookHandler) {
  const dataDir = await makeDataDir('tidings-handshake-')
  const app = Fastify()
  const services = await buildServerContext(
    resolveOptions({ dataDir, port: 0, logLevel: 'silent' }),
    app.log,
  )
  const { ctx } = services
  app.decorateRequest('caller', null)
  installErrorHandling(app, ctx.storage)
  await app.register(websocket)
  app.addHook('onRoute', (route) => {
    if (route.url !== '/events/ws/connect') return
    const own = route.preHandler === undefined ? [] : [route.preHandler].flat()
    route.preHandler = [...own, between(ctx)]
  })
  await app.register(eventRoutes, { ctx })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  running = { app, services, ctx, url: `http://127.0.0.1:${port}`, dataDir }
  return running
}

describe('a token revoked during its WebSocket handshake', () => {
  it('closes the socket with 4001 before the greeting instead of leaving it open', async () => {
    let revokeNext = false
    const { ctx, url } = await startTestApp((ctx) => async (request) => {
      if (!revokeNext || !request.caller) return
      // What the logout route does, between the handshake's check and the upgrade: the
      // revocation commits (and closes the sockets the hub holds) before the upgrade goes on.
      await ctx.accounts.logout(request.caller, request.ip)
      await ctx.unitOfWork.durable()
    })
    const alice = await ctx.accounts.register(
      { username: 'alice', password: 'correct horse battery', display_name: 'Alice' },
      '127.0.0.1',
    )

    // Untouched, the extra preHandler lets a handshake through as usual.
    const before = await WsTestClient.connect(url, alice.token)
    expect(ctx.hub.isConnected(alice.user.id)).toBe(true)
    await before.close()

    revokeNext = true
    const racing = await WsTestClient.connect(url, alice.token, { waitForGreeting: false })
    expect(await racing.waitForClose()).toEqual({
      code: CloseCode.Unauthorized,
      reason: 'token revoked',
    })
    expect(racing.frames).toEqual([])
    expect(ctx.hub.size).toBe(0)
    // The token stays revoked: the next handshake is refused outright.
    expect((await WsTestClient.expectRefusal(url, alice.token)).statusCode).toBe(401)
  })
})
