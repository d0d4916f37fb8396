import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Attachment, Conversation } from '../../src/shared/models'
import { createConversation, registerTeam, type TestAccount } from '../support/accounts'
import { RawConnection, requestFrom, requestHead } from '../support/rawHttp'
import { startHarness, type TestServer } from '../support/serverHarness'
import { WsTestClient } from '../support/wsTestClient'

/**
 * What the server accepts as input, tried as an attacker would: integers spelt any way Number()
 * reads them, bodies of other types, malformed headers and paths, and requests that arrive while
 * the server shuts down. Every refusal is the error envelope, never Fastify's own body.
 */
describe('input the server refuses, and how', () => {
  let server: TestServer
  let admin: TestAccount
  let alice: TestAccount
  let conversation: Conversation

  beforeAll(async () => {
    server = await startHarness()
    const team = await registerTeam(server.url, ['alice'])
    admin = team.admin
    alice = team.members[0]!
    conversation = await createConversation(admin, [alice])
  })
  afterAll(() => server.stop())

  const envelope = (code: string) => ({
    status: 'error',
    error: { code, message: expect.any(String) },
  })

  it('takes only plain decimal integers as a stream position', async () => {
    for (const since of ['0x10', '1e3', '1.0', ' 7', '+7', '', '99999999999999999999']) {
      const refusal = await WsTestClient.expectRefusal(server.url, alice.token, since)
      expect(refusal.statusCode, `since=${since}`).toBe(400)
      expect(JSON.parse(refusal.body)).toEqual(envelope('invalid_request'))
      expect(refusal.body).toContain('since')
    }
    const plain = await alice.connect({ since: 0 })
    await plain.waitFor((frame) => frame.type === 'replay_complete')
    await plain.close()
  })

  it('takes only plain decimal integers in every path and query string', async () => {
    const id = conversation.id
    const hex = `0x${id.toString(16)}`
    for (const path of [
      `/conversations/${hex}`,
      `/conversations/${id}e0/messages`,
      `/conversations/${id}/messages?limit=1e1`,
      `/conversations/${id}/messages?before=0x10`,
      `/conversations/${id}/messages?limit=%2010`,
      `/search/messages?q=x&limit=0x10`,
    ]) {
      const response = await alice.rest.get(path)
      expect(response.status, path).toBe(400)
      expect(response.body).toEqual(envelope('invalid_request'))
    }
    expect((await alice.rest.get(`/conversations/${id}`)).status).toBe(200)
    expect((await alice.rest.get(`/conversations/${id}/messages?limit=10`)).status).toBe(200)
  })

  it('answers a body that is not JSON with 415 on a JSON route, whatever its type', async () => {
    for (const type of ['text/plain', 'text/plain; charset=utf-8', 'text/csv', 'application/xml']) {
      const response = await admin.rest.post('/conversations', undefined, {
        rawBody: JSON.stringify({ member_ids: [] }),
        headers: { 'content-type': type },
      })
      expect(response.status, type).toBe(415)
      expect(response.body).toEqual(envelope('unsupported_media_type'))
    }
    const untyped = await requestFrom(server.url, 'POST', '/conversations', {
      headers: { authorization: `Bearer ${admin.token}` },
      body: Buffer.from(JSON.stringify({ member_ids: [] })),
    })
    expect(untyped.status).toBe(415)
    expect(untyped.json).toEqual(envelope('unsupported_media_type'))
  })

  it('stores an upload with a malformed Content-Type as application/octet-stream', async () => {
    for (const type of ['not a type', 'text/', '/', 'image png']) {
      const response = await requestFrom(
        server.url,
        'POST',
        `/conversations/${conversation.id}/attachments?name=file.bin`,
        {
          headers: { authorization: `Bearer ${alice.token}`, 'content-type': type },
          body: Buffer.from('some bytes'),
        },
      )
      expect(response.status, type).toBe(201)
      const { attachment } = (response.json as { data: { attachment: Attachment } }).data
      expect(attachment.mime).toBe('application/octet-stream')
    }
  })

  it('answers an overlong path parameter and a malformed path in the envelope', async () => {
    const long = await alice.rest.get(`/conversations/${'1'.repeat(150)}`)
    expect(long.status).toBe(414)
    expect(long.body).toEqual(envelope('uri_too_long'))
    const connection = await RawConnection.open(server.url)
    connection.write(requestHead(server.url, 'GET', `/conversations/%zz`))
    const malformed = await connection.answer()
    connection.destroy()
    expect(malformed.status).toBe(400)
    expect(malformed.json).toEqual(envelope('invalid_request'))
  })
})

describe('a request that arrives while the server shuts down', () => {
  it('is answered 503 in the envelope, and its connection closed', async () => {
    const server = await startHarness()
    try {
      // A request whose head is still coming: the close does not end its connection as idle.
      const connection = await RawConnection.open(server.url)
      const head = requestHead(server.url, 'GET', '/auth/status')
      connection.write(head.slice(0, 20))
      const closed = server.server.close()
      // Once the server no longer accepts connections, Fastify is closing too.
      for (;;) {
        const refused = await RawConnection.open(server.url).then(
          (other) => (other.destroy(), false),
          () => true,
        )
        if (refused) break
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
      connection.write(head.slice(20))
      const answer = await connection.answer()
      expect(answer.status).toBe(503)
      expect(answer.headers.connection).toBe('close')
      expect(answer.json).toEqual({
        status: 'error',
        error: { code: 'shutting_down', message: expect.any(String) },
      })
      await connection.waitForClose()
      await closed
    } finally {
      await server.stop()
    }
  })
})
