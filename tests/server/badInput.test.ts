import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Conversation, MessagePage } from '../../src/shared/models'
import { Limits } from '../../src/shared/limits'
import {
  createConversation,
  registerTeam,
  sendMessage,
  type TestAccount,
} from '../support/accounts'
import { RestClient } from '../support/restClient'
import { startHarness, type TestServer } from '../support/serverHarness'
import { WsTestClient } from '../support/wsTestClient'

const ERROR_ENVELOPE = {
  status: 'error',
  error: { code: expect.any(String), message: expect.any(String) },
}

describe('bad input', () => {
  let server: TestServer
  let admin: TestAccount
  let alice: TestAccount
  let conversation: Conversation
  const open: WsTestClient[] = []

  beforeAll(async () => {
    server = await startHarness()
    const team = await registerTeam(server.url, ['alice'])
    admin = team.admin
    alice = team.members[0]!
    conversation = await createConversation(admin, [alice])
  })
  afterAll(async () => {
    await Promise.all(open.map((socket) => socket.close()))
    await server.stop()
  })

  async function connect(account: TestAccount): Promise<WsTestClient> {
    const socket = await account.connect()
    open.push(socket)
    return socket
  }

  describe('WebSocket handshake', () => {
    it('refuses a missing or bad token with HTTP 401', async () => {
      for (const token of [undefined, '', 'not-a-token', 'x'.repeat(200)]) {
        const refusal = await WsTestClient.expectRefusal(server.url, token)
        expect(refusal.statusCode).toBe(401)
        expect(JSON.parse(refusal.body)).toMatchObject({
          status: 'error',
          error: { code: 'unauthorized' },
        })
      }
    })

    it('refuses an invalid since with HTTP 400', async () => {
      for (const since of ['-1', 'abc', '1.5']) {
        const refusal = await WsTestClient.expectRefusal(server.url, alice.token, since)
        expect(refusal.statusCode).toBe(400)
        expect(JSON.parse(refusal.body)).toMatchObject({
          status: 'error',
          error: { code: 'invalid_request', message: expect.stringContaining('since') },
        })
      }
    })

    it('answers a plain HTTP request to the socket endpoint with 426 and an envelope', async () => {
      const response = await fetch(`${server.url}/events/ws/connect?token=${alice.token}`)
      expect(response.status).toBe(426)
      expect(response.headers.get('upgrade')).toBe('websocket')
      expect(await response.json()).toEqual({
        status: 'error',
        error: { code: 'upgrade_required', message: expect.stringContaining('WebSocket') },
      })
      // Without a token it is still the 401 of the handshake.
      expect((await fetch(`${server.url}/events/ws/connect`)).status).toBe(401)
    })

    it('surfaces the refusal as unexpected-response to a plain ws client', async () => {
      await expect(WsTestClient.connect(server.url, 'nope')).rejects.toThrow(/HTTP 401/)
    })
  })

  describe('WebSocket frames', () => {
    it('answers each bad frame with an error and keeps the connection', async () => {
      const socket = await connect(alice)
      const cases: [string | Buffer, boolean, string][] = [
        ['{not json', false, 'invalid_json'],
        ['', false, 'invalid_json'],
        ['null', false, 'unknown_type'],
        ['{"type":"shout"}', false, 'unknown_type'],
        ['{"no":"type"}', false, 'unknown_type'],
        ['{"type":"typing","conversation_id":"one","is_typing":true}', false, 'invalid_frame'],
        ['{"type":"typing","conversation_id":1}', false, 'invalid_frame'],
        ['{"type":"ping","extra":1}', false, 'invalid_frame'],
        [Buffer.from([1, 2, 3]), true, 'invalid_frame'],
      ]
      for (const [data, binary, code] of cases) {
        const mark = socket.mark()
        socket.sendRaw(data, binary)
        const error = await socket.waitFor((f) => f.type === 'error', { after: mark })
        expect(error).toEqual({ type: 'error', code, message: expect.any(String) })
      }
      const pong = await socket.sync()
      expect(pong).toEqual([])
      expect(socket.isOpen).toBe(true)
      expect(socket.frames.at(-1)).toEqual({ type: 'pong', server_time: expect.any(String) })
    })

    it('closes with 4008 after too many invalid frames', async () => {
      const socket = await connect(alice)
      for (let i = 0; i <= Limits.maxViolations; i++) socket.sendRaw('{bad')
      expect((await socket.waitForClose()).code).toBe(4008)
      const errors = socket.frames.filter((f) => f.type === 'error')
      expect(errors).toHaveLength(Limits.maxViolations + 1)
    })

    it('closes a connection that sends a frame over 64 KiB with 1009', async () => {
      const socket = await connect(alice)
      socket.send({ type: 'ping', pad: 'x'.repeat(Limits.maxFrameBytes) })
      expect((await socket.waitForClose()).code).toBe(1009)
      // A frame just under the limit is fine (it is merely invalid).
      const other = await connect(alice)
      const json = JSON.stringify({ type: 'ping', pad: '' })
      other.sendRaw(
        JSON.stringify({ type: 'ping', pad: 'x'.repeat(Limits.maxFrameBytes - json.length) }),
      )
      await other.waitForError('invalid_frame')
      await other.sync()
    })

    it('rate-limits a flood, then closes it with 4008; the server carries on', async () => {
      const kept = await sendMessage(alice, conversation.id, 'sent before the flood')
      const bystander = await connect(admin)
      const flooder = await connect(alice)
      for (let i = 0; i < 200; i++) flooder.send({ type: 'ping' })
      const closed = await flooder.waitForClose()
      expect(closed.code).toBe(4008)

      const pongs = flooder.frames.filter((f) => f.type === 'pong').length
      const limited = flooder.frames.filter((f) => f.type === 'error')
      expect(pongs).toBeGreaterThanOrEqual(Limits.frameBurst - 1)
      expect(pongs).toBeLessThan(200)
      expect(limited.length).toBe(Limits.maxViolations + 1)
      expect(limited.every((f) => f.type === 'error' && f.code === 'rate_limited')).toBe(true)

      // Everyone else is unaffected and the data is intact.
      expect((await new RestClient(server.url).get('/healthz')).status).toBe(200)
      await bystander.sync()
      const history = (
        await admin.rest.get<MessagePage>(`/conversations/${conversation.id}/messages`)
      ).data
      expect(history.messages.map((m) => m.id)).toContain(kept.id)
      const after = await sendMessage(alice, conversation.id, 'after the flood')
      await bystander.waitForEvent('message_received', {
        where: (e) => e.data.message.id === after.id,
      })
      // The flooder may reconnect.
      const back = await connect(alice)
      await back.sync()
    })
  })

  describe('HTTP', () => {
    it('answers malformed JSON with a 400 envelope', async () => {
      const response = await admin.rest.post('/conversations', undefined, { rawBody: '{"member_' })
      expect(response.status).toBe(400)
      expect(response.body).toEqual(ERROR_ENVELOPE)
      expect(response.error.code).toBe('invalid_json')
      expect(response.error.code).not.toMatch(/fst_/i)
      const empty = await admin.rest.post('/conversations', undefined, { rawBody: '' })
      expect(empty.status).toBe(400)
      expect(empty.error.code).toBe('invalid_request')
    })

    it('answers missing or wrong fields with a 400 naming the field', async () => {
      const missing = await admin.rest.post('/auth/login', { username: 'admin' })
      expect(missing.status).toBe(400)
      expect(missing.body).toEqual(ERROR_ENVELOPE)
      expect(missing.error.message).toContain('password')
      const wrongType = await admin.rest.post(`/conversations/${conversation.id}/receipts`, {
        kind: 'read',
        up_to_message_id: 'latest',
      })
      expect(wrongType.status).toBe(400)
      expect(wrongType.error.message).toContain('up_to_message_id')
      // A value of another type is refused, not converted (as over the socket): nothing stored.
      const sendPath = `/conversations/${conversation.id}/messages`
      for (const body of [
        { text: 123, client_id: 'typed-1' },
        { text: true, client_id: 'typed-2' },
        { text: ['a'], client_id: 'typed-3' },
        { text: 'ok', client_id: 42 },
      ]) {
        const refused = await admin.rest.post(sendPath, body)
        expect(refused.status).toBe(400)
        expect(refused.body).toEqual(ERROR_ENVELOPE)
      }
      const titled = await admin.rest.post('/conversations', { member_ids: [], title: 5 })
      expect(titled.status).toBe(400)
      expect(titled.error.message).toContain('title')
      const history = await admin.rest.get<MessagePage>(sendPath)
      expect(history.data.messages.filter((m) => /^typed-|^42$/.test(m.client_id))).toEqual([])
      // Unknown body fields are dropped, not refused; query strings are still converted.
      const extra = await admin.rest.post(sendPath, { text: 'ok', client_id: 'typed-ok', extra: 1 })
      expect(extra.status).toBe(201)
      expect((await admin.rest.get(`${sendPath}?limit=2`)).status).toBe(200)
      const fractional = await admin.rest.get(`${sendPath}?limit=1.5`)
      expect(fractional.status).toBe(400)
      expect(fractional.error.message).toContain('limit')
      const shortPassword = await new RestClient(server.url).post('/auth/register', {
        username: 'shorty',
        password: 'short',
      })
      expect(shortPassword.status).toBe(400)
    })

    it('answers an unknown route with a 404 envelope', async () => {
      for (const [method, path] of [
        ['GET', '/nowhere'],
        ['POST', '/users/me'],
        ['DELETE', '/conversations'],
      ] as const) {
        const response = await admin.rest.request(method, path)
        expect(response.status).toBe(404)
        expect(response.body).toEqual({
          status: 'error',
          error: { code: 'not_found', message: expect.stringContaining(path) },
        })
      }
    })

    it('answers 401 without a valid bearer token and 403 for the wrong role', async () => {
      const anonymous = new RestClient(server.url)
      const headerSets: Record<string, string>[] = [
        {},
        { authorization: 'Bearer' },
        { authorization: `Basic ${alice.token}` },
        { authorization: 'Bearer not-a-token' },
      ]
      for (const headers of headerSets) {
        const response = await anonymous.get('/users/me', { headers })
        expect(response.status).toBe(401)
        expect(response.body).toEqual({
          status: 'error',
          error: { code: 'unauthorized', message: expect.any(String) },
        })
      }
      expect((await anonymous.get('/conversations')).status).toBe(401)
      const wrongRole = await alice.rest.put('/branding', { timezone: 'UTC' })
      expect(wrongRole.status).toBe(403)
      expect(wrongRole.body).toEqual({
        status: 'error',
        error: { code: 'forbidden', message: expect.any(String) },
      })
    })

    it('refuses oversized and non-JSON bodies with an envelope', async () => {
      const huge = await admin.rest.post('/conversations', undefined, {
        rawBody: JSON.stringify({ member_ids: [], title: 'x'.repeat(300 * 1024) }),
      })
      expect(huge.status).toBe(413)
      expect(huge.body).toEqual(ERROR_ENVELOPE)
      const text = await admin.rest.post('/conversations', undefined, {
        rawBody: 'member_ids=1',
        headers: { 'content-type': 'text/csv' },
      })
      expect(text.status).toBe(415)
      expect(text.body).toEqual(ERROR_ENVELOPE)
    })
  })
})
