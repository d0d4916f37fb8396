import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Conversation, Message, MessagePage } from '../../src/shared/models'
import { Limits } from '../../src/shared/limits'
import {
  createConversation,
  nextClientId,
  registerTeam,
  sendMessage,
  type TestAccount,
} from '../support/accounts'
import { startHarness, type TestServer } from '../support/serverHarness'
import { eventsIn, isEventOf, type WsTestClient } from '../support/wsTestClient'

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

describe('messages', () => {
  let server: TestServer
  let admin: TestAccount
  let alice: TestAccount
  let outsider: TestAccount
  let direct: Conversation
  let adminWs: WsTestClient
  let aliceWs: WsTestClient

  beforeAll(async () => {
    server = await startHarness()
    const team = await registerTeam(server.url, ['alice', 'outsider'])
    admin = team.admin
    ;[alice, outsider] = team.members as [TestAccount, TestAccount]
    direct = await createConversation(admin, [alice])
    ;[adminWs, aliceWs] = await Promise.all([admin.connect(), alice.connect()])
  })
  afterAll(async () => {
    await Promise.all([adminWs.close(), aliceWs.close()])
    await server.stop()
  })

  const path = (conversationId: number) => `/conversations/${conversationId}/messages`

  it('stores a message (201) and returns it in full', async () => {
    const clientId = nextClientId()
    const response = await admin.rest.post<Message>(path(direct.id), {
      text: 'Hello Alice',
      client_id: clientId,
    })
    expect(response.status).toBe(201)
    expect(response.data).toEqual({
      id: expect.any(Number),
      conversation_id: direct.id,
      sender_id: admin.user.id,
      sender_name: admin.user.display_name,
      client_id: clientId,
      text: 'Hello Alice',
      created_at: expect.stringMatching(ISO_UTC),
      edited_at: null,
      deleted_at: null,
      reply_to: null,
    })
  })

  it('is idempotent per client_id: 200, the same message, no second event', async () => {
    const clientId = nextClientId()
    const marks = [adminWs.mark(), aliceWs.mark()]
    const first = await admin.rest.post<Message>(path(direct.id), {
      text: 'once',
      client_id: clientId,
    })
    expect(first.status).toBe(201)
    await aliceWs.waitForEvent('message_received', { after: marks[1] })
    await adminWs.waitForEvent('message_sent', { after: marks[0] })

    const afterFirst = [adminWs.mark(), aliceWs.mark()]
    const retry = await admin.rest.post<Message>(path(direct.id), {
      text: 'once (retried, even with other text)',
      client_id: clientId,
    })
    expect(retry.status).toBe(200)
    expect(retry.data).toEqual(first.data)
    expect(eventsIn(await adminWs.sync(afterFirst[0]))).toEqual([])
    expect(eventsIn(await aliceWs.sync(afterFirst[1]))).toEqual([])

    // Another sender may use the same client_id: it is scoped per sender.
    const other = await alice.rest.post<Message>(path(direct.id), {
      text: 'mine',
      client_id: clientId,
    })
    expect(other.status).toBe(201)
    expect(other.data.id).not.toBe(first.data.id)

    // The same client_id in another conversation is a conflict, not a silent duplicate.
    const group = await createConversation(admin, [alice], 'Elsewhere')
    const conflict = await admin.rest.post(path(group.id), { text: 'x', client_id: clientId })
    expect(conflict.status).toBe(409)
  })

  it('limits text to 10,000 characters with a clear message', async () => {
    const max = 'a'.repeat(Limits.maxMessageChars)
    expect(
      (await admin.rest.post(path(direct.id), { text: max, client_id: nextClientId() })).status,
    ).toBe(201)
    const tooLong = await admin.rest.post(path(direct.id), {
      text: `${max}b`,
      client_id: nextClientId(),
    })
    expect(tooLong.status).toBe(400)
    expect(tooLong.error.code).toBe('invalid_request')
    expect(tooLong.error.message).toMatch(/text/)
    expect(tooLong.error.message).toMatch(/10000/)
  })

  it('refuses blank, missing and non-member sends', async () => {
    for (const text of ['', '   ', '\n\t ']) {
      const blank = await admin.rest.post(path(direct.id), { text, client_id: nextClientId() })
      expect(blank.status).toBe(400)
      expect(blank.body?.status).toBe('error')
    }
    const noClientId = await admin.rest.post(path(direct.id), { text: 'hi' })
    expect(noClientId.status).toBe(400)
    expect(noClientId.error.message).toMatch(/client_id/)

    const outsiderSend = await outsider.rest.post(path(direct.id), {
      text: 'let me in',
      client_id: nextClientId(),
    })
    expect(outsiderSend.status).toBe(403)
    expect((await outsider.rest.get(path(direct.id))).status).toBe(403)
    const unknown = await admin.rest.post(path(424242), { text: 'x', client_id: nextClientId() })
    expect(unknown.status).toBe(404)
  })

  it('pages history backwards with before/next_before', async () => {
    const group = await createConversation(admin, [alice], 'History')
    const sent: Message[] = []
    for (let i = 0; i < 120; i++) {
      sent.push(await sendMessage(i % 2 ? alice : admin, group.id, `message ${i}`))
    }

    const collected: Message[] = []
    const pageSizes: number[] = []
    let before: number | null = null
    do {
      const query: string = before === null ? '' : `?before=${before}`
      const page: MessagePage = (await alice.rest.get<MessagePage>(`${path(group.id)}${query}`))
        .data
      pageSizes.push(page.messages.length)
      const ids = page.messages.map((m) => m.id)
      expect(ids).toEqual([...ids].sort((a, b) => a - b))
      if (page.next_before !== null) expect(page.next_before).toBe(ids[0])
      collected.unshift(...page.messages)
      before = page.next_before
    } while (before !== null)

    expect(pageSizes).toEqual([50, 50, 20])
    expect(collected).toEqual(sent)

    const small = (await admin.rest.get<MessagePage>(`${path(group.id)}?limit=7`)).data
    expect(small.messages.map((m) => m.text)).toEqual(sent.slice(-7).map((m) => m.text))
    expect(small.next_before).toBe(sent.at(-7)!.id)
    const last = (await admin.rest.get<MessagePage>(`${path(group.id)}?before=${sent[3]!.id}`)).data
    expect(last.messages.map((m) => m.id)).toEqual(sent.slice(0, 3).map((m) => m.id))
    expect(last.next_before).toBeNull()

    for (const bad of ['limit=0', 'limit=201', 'before=0', 'before=abc']) {
      expect((await admin.rest.get(`${path(group.id)}?${bad}`)).status).toBe(400)
    }
  })

  it('lets only the sender edit or delete, and tells the members', async () => {
    const message = await sendMessage(admin, direct.id, 'first draft')
    const marks = [adminWs.mark(), aliceWs.mark()]

    const edited = await admin.rest.patch<Message>(`/messages/${message.id}`, { text: 'final' })
    expect(edited.status).toBe(200)
    expect(edited.data).toMatchObject({ id: message.id, text: 'final', deleted_at: null })
    expect(edited.data.edited_at).toMatch(ISO_UTC)
    for (const [socket, mark] of [
      [adminWs, marks[0]],
      [aliceWs, marks[1]],
    ] as const) {
      const event = await socket.waitForEvent('message_updated', { after: mark })
      expect(event.data).toEqual({ conversation_id: direct.id, message: edited.data })
    }

    const byOther = await alice.rest.patch(`/messages/${message.id}`, { text: 'hijack' })
    expect(byOther.status).toBe(403)
    expect((await alice.rest.delete(`/messages/${message.id}`)).status).toBe(403)
    // A non-member does not even learn that the message exists.
    expect((await outsider.rest.patch(`/messages/${message.id}`, { text: 'x' })).status).toBe(404)
    expect((await admin.rest.patch('/messages/999999', { text: 'x' })).status).toBe(404)
    expect((await admin.rest.patch(`/messages/${message.id}`, { text: '  ' })).status).toBe(400)

    const deleteMarks = [adminWs.mark(), aliceWs.mark()]
    const deleted = await admin.rest.delete<Message>(`/messages/${message.id}`)
    expect(deleted.status).toBe(200)
    expect(deleted.data.text).toBe('')
    expect(deleted.data.deleted_at).toMatch(ISO_UTC)
    for (const [socket, mark] of [
      [adminWs, deleteMarks[0]],
      [aliceWs, deleteMarks[1]],
    ] as const) {
      const event = await socket.waitForEvent('message_deleted', { after: mark })
      expect(event.data).toMatchObject({ conversation_id: direct.id, message_id: message.id })
      expect(event.data.message.text).toBe('')
    }
    const history = (await alice.rest.get<MessagePage>(path(direct.id))).data
    expect(history.messages.find((m) => m.id === message.id)?.text).toBe('')
    expect((await admin.rest.patch(`/messages/${message.id}`, { text: 'undo' })).status).toBe(409)
    expect((await admin.rest.delete(`/messages/${message.id}`)).status).toBe(409)
  })

  it('moves delivered/read markers forward only and tells the members', async () => {
    const conversation = await createConversation(admin, [alice], 'Receipts')
    const m1 = await sendMessage(admin, conversation.id, 'one')
    const m2 = await sendMessage(admin, conversation.id, 'two')
    const receipts = `/conversations/${conversation.id}/receipts`
    const isReceipt = (e: { data: { receipt?: unknown } }) => e.data.receipt !== undefined

    let marks = [adminWs.mark(), aliceWs.mark()]
    const delivered = await alice.rest.post<{ moved: boolean }>(receipts, {
      kind: 'delivered',
      up_to_message_id: m1.id,
    })
    expect(delivered.status).toBe(200)
    expect(delivered.data).toEqual({ moved: true })
    for (const [socket, mark] of [
      [adminWs, marks[0]],
      [aliceWs, marks[1]],
    ] as const) {
      const event = await socket.waitForEvent('message_updated', { after: mark, where: isReceipt })
      expect(event.data).toEqual({
        conversation_id: conversation.id,
        receipt: { user_id: alice.user.id, kind: 'delivered', up_to_message_id: m1.id },
      })
    }

    // The same marker again does not move and announces nothing.
    marks = [adminWs.mark(), aliceWs.mark()]
    const same = await alice.rest.post<{ moved: boolean }>(receipts, {
      kind: 'delivered',
      up_to_message_id: m1.id,
    })
    expect(same.data).toEqual({ moved: false })
    expect(eventsIn(await adminWs.sync(marks[0]))).toEqual([])

    const read = await alice.rest.post<{ moved: boolean }>(receipts, {
      kind: 'read',
      up_to_message_id: m2.id,
    })
    expect(read.data).toEqual({ moved: true })
    await adminWs.waitForEvent('message_updated', {
      after: marks[0],
      where: (e) => e.data.receipt?.kind === 'read',
    })

    // Backwards is a no-op: read implies delivered up to m2 already.
    marks = [adminWs.mark(), aliceWs.mark()]
    for (const kind of ['delivered', 'read'] as const) {
      const back = await alice.rest.post<{ moved: boolean }>(receipts, {
        kind,
        up_to_message_id: m1.id,
      })
      expect(back.data).toEqual({ moved: false })
    }
    expect(eventsIn(await adminWs.sync(marks[0])).filter(isEventOf('message_updated'))).toEqual([])

    const state = (await admin.rest.get<Conversation>(`/conversations/${conversation.id}`)).data
    expect(state.members.find((m) => m.user_id === alice.user.id)).toMatchObject({
      last_read_message_id: m2.id,
      last_delivered_message_id: m2.id,
    })
    expect(
      (await alice.rest.get<Conversation>(`/conversations/${conversation.id}`)).data.unread_count,
    ).toBe(0)
    expect(
      (await admin.rest.get<Conversation>(`/conversations/${conversation.id}`)).data.unread_count,
    ).toBe(0)

    const beyond = await alice.rest.post(receipts, { kind: 'read', up_to_message_id: m2.id + 1000 })
    expect(beyond.status).toBe(400)
    const badKind = await alice.rest.post(receipts, { kind: 'seen', up_to_message_id: m1.id })
    expect(badKind.status).toBe(400)
    const outsiderReceipt = await outsider.rest.post(receipts, {
      kind: 'read',
      up_to_message_id: m1.id,
    })
    expect(outsiderReceipt.status).toBe(403)
  })
})
