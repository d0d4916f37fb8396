import http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import WebSocket, { WebSocketServer } from 'ws'
import { CloseCode } from '../../src/shared/closeCodes'
import type { EventType } from '../../src/shared/eventTypes'
import type { ErrorFrame } from '../../src/shared/frames'
import { Limits } from '../../src/shared/limits'
import type { Conversation } from '../../src/shared/models'
import { ClientConnection, type ConnectionOwner } from '../../server/realtime/clientConnection'
import { ConnectionHub } from '../../server/realtime/connectionHub'
import type { OutgoingEvent } from '../../server/storage/eventSink'
import {
  createConversation,
  registerTeam,
  sendMessage,
  type TestAccount,
} from '../support/accounts'
import { startHarness, type TestServer } from '../support/serverHarness'
import { waitUntil } from '../support/waitUntil'
import { eventsIn, type WsTestClient } from '../support/wsTestClient'

/** A received frame as the client saw it. */
interface Received {
  text: string
  isBinary: boolean
}

/** One socket pair: the server side wrapped in a ClientConnection, the client side recording. */
interface Pair {
  connection: ClientConnection
  transport: Socket
  received: Received[]
  closed: Promise<number>
  /** Calls of the server socket's `_writev` (with their chunk counts) and `_write`. */
  writes: { writev: number[]; write: number }
}

/**
 * ConnectionHub over real sockets: a bare ws server hands each upgraded socket, with the upgrade
 * request's TCP socket, to a real ClientConnection, as the events route does.
 */
describe('ConnectionHub.deliverAll over real sockets', () => {
  const hub = new ConnectionHub()
  const owner: ConnectionOwner = {
    frame: () => {},
    closed: (connection) => {
      hub.remove(connection)
    },
    protocolError: () => {},
    replayFailed: () => {},
  }
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false })
  const httpServer = http.createServer()
  const pending: ((socket: WebSocket, transport: Socket) => void)[] = []
  const pairs: Pair[] = []
  let port = 0

  beforeAll(async () => {
    httpServer.on('upgrade', (request, socket, head) => {
      wss.handleUpgrade(request, socket, head, (ws) => pending.shift()?.(ws, request.socket))
    })
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve))
    port = (httpServer.address() as AddressInfo).port
  })
  afterEach(() => {
    for (const pair of pairs.splice(0)) pair.connection.socket.terminate()
  })
  afterAll(async () => {
    await new Promise((resolve) => httpServer.close(resolve))
  })

  async function connect(userId: number): Promise<Pair> {
    const accepted = new Promise<{ socket: WebSocket; transport: Socket }>((resolve) =>
      pending.push((socket, transport) => resolve({ socket, transport })),
    )
    const client = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: false })
    const received: Received[] = []
    client.on('message', (data, isBinary) => received.push({ text: String(data), isBinary }))
    client.on('error', () => {})
    const closed = new Promise<number>((resolve) => client.on('close', (code) => resolve(code)))
    await new Promise((resolve) => client.once('open', resolve))
    const { socket, transport } = await accepted
    const connection = new ClientConnection(socket, transport, userId, `hash-${userId}`, owner)
    hub.add(connection)
    const writes = { writev: [] as number[], write: 0 }
    const writev = transport._writev!.bind(transport)
    const write = transport._write.bind(transport)
    transport._writev = (chunks, callback) => {
      writes.writev.push(chunks.length)
      writev(chunks, callback)
    }
    transport._write = (chunk, encoding, callback) => {
      writes.write += 1
      write(chunk, encoding, callback)
    }
    const pair = { connection, transport, received, closed, writes }
    pairs.push(pair)
    return pair
  }

  let nextId = 1
  function event(type: EventType, audience: number[], data: unknown): OutgoingEvent {
    const id = nextId++
    const json = JSON.stringify({
      type,
      id,
      timestamp: new Date().toISOString(),
      timezone: 'UTC',
      data,
    })
    return { type, id, json, audience }
  }

  it('sends each socket its events complete, in order, as text frames, in one write', async () => {
    // User 1 has two devices (the hub's Set path), user 2 one, user 3 gets nothing.
    const [phone, laptop, other, bystander] = await Promise.all([
      connect(1),
      connect(1),
      connect(2),
      connect(3),
    ])
    const batch = [
      event('message_sent', [1], { text: 'first' }),
      event('message_received', [2], { text: 'für dich ✓' }),
      event('conversation_updated', [1, 2], { title: 'Ünïcode 🚀' }),
      event('message_received', [1, 2], { text: 'last' }),
    ]
    hub.deliverAll(batch)

    const expectFor = (userId: number) =>
      batch
        .filter((e) => e.audience.includes(userId))
        .map((e) => ({ text: e.json, isBinary: false }))
    for (const [pair, userId] of [
      [phone, 1],
      [laptop, 1],
      [other, 2],
    ] as const) {
      const expected = expectFor(userId)
      await waitUntil(() => pair.received.length >= expected.length, `user ${userId} frames`)
      expect(pair.received).toEqual(expected)
      // All of the batch's frames, each one chunk (framed once), left in one writev.
      expect(pair.writes).toEqual({ writev: [expected.length], write: 0 })
    }
    expect(bystander.received).toEqual([])
    expect(bystander.writes).toEqual({ writev: [], write: 0 })
    for (const pair of [phone, laptop, other]) expect(pair.transport.writableCorked).toBe(0)
  })

  it("sends what `then` sends after the batch's events, in the same write", async () => {
    const [sender, member] = await Promise.all([connect(7), connect(8)])
    const batch = [
      event('message_sent', [7], { text: 'mine' }),
      event('message_received', [8], { text: 'yours' }),
    ]
    const ack: ErrorFrame = {
      type: 'error',
      code: 'internal_error',
      message: 'after',
      client_id: 'c',
    }
    hub.deliverAll(batch, () => sender.connection.sendFrame(ack))

    await waitUntil(() => sender.received.length >= 2, 'event and ack')
    expect(sender.received).toEqual([
      { text: batch[0]!.json, isBinary: false },
      { text: JSON.stringify(ack), isBinary: false },
    ])
    // Event and ack in one writev; the member's one frame in one plain write.
    expect(sender.writes).toEqual({ writev: [2], write: 0 })
    await waitUntil(() => member.received.length >= 1, 'member event')
    expect(member.writes).toEqual({ writev: [], write: 1 })
  })

  it('closes a slow consumer with 4009 once the bytes held for it pass the limit', async () => {
    const [slow, fine] = await Promise.all([connect(5), connect(6)])
    const big = 'x'.repeat(Limits.maxBufferedBytes / 4)
    // A quarter of the limit each, but the third (which also goes to the other socket): the sixth
    // finds the limit plus headers held on the corked socket and closes it instead.
    const batch = [1, 2, 3, 4, 5, 6].map((n) =>
      event('message_received', n === 3 ? [5, 6] : [5], { n, big: n === 3 ? '' : big }),
    )
    hub.deliverAll(batch)

    expect(await slow.closed).toBe(CloseCode.SlowConsumer)
    expect(
      slow.received.map((r) => (JSON.parse(r.text) as { data: { n: number } }).data.n),
    ).toEqual([1, 2, 3, 4, 5])
    await waitUntil(() => fine.received.length === 1, 'the other socket gets its event')
    expect(fine.received).toEqual([{ text: batch[2]!.json, isBinary: false }])
    expect(fine.connection.isOpen).toBe(true)
  })
})

