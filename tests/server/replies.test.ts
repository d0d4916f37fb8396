import { join } from 'node:path'
import Database from 'better-sqlite3'
import { SCHEMA_VERSION } from '../../server/storage/migrations'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ErrorFrame, MessageAckFrame } from '../../src/shared/frames'
import { Limits } from '../../src/shared/limits'
import type {
  Conversation,
  Message,
  MessagePage,
  MessageSearchPage,
  ReplyPreview,
} from '../../src/shared/models'
import {
  accountFrom,
  createConversation,
  nextClientId,
  registerTeam,
  sendMessage,
  type TestAccount,
} from '../support/accounts'
import { rewindSqliteSchema } from '../support/sqliteSchema'
import { onPostgres } from '../support/testDatabase'
import { startHarness, type TestServer } from '../support/serverHarness'
import { eventsIn, type WsTestClient } from '../support/wsTestClient'

const NOT_A_REPLY_TARGET =
  'reply_to_id must name a message of this conversation that is not deleted.'

const path = (conversationId: number) => `/conversations/${conversationId}/messages`

function previewOf(original: Message, text = original.text): ReplyPreview {
  return {
    id: original.id,
    sender_id: original.sender_id,
    sender_name: original.sender_name,
    text,
    deleted: false,
  }
}

/** Replies: `reply_to_id` on both send paths, and the `reply_to` quote on every message. */
describe('replies', () => {
  let server: TestServer
  let admin: TestAccount
  let alice: TestAccount
  let outsider: TestAccount
  let direct: Conversation
  let other: Conversation
  let adminWs: WsTestClient
  let aliceWs: WsTestClient

  beforeAll(async () => {
    server = await startHarness()
    const team = await registerTeam(server.url, ['alice', 'outsider'])
    admin = team.admin
    ;[alice, outsider] = team.members as [TestAccount, TestAccount]
    direct = await createConversation(admin, [alice])
    other = await createConversation(admin, [outsider])
    ;[adminWs, aliceWs] = await Promise.all([admin.connect(), alice.connect()])
  })
  afterAll(async () => {
    await Promise.all([adminWs.close(), aliceWs.close()])
    await server.stop()
  })

  async function history(account: TestAccount, conversationId: number): Promise<Message[]> {
    return (await account.rest.get<MessagePage>(`${path(conversationId)}?limit=200`)).data.messages
  }

  it('stores a REST reply and carries its quote in the answer, both events and history', async () => {
    const original = await sendMessage(alice, direct.id, 'Lunch at noon?')
    const marks = [adminWs.mark(), aliceWs.mark()] as const
    const response = await admin.rest.post<Message>(path(direct.id), {
      text: 'Yes, see you there',
      client_id: nextClientId(),
      reply_to_id: original.id,
    })
    expect(response.status).toBe(201)
    const quote = previewOf(original)
    expect(quote.sender_name).toBe(alice.user.display_name)
    expect(response.data.reply_to).toEqual(quote)

    const sent = await adminWs.waitForEvent('message_sent', {
      after: marks[0],
      where: (e) => e.data.message.id === response.data.id,
    })
    expect(sent.data.message.reply_to).toEqual(quote)
    const received = await aliceWs.waitForEvent('message_received', {
      after: marks[1],
      where: (e) => e.data.message.id === response.data.id,
    })
    expect(received.data.message).toEqual(response.data)

    const stored = (await history(alice, direct.id)).find((m) => m.id === response.data.id)
    expect(stored).toEqual(response.data)
    // A message that is not a reply says so.
    expect((await history(alice, direct.id)).find((m) => m.id === original.id)?.reply_to).toBe(null)
  })

  it('quotes only the start of a long original', async () => {
    const long = `${'a'.repeat(Limits.replyPreviewChars - 1)}😀 and the rest of a long message`
    const original = await sendMessage(alice, direct.id, long)
    const reply = await admin.rest.post<Message>(path(direct.id), {
      text: 'tl;dr',
      client_id: nextClientId(),
      reply_to_id: original.id,
    })
    // The cut falls inside the emoji's surrogate pair: it is left out whole.
    expect(reply.data.reply_to?.text).toBe('a'.repeat(Limits.replyPreviewChars - 1))
    const read = (await history(admin, direct.id)).find((m) => m.id === reply.data.id)
    expect(read?.reply_to?.text).toBe('a'.repeat(Limits.replyPreviewChars - 1))
  })

  it('sends a reply over the socket: the ack and the others’ event carry the quote', async () => {
    const original = await sendMessage(admin, direct.id, 'Ship it on Friday?')
    const clientId = nextClientId('ws')
    const marks = [adminWs.mark(), aliceWs.mark()] as const
    aliceWs.send({
      type: 'send_message',
      conversation_id: direct.id,
      text: 'Friday works',
      client_id: clientId,
      reply_to_id: original.id,
    })
    const ack = await aliceWs.waitFor(
      (f): f is MessageAckFrame => f.type === 'message_ack' && f.client_id === clientId,
      { after: marks[1] },
    )
    expect(ack.created).toBe(true)
    expect(ack.message.reply_to).toEqual(previewOf(original))
    const received = await adminWs.waitForEvent('message_received', {
      after: marks[0],
      where: (e) => e.data.message.client_id === clientId,
    })
    expect(received.data.message).toEqual(ack.message)
  })

  it('refuses an unknown id, another conversation’s message and a deleted one alike (400)', async () => {
    const elsewhere = await sendMessage(outsider, other.id, 'in the other conversation')
    const deleted = await sendMessage(alice, direct.id, 'about to go')
    await alice.rest.delete(`/messages/${deleted.id}`)
    const before = await history(admin, direct.id)
    const marks = [adminWs.mark(), aliceWs.mark()] as const

    // Alice is not in `other`: her answer must not differ from the one for an id that does not
    // exist; the admin is in both conversations and is refused the same way.
    const cases: [TestAccount, number][] = [
      [alice, 987_654],
      [alice, elsewhere.id],
      [admin, elsewhere.id],
      [alice, deleted.id],
    ]
    for (const [sender, replyToId] of cases) {
      const refused = await sender.rest.post(path(direct.id), {
        text: 'a reply',
        client_id: nextClientId(),
        reply_to_id: replyToId,
      })
      expect(refused.status).toBe(400)
      expect(refused.error).toEqual({ code: 'invalid_request', message: NOT_A_REPLY_TARGET })
    }
    // Over the socket: an error frame with the same code and message.
    for (const replyToId of [987_654, elsewhere.id, deleted.id]) {
      const clientId = nextClientId('ws')
      const mark = aliceWs.mark()
      aliceWs.send({
        type: 'send_message',
        conversation_id: direct.id,
        text: 'a reply',
        client_id: clientId,
        reply_to_id: replyToId,
      })
      const error = await aliceWs.waitFor(
        (f): f is ErrorFrame => f.type === 'error' && f.client_id === clientId,
        { after: mark },
      )
      expect(error).toMatchObject({ code: 'invalid_request', message: NOT_A_REPLY_TARGET })
    }
    // Not an id at all: the schema refuses it.
    for (const replyToId of [0, -1, 'x', 1.5, null]) {
      const bad = await alice.rest.post(path(direct.id), {
        text: 'a reply',
        client_id: nextClientId(),
        reply_to_id: replyToId,
      })
      expect(bad.status).toBe(400)
      expect(bad.error.code).toBe('invalid_request')
      expect(bad.error.message).toMatch(/reply_to_id/)
    }
    // Nothing was stored and nobody was told.
    expect(await history(admin, direct.id)).toEqual(before)
    expect(eventsIn(await adminWs.sync(marks[0]))).toEqual([])
    expect(eventsIn(await aliceWs.sync(marks[1]))).toEqual([])
  })

  it('leaves authorization as it was: a non-member is refused before the reply is looked at', async () => {
    const original = await sendMessage(admin, direct.id, 'members only')
    const outsiderSend = await outsider.rest.post(path(direct.id), {
      text: 'let me in',
      client_id: nextClientId(),
      reply_to_id: original.id,
    })
    expect(outsiderSend.status).toBe(403)
    expect(outsiderSend.error.code).toBe('forbidden')
  })

  it('answers a repeated client_id with the stored reply, even once its original is deleted', async () => {
    const original = await sendMessage(alice, direct.id, 'Going to delete this')
    const clientId = nextClientId()
    const body = { text: 'Noted', client_id: clientId, reply_to_id: original.id }
    const first = await admin.rest.post<Message>(path(direct.id), body)
    expect(first.status).toBe(201)
    await adminWs.waitForEvent('message_sent', {
      where: (e) => e.data.message.id === first.data.id,
    })

    const mark = adminWs.mark()
    const again = await admin.rest.post<Message>(path(direct.id), body)
    expect(again.status).toBe(200)
    expect(again.data).toEqual(first.data)

    await alice.rest.delete(`/messages/${original.id}`)
    const afterDelete = await admin.rest.post<Message>(path(direct.id), body)
    expect(afterDelete.status).toBe(200)
    expect(afterDelete.data.id).toBe(first.data.id)
    // Read now, the quote says the original is gone.
    expect(afterDelete.data.reply_to).toEqual({
      ...previewOf(original),
      text: '',
      deleted: true,
    })
    const events = eventsIn(await adminWs.sync(mark))
    // The deletion's own event only: the retries emitted nothing.
    expect(events.map((e) => e.type)).toEqual(['message_deleted'])
  })

  it('does not re-send replies when the original changes; history reads the fresh quote', async () => {
    const original = await sendMessage(alice, direct.id, 'Meeting in room 4')
    const reply = await admin.rest.post<Message>(path(direct.id), {
      text: 'Which floor?',
      client_id: nextClientId(),
      reply_to_id: original.id,
    })
    const mark = adminWs.mark()
    const edited = await alice.rest.patch<Message>(`/messages/${original.id}`, {
      text: 'Meeting in room 5',
    })
    expect(edited.data.reply_to).toBe(null)
    const events = eventsIn(await adminWs.sync(mark))
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({
      type: 'message_updated',
      data: { message: { id: original.id } },
    })
    const afterEdit = (await history(admin, direct.id)).find((m) => m.id === reply.data.id)
    expect(afterEdit?.reply_to).toEqual(previewOf(original, 'Meeting in room 5'))

    await alice.rest.delete(`/messages/${original.id}`)
    const afterDelete = (await history(admin, direct.id)).find((m) => m.id === reply.data.id)
    expect(afterDelete?.reply_to).toEqual({ ...previewOf(original), text: '', deleted: true })

    // The reply's own later states carry the quote too.
    const replyEdited = await admin.rest.patch<Message>(`/messages/${reply.data.id}`, {
      text: 'Which floor, again?',
    })
    expect(replyEdited.data.reply_to).toEqual(afterDelete?.reply_to)
    const update = await aliceWs.waitForEvent('message_updated', {
      where: (e) => e.data.message?.id === reply.data.id,
    })
    expect(update.data.message?.reply_to).toEqual(afterDelete?.reply_to)
  })

  it('carries the quote in search results and in a conversation’s last message', async () => {
    const group = await createConversation(admin, [alice], 'Quotes')
    const original = await sendMessage(alice, group.id, 'Where are the otters?')
    const reply = await admin.rest.post<Message>(path(group.id), {
      text: 'The otters are by the river',
      client_id: nextClientId(),
      reply_to_id: original.id,
    })
    expect(reply.data.reply_to).toEqual(previewOf(original))
    const found = await alice.rest.get<MessageSearchPage>(
      `/search/messages?q=river&conversation_id=${group.id}`,
    )
    expect(found.data.results.map((r) => r.message)).toEqual([reply.data])
    const conversation = await alice.rest.get<Conversation>(`/conversations/${group.id}`)
    expect(conversation.data.last_message).toEqual(reply.data)
  })
})

