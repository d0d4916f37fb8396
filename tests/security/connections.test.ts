import { randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import type { Conversation } from '../../src/shared/models'
import { CloseCode } from '../../src/shared/closeCodes'
import { createConversation, registerTeam } from '../support/accounts'
import { RawConnection, requestHead } from '../support/rawHttp'
import { startHarness, type TestServer } from '../support/serverHarness'
import { openStore, uploadsBeingReceived } from '../support/store'
import { onPostgres } from '../support/testDatabase'
import { waitUntil } from '../support/waitUntil'
import { WsTestClient } from '../support/wsTestClient'

/**
 * Holding the server's connections, sockets and temporary files, as an attacker would: sockets
 * that say nothing, request heads and bodies that trickle in a byte at a time, more connections
 * than the server takes, and more WebSockets for one user than anyone needs.
 */
const servers: TestServer[] = []
const connections: RawConnection[] = []
afterEach(async () => {
  for (const connection of connections.splice(0)) connection.destroy()
  await Promise.all(servers.splice(0).map((server) => server.stop()))
})

async function start(options: Parameters<typeof startHarness>[0]): Promise<TestServer> {
  const server = await startHarness(options)
  servers.push(server)
  return server
}

async function open(server: TestServer): Promise<RawConnection> {
  const connection = await RawConnection.open(server.url)
  connections.push(connection)
  return connection
}

/** Writes `bytes` one at a time, `everyMs` apart, until done or the connection closes. */
async function trickle(connection: RawConnection, bytes: string, everyMs: number): Promise<void> {
  for (const byte of bytes) {
    if (connection.closed) return
    connection.write(byte)
    await new Promise((resolve) => setTimeout(resolve, everyMs))
  }
}

const TIMED_OUT = {
  status: 'error',
  error: { code: 'request_timeout', message: expect.any(String) },
}

describe('connections that hold the server', () => {
  it('closes connections that send nothing, by the hundred, and goes on serving', async () => {
    const server = await start({ headersTimeoutMs: 500 })
    const idle = await Promise.all(Array.from({ length: 300 }, () => open(server)))
    await waitUntil(() => idle.every((c) => c.closed), 'the idle connections to be closed', {
      timeoutMs: 5_000,
    })
    const fresh = await open(server)
    fresh.write(requestHead(server.url, 'GET', '/healthz'))
    expect((await fresh.answer()).status).toBe(200)
  })

  it('closes a connection whose request head trickles in (slowloris)', async () => {
    const server = await start({ headersTimeoutMs: 500 })
    const slow = await open(server)
    const startedAt = Date.now()
    void trickle(slow, requestHead(server.url, 'GET', '/healthz'), 100)
    await slow.waitForClose(5_000)
    expect(Date.now() - startedAt).toBeLessThan(2_000)
  })

  it('drops connections beyond the cap as they come', async () => {
    const server = await start({ maxConnections: 20 })
    const held = await Promise.all(Array.from({ length: 25 }, () => open(server)))
    await waitUntil(() => held.filter((c) => c.closed).length === 5, '5 connections dropped')
    // The ones let in work; once they go, new ones are let in again.
    const kept = held.find((c) => !c.closed)!
    kept.write(requestHead(server.url, 'GET', '/healthz'))
    expect((await kept.answer()).status).toBe(200)
    for (const connection of held) connection.destroy()
    await waitUntil(async () => {
      const next = await open(server)
      next.write(requestHead(server.url, 'GET', '/healthz'))
      return next.answer(1_000).then(
        (answer) => answer.status === 200,
        () => false,
      )
    }, 'a new connection to be served')
  })
})

describe('bodies that trickle in', () => {
  let server: TestServer
  let conversation: Conversation
  let token: string

  async function setUp(options: Parameters<typeof startHarness>[0]) {
    server = await start(options)
    const { admin, members } = await registerTeam(server.url, ['alice'])
    conversation = await createConversation(admin, [members[0]!])
    token = admin.token
  }

  it('answers a JSON body that does not arrive in time with 408, and closes its connection', async () => {
    await setUp({ bodyTimeoutMs: 500 })
    const body = JSON.stringify({ text: 'a message typed one byte at a time', client_id: 'slow-1' })
    const slow = await open(server)
    slow.write(
      requestHead(server.url, 'POST', `/conversations/${conversation.id}/messages`, {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'content-length': String(body.length),
      }),
    )
    void trickle(slow, body, 100)
    const answer = await slow.answer(5_000)
    expect(answer.status).toBe(408)
    expect(answer.json).toEqual(TIMED_OUT)
    expect(answer.headers.connection).toBe('close')
    await slow.waitForClose()
  })

  it('answers an upload that takes too long with 408 and keeps none of it', async () => {
    await setUp({ uploadTimeoutMs: 1_500, bodyTimeoutMs: 1_000 })
    const slow = await open(server)
    slow.write(
      requestHead(server.url, 'POST', `/conversations/${conversation.id}/attachments?name=a.bin`, {
        authorization: `Bearer ${token}`,
        'content-type': 'application/octet-stream',
        'content-length': '1000',
      }),
    )
    void trickle(slow, 'x'.repeat(1000), 100)
    await waitUntil(() => uploadsBeingReceived(server.dataDir).length === 1, 'the upload begun')
    const answer = await slow.answer(5_000)
    expect(answer.status).toBe(408)
    expect(answer.json).toEqual(TIMED_OUT)
    await slow.waitForClose()
    expect(uploadsBeingReceived(server.dataDir)).toEqual([])
  })

  it('answers an upload that stops sending with 408 once it paused too long', async () => {
    await setUp({ uploadTimeoutMs: 60_000, bodyTimeoutMs: 500 })
    const stalled = await open(server)
    stalled.write(
      requestHead(server.url, 'POST', `/conversations/${conversation.id}/attachments?name=a.bin`, {
        authorization: `Bearer ${token}`,
        'content-type': 'application/octet-stream',
        'content-length': '100000',
      }) + 'x'.repeat(1000),
    )
    const startedAt = Date.now()
    const answer = await stalled.answer(5_000)
    expect(answer.status).toBe(408)
    expect(Date.now() - startedAt).toBeLessThan(3_000)
    await waitUntil(() => uploadsBeingReceived(server.dataDir).length === 0, 'the upload removed')
  })
})

describe('WebSockets', () => {
  it('holds one user to their socket cap: one more is closed with 4029 before any frame', async () => {
    const server = await start({ maxSocketsPerUser: 3 })
    const { admin, members } = await registerTeam(server.url, ['alice'])
    const alice = members[0]!
    const sockets = await Promise.all([alice.connect(), alice.connect(), alice.connect()])
    const refused = await alice.connect({ waitForGreeting: false })
    const closed = await refused.waitForClose()
    expect(closed.code).toBe(CloseCode.TooManyConnections)
    expect(refused.frames).toEqual([])
    // Others are not held to alice's count; once one of hers closes, she may open another.
    const other = await admin.connect()
    await sockets[0]!.close()
    await waitUntil(async () => {
      const next = await alice.connect({ waitForGreeting: false })
      const ok = await next
        .waitFor((frame) => frame.type === 'connection_established', { timeoutMs: 1_000 })
        .then(
          () => true,
          () => false,
        )
      await next.close()
      return ok
    }, 'a new socket for alice')
    await Promise.all([...sockets.slice(1), other].map((socket) => socket.close()))
  })

  it.skipIf(!onPostgres)(
    'answers 503 server_busy to upgrades past the cap while tokens are being checked',
    async () => {
      // On PostgreSQL a token lookup waits for the database: a table lock holds them. (On SQLite
      // a lookup never waits, so upgrades cannot pile up there.)
      const server = await start({ maxPendingUpgrades: 3 })
      const store = await openStore(server.dataDir)
      try {
        await store.exec('begin')
        await store.exec('lock table tokens in access exclusive mode')
        const attempts = Array.from({ length: 8 }, () =>
          WsTestClient.expectRefusal(server.url, randomBytes(32).toString('base64url')),
        )
        const settled: { statusCode: number; body: string }[] = []
        for (const attempt of attempts) void attempt.then((refusal) => settled.push(refusal))
        await waitUntil(() => settled.length === 5, 'five upgrades refused at once')
        for (const refusal of settled) {
          expect(refusal.statusCode).toBe(503)
          expect(JSON.parse(refusal.body)).toMatchObject({ error: { code: 'server_busy' } })
        }
        await store.exec('commit')
        const held = await Promise.all(attempts)
        expect(held.filter((refusal) => refusal.statusCode === 401)).toHaveLength(3)
      } finally {
        await store.close()
      }
    },
  )
})
