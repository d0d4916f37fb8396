import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { MessageAckFrame } from '../../src/shared/frames'
import type { Conversation, Message } from '../../src/shared/models'
import {
  createConversation,
  nextClientId,
  registerTeam,
  sendMessage,
  type TestAccount,
} from '../support/accounts'
import { startHarness, type TestServer } from '../support/serverHarness'
import type { WsTestClient } from '../support/wsTestClient'

/**
 * message_sent and message_received carry the flat fields of the original description of the
 * system (message_id, conversation_id, sender_name, receiver_name, message_text, platform)
 * beside today's payload, on both send paths.
 */
describe('the seed-era fields of message events', () => {
  let server: TestServer
  let admin: TestAccount
  let bob: TestAccount
  let carol: TestAccount
  let direct: Conversation
  let titled: Conversation
  let untitled: Conversation
  let adminWs: WsTestClient
  let bobWs: WsTestClient

  beforeAll(async () => {
    server = await startHarness()
    const team = await registerTeam(server.url, ['bob', 'carol'])
    admin = team.admin
    ;[bob, carol] = team.members as [TestAccount, TestAccount]
    direct = await createConversation(admin, [bob])
    titled = await createConversation(admin, [bob, carol], 'Launch')
    untitled = await createConversation(admin, [bob, carol])
    ;[adminWs, bobWs] = await Promise.all([admin.connect(), bob.connect()])
  })
  afterAll(async () => {
    await Promise.all([adminWs.close(), bobWs.close()])
    await server.stop()
  })

  /** The sender's message_sent and bob's message_received of a message. */
  async function eventsOf(message: Message, marks: readonly [number, number]) {
    const where = (e: { data: { message: Message } }) => e.data.message.id === message.id
    const sent = await adminWs.waitForEvent('message_sent', { after: marks[0], where })
    const received = await bobWs.waitForEvent('message_received', { after: marks[1], where })
    return { sent: sent.data, received: received.data }
  }

  it('names the other member as the receiver of a direct message, in both events', async () => {
    const marks = [adminWs.mark(), bobWs.mark()] as const
    const message = await sendMessage(admin, direct.id, 'Hello!')
    const { sent, received } = await eventsOf(message, marks)
    const seedFields = {
      message_id: message.id,
      conversation_id: direct.id,
      sender_name: admin.user.display_name,
      receiver_name: bob.user.display_name,
      message_text: 'Hello!',
      platform: 'tidings',
    }
    expect(sent).toMatchObject(seedFields)
    expect(received).toMatchObject(seedFields)
    // Today's payload is still there, whole.
    expect(received.message).toEqual(message)
    expect(received.conversation_title).toBe(null)
  })

  it('names a titled conversation by its title and an untitled group by the other members', async () => {
    let marks = [adminWs.mark(), bobWs.mark()] as const
    const inTitled = await sendMessage(admin, titled.id, 'Ship it')
    expect((await eventsOf(inTitled, marks)).received).toMatchObject({
      receiver_name: 'Launch',
      conversation_title: 'Launch',
    })
    marks = [adminWs.mark(), bobWs.mark()] as const
    const inUntitled = await sendMessage(admin, untitled.id, 'Who is in?')
    expect((await eventsOf(inUntitled, marks)).sent.receiver_name).toBe(
      `${bob.user.display_name}, ${carol.user.display_name}`,
    )
  })

  it('carries them on a send over the socket too, with the text as sent', async () => {
    const clientId = nextClientId('ws')
    const marks = [adminWs.mark(), bobWs.mark()] as const
    adminWs.send({
      type: 'send_message',
      conversation_id: direct.id,
      text: 'Über the socket',
      client_id: clientId,
    })
    const ack = await adminWs.waitFor(
      (f): f is MessageAckFrame => f.type === 'message_ack' && f.client_id === clientId,
      { after: marks[0] },
    )
    const { sent, received } = await eventsOf(ack.message, marks)
    for (const data of [sent, received]) {
      expect(data).toMatchObject({
        message_id: ack.message.id,
        receiver_name: bob.user.display_name,
        message_text: 'Über the socket',
        platform: 'tidings',
      })
    }
  })

  it('replays them as they were sent', async () => {
    const marks = [adminWs.mark(), bobWs.mark()] as const
    const message = await sendMessage(bob, direct.id, 'For the replay')
    const live = await adminWs.waitForEvent('message_received', {
      after: marks[0],
      where: (e) => e.data.message.id === message.id,
    })
    const replay = await admin.connect({ since: live.id! - 1 })
    try {
      const replayed = await replay.waitForEvent('message_received', {
        where: (e) => e.data.message.id === message.id,
      })
      expect(replayed.data).toEqual(live.data)
      expect(replayed.data.receiver_name).toBe(admin.user.display_name)
    } finally {
      await replay.close()
    }
  })
})