describe('a burst of concurrent sends through the real server', () => {
  let server: TestServer
  let admin: TestAccount
  let members: TestAccount[]
  let group: Conversation
  let sockets: { account: TestAccount; socket: WsTestClient }[]

  beforeAll(async () => {
    server = await startHarness()
    const team = await registerTeam(server.url, ['alice', 'bob', 'carol'])
    admin = team.admin
    members = team.members
    group = await createConversation(admin, members, 'Burst')
    const accounts = [admin, admin, ...members]
    sockets = await Promise.all(
      accounts.map(async (account) => ({ account, socket: await account.connect() })),
    )
  })
  afterAll(async () => {
    await Promise.all(sockets.map(({ socket }) => socket.close()))
    await server.stop()
  })

  it('reaches every recipient complete, in order and as text frames', async () => {
    const marks = sockets.map(({ socket }) => socket.mark())
    const senders = [admin, ...members]
    // Requests arriving together are committed and delivered as one batch (group commit).
    const sent = await Promise.all(
      senders.flatMap((sender, i) =>
        [0, 1, 2].map((j) => sendMessage(sender, group.id, `burst ${i}.${j} ✓`)),
      ),
    )
    for (const [index, { account, socket }] of sockets.entries()) {
      const mine = (senderId: number) => senderId === account.user.id
      const expected = sent.map((m) => ({
        type: mine(m.sender_id) ? 'message_sent' : 'message_received',
        id: m.id,
      }))
      const ofBurst = () =>
        eventsIn(socket.frames.slice(marks[index])).filter(
          (e) => e.type === 'message_sent' || e.type === 'message_received',
        )
      await waitUntil(() => ofBurst().length >= expected.length, 'all burst events')
      const got = ofBurst()
      expect(
        got.map((e) => ({ type: e.type, id: (e.data as { message: { id: number } }).message.id })),
      ).toEqual(expect.arrayContaining(expected))
      expect(got).toHaveLength(expected.length)
      const ids = got.map((e) => e.id!)
      expect(ids).toEqual([...ids].sort((a, b) => a - b))
      expect(socket.binaryFrames).toBe(0)
    }
  })
})
