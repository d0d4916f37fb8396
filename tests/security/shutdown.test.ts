import { afterEach, describe, expect, it } from 'vitest'
import type { MessagePage } from '../../src/shared/models'
import { CloseCode } from '../../src/shared/closeCodes'
import {
  createConversation,
  registerAdmin,
  registerTeam,
  type TestAccount,
} from '../support/accounts'
import { RawConnection, requestHead } from '../support/rawHttp'
import { startHarness, type TestServer } from '../support/serverHarness'
import type { WsTestClient } from '../support/wsTestClient'

/**
 * Sends over the socket while the server shuts down: nothing may be stored whose ack the client
 * never gets (it would keep the message as failed, or send it twice under another id). Either it
 * is stored and acked before the close, or it is not stored and the client sends it again.
 */
const servers: TestServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()))
})

async function setUp() {
  const server = await startHarness()
  servers.push(server)
  const { admin, members } = await registerTeam(server.url, ['alice'])
  const conversation = await createConversation(admin, [members[0]!])
  const socket = await admin.connect()
  return { server, admin, conversation, socket }
}

function send(socket: WsTestClient, conversationId: number, clientId: string): void {
  socket.send({
    type: 'send_message',
    conversation_id: conversationId,
    text: clientId,
    client_id: clientId,
  })
}

/** The client_ids acked on the socket, all frames of which were received before its close. */
function acked(socket: WsTestClient): string[] {
  return socket.frames.flatMap((frame) => (frame.type === 'message_ack' ? [frame.client_id] : []))
}

async function storedIds(server: TestServer, admin: TestAccount, conversationId: number) {
  await server.start()
  const page = await admin.rest.get<MessagePage>(
    `/conversations/${conversationId}/messages?limit=200`,
  )
  return page.data.messages.map((message) => message.client_id)
}

describe('a shutdown while sends and upgrades are on their way', () => {
  it('stores no send that arrives after the close began (its ack could not follow)', async () => {
    const { server, admin, conversation, socket } = await setUp()
    send(socket, conversation.id, 'late-1')
    // In the same turn: the server closes before it reads the frame.
    const closed = server.close()
    expect((await socket.waitForClose()).code).toBe(CloseCode.GoingAway)
    await closed
    expect(acked(socket)).toEqual([])
    expect(await storedIds(server, admin, conversation.id)).not.toContain('late-1')
  })

  it('acks every send it stored before the close frame, and stores no other', async () => {
    const { server, admin, conversation, socket } = await setUp()
    const ids = Array.from({ length: 40 }, (_, i) => `burst-${i}`)
    for (const id of ids.slice(0, 20)) send(socket, conversation.id, id)
    // Some are being stored when the close begins, some come after it.
    await new Promise((resolve) => setTimeout(resolve, 2))
    const closed = server.close()
    for (const id of ids.slice(20)) send(socket, conversation.id, id)
    expect((await socket.waitForClose()).code).toBe(CloseCode.GoingAway)
    await closed
    const stored = (await storedIds(server, admin, conversation.id)).filter((id) =>
      id.startsWith('burst-'),
    )
    expect(stored.sort()).toEqual(acked(socket).sort())
  })

  it('is not held open by an upgrade that arrives after it stopped taking them', async () => {
    const server = await startHarness()
    servers.push(server)
    const admin = await registerAdmin(server.url)
    // Connected before the close, its upgrade sent once the server no longer accepts any.
    const late = await RawConnection.open(server.url)
    const closed = server.server.close()
    for (;;) {
      const refused = await RawConnection.open(server.url).then(
        (other) => (other.destroy(), false),
        () => true,
      )
      if (refused) break
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    late.write(
      requestHead(server.url, 'GET', `/events/ws/connect?token=${admin.token}`, {
        Upgrade: 'websocket',
        Connection: 'Upgrade',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        'Sec-WebSocket-Version': '13',
      }),
    )
    await late.waitForClose(5_000)
    let timer: NodeJS.Timeout | undefined
    const outcome = await Promise.race([
      closed.then(() => 'closed'),
      new Promise((resolve) => (timer = setTimeout(() => resolve('still closing'), 5_000))),
    ])
    clearTimeout(timer)
    expect(outcome).toBe('closed')
  })
})