// The upgrade of a SQLite file made by an older server; PostgreSQL has no such history.
describe.skipIf(onPostgres)('replies on a database from before them (migration 7)', () => {
  let before: TestServer
  let after: TestServer | undefined

  afterAll(async () => {
    await after?.stop()
    await before.stop()
  })

  it('adds the column: older messages are not replies, new ones can reply to them', async () => {
    before = await startHarness()
    const { admin, members } = await registerTeam(before.url, ['alice'])
    const alice = members[0]!
    const direct = await createConversation(admin, [alice])
    const old = await sendMessage(alice, direct.id, 'Written before replies existed')
    await before.close()

    // The file as a server of schema version 6 left it: no reply_to_id column.
    rewindSqliteSchema(join(before.dataDir, 'tidings.db'), 6)

    // Another port: no pooled connection of the first server's is reused.
    after = await startHarness({ dataDir: before.dataDir })
    const upgraded = new Database(join(after.dataDir, 'tidings.db'), { readonly: true })
    expect(upgraded.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION)
    upgraded.close()
    const adminNow = accountFrom(after.url, { token: admin.token, user: admin.user })
    const page = await adminNow.rest.get<MessagePage>(path(direct.id))
    expect(page.data.messages).toEqual([{ ...old, reply_to: null }])
    const reply = await adminNow.rest.post<Message>(path(direct.id), {
      text: 'And answered after the upgrade',
      client_id: nextClientId(),
      reply_to_id: old.id,
    })
    expect(reply.status).toBe(201)
    expect(reply.data.reply_to).toEqual(previewOf(old))
  })
})
