import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type {
  Conversation,
  CreatedPlatformAccount,
  Message,
  MessagePage,
  PlatformAccount,
} from '../../src/shared/models'
import { SecretBox } from '../../server/services/secretBox'
import {
  EventStream,
  closedPort,
  eventually,
  startTidings,
  type Session,
  type TidingsHarness,
} from './harness'
import { openStore } from '../support/store'
import { TEST_SECRET_KEY, onPostgres } from '../support/testDatabase'

const SMTP_PASSWORD = 'smtp-Pa55word-unique'
const IMAP_PASSWORD = 'imap-Pa55word-unique'

describe('connected platform accounts', () => {
  let tidings: TidingsHarness
  let ann: Session
  let bob: Session
  beforeAll(async () => {
    tidings = await startTidings()
    ann = await tidings.register('ann')
    bob = await tidings.register('bob')
  })
  afterAll(() => tidings.close())

  // On PostgreSQL the key is the one every node is given (TIDINGS_SECRET_KEY), not a file.
  it.skipIf(onPostgres)('creates the secret key file 0600 beside the SQLite database', () => {
    const file = path.join(tidings.dataDir, 'secret.key')
    expect(fs.statSync(file).mode & 0o777).toBe(0o600)
    expect(
      SecretBox.open(tidings.dataDir).open(SecretBox.open(tidings.dataDir).seal('x', 'p'), 'p'),
    ).toBe('x')
  })

  it('seals values so that tampering is detected', () => {
    const box = onPostgres ? SecretBox.fromBase64(TEST_SECRET_KEY) : SecretBox.open(tidings.dataDir)
    const sealed = box.seal('hunter2', 'purpose-a')
    expect(sealed).not.toContain('hunter2')
    expect(box.open(sealed, 'purpose-a')).toBe('hunter2')
    expect(() => box.open(sealed, 'purpose-b')).toThrow()
    const raw = Buffer.from(sealed.slice(3), 'base64')
    raw[raw.length - 1]! ^= 1
    expect(() => box.open(`v1:${raw.toString('base64')}`, 'purpose-a')).toThrow()
  })

  it('connects an email account without ever returning or storing its passwords in clear', async () => {
    const port = await closedPort()
    const stream = await EventStream.open(tidings.server, ann.token)
    try {
      const created = await ann.request<CreatedPlatformAccount>('POST', '/accounts', {
        platform: 'email',
        display_name: 'Ann at work',
        email_address: 'ann@example.test',
        smtp: { host: '127.0.0.1', port, secure: false, username: 'ann', password: SMTP_PASSWORD },
        imap: { host: '127.0.0.1', port, secure: false, username: 'ann', password: IMAP_PASSWORD },
      })
      expect(created.status).toBe(201)
      expect(created.data.bridge_secret).toMatch(/^tb_/)
      expect(created.data).toMatchObject({
        platform: 'email',
        address: 'ann@example.test',
        smtp: { host: '127.0.0.1', port, secure: false, username: 'ann' },
      })
      const text = JSON.stringify(created.body)
      expect(text).not.toContain(SMTP_PASSWORD)
      expect(text).not.toContain(IMAP_PASSWORD)

      // The IMAP server is unreachable: a clear state and account_disconnected with the reason.
      const event = await stream.next('account_disconnected')
      expect(event.data).toMatchObject({
        account_id: created.data.id,
        platform: 'email',
        display_name: 'Ann at work',
        state: 'error',
      })
      expect(event.data.reason).toMatch(
        /^Cannot connect to the IMAP server 127\.0\.0\.1:\d+: check its name, port and security setting\.$/,
      )
      const listed = await ann.request<PlatformAccount[]>('GET', '/accounts')
      expect(listed.data).toHaveLength(1)
      expect(listed.data[0]).toMatchObject({ state: 'error', state_reason: event.data.reason })
      const listedText = JSON.stringify(listed.body)
      expect(listedText).not.toContain(SMTP_PASSWORD)
      expect(listedText).not.toContain('bridge_secret')
      expect((await bob.request<PlatformAccount[]>('GET', '/accounts')).data).toEqual([])
      expect((await bob.request('GET', `/accounts/${created.data.id}`)).status).toBe(404)

      // Nothing in the database file holds a password or the bridge secret.
      const db = await openStore(tidings.dataDir)
      try {
        const dump = JSON.stringify(await db.all('select * from platform_accounts'))
        expect(dump).toContain(created.data.display_name)
        expect(dump).not.toContain(SMTP_PASSWORD)
        expect(dump).not.toContain(IMAP_PASSWORD)
        expect(dump).not.toContain(created.data.bridge_secret)
      } finally {
        await db.close()
      }

      const removed = await ann.request<PlatformAccount>('DELETE', `/accounts/${created.data.id}`)
      expect(removed.status).toBe(200)
      const gone = await stream.next('account_disconnected', (e) => e.data.state === 'disconnected')
      expect(gone.data.account_id).toBe(created.data.id)
      expect((await ann.request<PlatformAccount[]>('GET', '/accounts')).data).toEqual([])
    } finally {
      stream.close()
    }
  })

  it('rejects an email account without mail servers', async () => {
    const answer = await ann.request('POST', '/accounts', {
      platform: 'email',
      display_name: 'x',
      email_address: 'x@example.test',
    })
    expect(answer.status).toBe(400)
  })

  it('takes bridged messages into one conversation per external thread, idempotently', async () => {
    const stream = await EventStream.open(tidings.server, ann.token)
    try {
      const created = await ann.request<CreatedPlatformAccount>('POST', '/accounts', {
        platform: 'whatsapp',
        display_name: 'Ann on WhatsApp',
        address: '+1 555 0101',
      })
      expect(created.status).toBe(201)
      const connected = await stream.next('account_connected')
      expect(connected.data).toMatchObject({ account_id: created.data.id, state: 'connected' })
      const secret = created.data.bridge_secret
      const post = (platform: string, auth: string | undefined, body: unknown) =>
        fetch(`${tidings.server.url}/integrations/${platform}/inbound`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(auth ? { authorization: auth } : {}),
          },
          body: JSON.stringify(body),
        })
      const body = {
        external_thread_id: 'chat-42',
        sender: { handle: '+1 555 0199', name: 'Carla' },
        text: 'Hi Ann!',
        external_id: 'wamid.1',
      }
      expect((await post('whatsapp', undefined, body)).status).toBe(401)
      expect((await post('whatsapp', 'Bridge wrong', body)).status).toBe(401)
      // The secret belongs to a WhatsApp account, not a Telegram one.
      expect((await post('telegram', `Bridge ${secret}`, body)).status).toBe(401)

      const first = await post('whatsapp', `Bridge ${secret}`, body)
      expect(first.status).toBe(201)
      const firstBody = (await first.json()) as { data: { message: Message; created: boolean } }
      const message = firstBody.data.message
      expect(message).toMatchObject({
        sender_name: 'Carla',
        text: 'Hi Ann!',
        external_sender: { handle: '+1 555 0199', name: 'Carla' },
      })
      const created1 = await stream.next('conversation_created')
      expect(created1.data.conversation).toMatchObject({ platform: 'whatsapp', title: 'Carla' })
      const received = await stream.next('message_received')
      expect(received.data).toMatchObject({ sender_name: 'Carla', message: { id: message.id } })

      // The same external id again: the stored message, no new event.
      const again = await post('whatsapp', `Bridge ${secret}`, body)
      expect(again.status).toBe(200)
      expect(((await again.json()) as { data: { message: Message } }).data.message.id).toBe(
        message.id,
      )
      const second = await post('whatsapp', `Bridge ${secret}`, {
        ...body,
        text: 'Are you there?',
        external_id: 'wamid.2',
      })
      expect(second.status).toBe(201)
      await stream.next('message_received', (e) => e.data.message.text === 'Are you there?')
      expect(stream.of('message_received')).toHaveLength(2)
      expect(stream.of('conversation_created')).toHaveLength(1)

      const conversations = await ann.request<Conversation[]>('GET', '/conversations')
      const chat = conversations.data.find((c) => c.platform === 'whatsapp')!
      expect(chat.unread_count).toBe(2)
      expect(chat.id).toBe(message.conversation_id)
      const history = await ann.request<MessagePage>('GET', `/conversations/${chat.id}/messages`)
      expect(history.data.messages.map((m) => [m.sender_name, m.text])).toEqual([
        ['Carla', 'Hi Ann!'],
        ['Carla', 'Are you there?'],
      ])
      // A bridged message is not the owner's to edit.
      expect((await ann.request('PATCH', `/messages/${message.id}`, { text: 'x' })).status).toBe(
        403,
      )

      // The bridge reports its link down and up again.
      const status = (state: string, reason?: string) =>
        fetch(`${tidings.server.url}/integrations/whatsapp/status`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bridge ${secret}` },
          body: JSON.stringify(reason ? { state, reason } : { state }),
        })
      expect((await status('error', 'phone offline')).status).toBe(200)
      const down = await stream.next('account_disconnected')
      expect(down.data).toMatchObject({ state: 'error', reason: 'phone offline' })
      expect((await status('connected')).status).toBe(200)
      await eventually(() => stream.of('account_connected').length === 2, 'account_connected')

      // Ann answers: the message waits in the bridge's outbox until the bridge reports back.
      const bridge = (method: string, url: string, body?: unknown) =>
        fetch(`${tidings.server.url}/integrations/whatsapp${url}`, {
          method,
          headers: {
            authorization: `Bridge ${secret}`,
            ...(body ? { 'content-type': 'application/json' } : {}),
          },
          ...(body ? { body: JSON.stringify(body) } : {}),
        })
      const answer = await ann.request<Message>('POST', `/conversations/${chat.id}/messages`, {
        text: 'Yes, here!',
        client_id: 'wa-1',
      })
      expect(answer.status).toBe(201)
      const outbox = await bridge('GET', '/outbox')
      expect(outbox.status).toBe(200)
      expect(((await outbox.json()) as { data: unknown }).data).toEqual([
        {
          message_id: answer.data.id,
          conversation_id: chat.id,
          external_thread_id: 'chat-42',
          to: ['+1 555 0199'],
          text: 'Yes, here!',
          created_at: answer.data.created_at,
        },
      ])
      const delivered = await bridge('POST', `/outbox/${answer.data.id}`, { state: 'sent' })
      expect(delivered.status).toBe(200)
      expect(((await delivered.json()) as { data: { state: string } }).data.state).toBe('sent')
      expect((await bridge('POST', `/outbox/${answer.data.id}`, { state: 'sent' })).status).toBe(
        409,
      )
      expect(((await (await bridge('GET', '/outbox')).json()) as { data: unknown[] }).data).toEqual(
        [],
      )

      // What is sent there goes out as Ann: nobody else can be added to the chat, and a member
      // added behind the API's back (a database from before that rule) cannot send as her.
      const addBob = await ann.request('POST', `/conversations/${chat.id}/members`, {
        user_ids: [bob.userId],
      })
      expect(addBob.status).toBe(400)
      expect((await bob.request('GET', `/conversations/${chat.id}/messages`)).status).toBe(403)
      const db = await openStore(tidings.dataDir)
      await db.all(
        'insert into conversation_members (conversation_id, user_id, joined_at, last_read_message_id, last_delivered_message_id) values (?, ?, ?, 0, 0)',
        chat.id,
        bob.userId,
        new Date().toISOString(),
      )
      await db.close()
      const asAnn = await bob.request('POST', `/conversations/${chat.id}/messages`, {
        text: 'sent by Bob, delivered as Ann',
        client_id: 'wa-bob',
      })
      expect(asAnn.status).toBe(403)
      expect(((await (await bridge('GET', '/outbox')).json()) as { data: unknown[] }).data).toEqual(
        [],
      )

      // Once the account is removed, its conversation keeps its history but takes no new sends.
      expect((await ann.request('DELETE', `/accounts/${created.data.id}`)).status).toBe(200)
      const orphan = await ann.request('POST', `/conversations/${chat.id}/messages`, {
        text: 'Hello?',
        client_id: 'wa-2',
      })
      expect(orphan.status).toBe(409)
      const after = await ann.request<MessagePage>('GET', `/conversations/${chat.id}/messages`)
      expect(after.data.messages.map((m) => m.text)).toEqual([
        'Hi Ann!',
        'Are you there?',
        'Yes, here!',
      ])
      expect((await post('whatsapp', `Bridge ${secret}`, body)).status).toBe(401)
    } finally {
      stream.close()
    }
  })
})
