import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ErrorFrame, MessageAckFrame } from '../../src/shared/frames'
import type { Conversation, MessagePage } from '../../src/shared/models'
import {
  createConversation,
  nextClientId,
  registerTeam,
  type TestAccount,
} from '../support/accounts'
import { startHarness, type TestServer } from '../support/serverHarness'
import { openStore } from '../support/store'
import { eventsIn, type WsTestClient } from '../support/wsTestClient'

/** `send_message` over the events socket: the REST send's rules, answered by an ack or an error. */
describe('sending over the socket', () => {
  let server: TestServer
  let admin: TestAccount
  let alice: TestAccount
  let outsider: TestAccount
  let direct: Conversation
  let other: Conversation
  let adminWs: WsTestClient
  let aliceWs: WsTestClient
  let outsiderWs: WsTestClient

  beforeAll(async () => {
    server = await startHarness()
    const team = await registerTeam(server.url, ['alice', 'outsider'])
    admin = team.admin
    ;[alice, outsider] = team.members as [TestAccount, TestAccount]
    direct = await createConversation(admin, [alice])
    other = await createConversation(admin, [outsider])
    // The admin first, then the members, whose coming online the admin is told of: on
    // PostgreSQL that news is committed after the connection, and would otherwise come between a
    // test's mark and its ack.
    adminWs = await admin.connect()
    ;[aliceWs, outsiderWs] = await Promise.all([alice.connect(), outsider.connect()])
    await Promise.all(
      [alice, outsider].map((member) =>
        adminWs.waitForEvent('user_online', { where: (e) => e.data.user.id === member.user.id }),
      ),
    )
  })
  afterAll(async () => {
    await Promise.all([adminWs.close(), aliceWs.close(), outsiderWs.close()])
    await server.stop()
  })

  const send = (socket: WsTestClient, conversationId: number, text: string, clientId: string) =>
    socket.send({
      type: 'send_message',
      conversation_id: conversationId,
      text,
      client_id: clientId,
    })
  const ackFor = (socket: WsTestClient, clientId: string, after: number) =>
    socket.waitFor(
      (f): f is MessageAckFrame => f.type === 'message_ack' && f.client_id === clientId,
      { after },
    )
  const errorFor = (socket: WsTestClient, clientId: string, after: number) =>
    socket.waitFor((f): f is ErrorFrame => f.type === 'error' && f.client_id === clientId, {
      after,
    })

  it('stores the message, tells the members, then acknowledges it to the sender', async () => {
    const clientId = nextClientId('ws')
    const mark = adminWs.mark()
    const aliceMark = aliceWs.mark()
    send(adminWs, direct.id, 'over the socket', clientId)
    const ack = await ackFor(adminWs, clientId, mark)
    expect(ack).toEqual({
      type: 'message_ack',
      client_id: clientId,
      created: true,
      message: expect.objectContaining({
        conversation_id: direct.id,
        sender_id: admin.user.id,
        sender_name: admin.user.display_name,
        client_id: clientId,
        text: 'over the socket',
      }),
    })
    // The sender's own event comes first, so a client that sees the ack has seen the event.
    const sent = eventsIn(adminWs.frames.slice(mark, adminWs.frames.indexOf(ack)))
    expect(sent.map((e) => e.type)).toEqual(['message_sent'])
    const received = await aliceWs.waitForEvent('message_received', { after: aliceMark })
    expect(received.data.message).toEqual(ack.message)
    const history = (await alice.rest.get<MessagePage>(`/conversations/${direct.id}/messages`)).data
    expect(history.messages.at(-1)).toEqual(ack.message)
  })

  it('answers a repeated client_id with the stored message and emits nothing new', async () => {
    const clientId = nextClientId('ws')
    const firstMark = aliceWs.mark()
    send(adminWs, direct.id, 'once', clientId)
    const first = await ackFor(adminWs, clientId, adminWs.mark())
    // Alice's copy travels on another connection: wait for it before marking what follows.
    await aliceWs.waitForEvent('message_received', {
      after: firstMark,
      where: (e) => e.data.message.client_id === clientId,
    })
    const aliceMark = aliceWs.mark()
    const mark = adminWs.mark()
    send(adminWs, direct.id, 'once', clientId)
    const again = await ackFor(adminWs, clientId, mark)
    expect(again).toEqual({ ...first, created: false })
    expect(eventsIn(await aliceWs.sync(aliceMark))).toEqual([])
  })

  it('refuses bad sends with an error frame naming the client_id, and stays usable', async () => {
    const cases: [number, string, ErrorFrame['code']][] = [
      [direct.id, 'not a member', 'forbidden'],
      [424242, 'no such conversation', 'not_found'],
      [other.id, '   ', 'invalid_request'],
    ]
    for (const [conversationId, text, code] of cases) {
      const clientId = nextClientId('bad')
      const mark = outsiderWs.mark()
      send(outsiderWs, conversationId, text, clientId)
      expect(await errorFor(outsiderWs, clientId, mark)).toMatchObject({ type: 'error', code })
    }

    // A client_id already used in another conversation is a conflict, not a silent duplicate.
    const used = nextClientId('used')
    const otherOne = await createConversation(outsider, [alice], 'Another')
    const aliceMark = aliceWs.mark()
    send(outsiderWs, other.id, 'first use', used)
    await ackFor(outsiderWs, used, 0)
    const mark = outsiderWs.mark()
    send(outsiderWs, otherOne.id, 'second use', used)
    expect(await errorFor(outsiderWs, used, mark)).toMatchObject({ code: 'conflict' })
    // Alice is in the second conversation only: the refused send reached nobody.
    expect(eventsIn(await aliceWs.sync(aliceMark)).map((e) => e.type)).not.toContain(
      'message_received',
    )

    // Schema violations are frame errors (no client_id is trusted from a malformed frame).
    const schemaMark = outsiderWs.mark()
    outsiderWs.send({ type: 'send_message', conversation_id: other.id, client_id: 'x' })
    await outsiderWs.waitForError('invalid_frame', { after: schemaMark })

    // Nothing of that ended the connection.
    const ok = nextClientId('ok')
    send(outsiderWs, other.id, 'still here', ok)
    expect((await ackFor(outsiderWs, ok, schemaMark)).created).toBe(true)
  })

  it('answers a storage failure with internal_error for that send, and keeps the connection', async () => {
    // Another connection to the same database takes the messages table away: the server's
    // insert then fails inside the database, the way a broken disk would make it fail.
    const other = await openStore(server.dataDir)
    await other.exec('alter table messages rename to messages_away')
    try {
      const clientId = nextClientId('broken')
      const mark = adminWs.mark()
      send(adminWs, direct.id, 'into the void', clientId)
      expect(await errorFor(adminWs, clientId, mark)).toMatchObject({
        code: 'internal_error',
        client_id: clientId,
      })
    } finally {
      await other.exec('alter table messages_away rename to messages')
      await other.close()
    }
    const again = nextClientId('ws')
    const mark = adminWs.mark()
    send(adminWs, direct.id, 'stored again', again)
    expect((await ackFor(adminWs, again, mark)).created).toBe(true)
  })
})
