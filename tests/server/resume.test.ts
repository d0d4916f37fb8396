import { afterEach, describe, expect, it } from 'vitest'
import { CloseCode } from '../../src/shared/closeCodes'
import { Limits } from '../../src/shared/limits'
import type { Message, MessagePage } from '../../src/shared/models'
import type { AnyTidingsEvent } from '../../src/shared/events'
import { createConversation, nextClientId, registerTeam, sendMessage } from '../support/accounts'
import type { ServerOptions } from '../../server/config'
import { storeNotificationsWhileDown } from '../support/storedEvents'
import { startHarness, type TestServer } from '../support/serverHarness'
import { trackedSockets } from '../support/trackedSockets'
import { eventsIn } from '../support/wsTestClient'

const messageIdOf = (event: AnyTidingsEvent) =>
  (event.data as { message?: Message }).message?.id ?? null

const sockets = trackedSockets()
const connect = sockets.connect
let server: TestServer | undefined

afterEach(async () => {
  await sockets.closeAll()
  await server?.stop()
  server = undefined
})

/** True when every event's id is greater than the one before it (none doubled or reordered). */
const inIdOrder = (events: readonly AnyTidingsEvent[]) =>
  events.every((e, i) => i === 0 || e.id! > events[i - 1]!.id!)

const storeNotifications = storeNotificationsWhileDown

/** 2 KB bodies: 20,000 of them are more than the socket buffers on both ends hold. */
const LONG = 'x'.repeat(2000)

/** The event-stream connections open on the server, from its /metrics. */
async function openConnections(on: TestServer): Promise<number> {
  const text = await (await fetch(`${on.url}/metrics`)).text()
  return Number(/^tidings_connections(?:\{[^}]*\})? (\S+)$/m.exec(text)?.[1])
}

/**
 * Starts a server with admin, alice and a conversation of theirs, then stores `count`
 * notifications for alice; `since` is her position before them.
 */
async function awayWhileStored(
  title: string,
  count: number,
  body = '',
  options: ServerOptions = {},
) {
  server = await startHarness(options)
  const { admin, members } = await registerTeam(server.url, ['alice'])
  const alice = members[0]!
  const conversation = await createConversation(admin, [alice], title)
  const since = (await connect(alice)).greeting.latest_event_id
  await sockets.closeAll()
  await storeNotifications(server, alice.user.id, count, body)
  return { admin, alice, conversation, since }
}

describe('resume', () => {
  it('replays exactly the missed events in order, then replay_complete, then live events', async () => {
    server = await startHarness()
    const { admin, members } = await registerTeam(server.url, ['alice'])
    const alice = members[0]!
    const conversation = await createConversation(admin, [alice], 'Busy')

    // Alice's second device stays connected throughout: it sees the reference stream.
    const witness = await connect(alice)
    const first = await connect(alice)
    await sendMessage(admin, conversation.id, 'before the gap')
    await first.waitForEvent('message_received')
    const since = first.lastEventId()
    expect(since).toBeGreaterThan(0)
    await first.close()

    const witnessMark = witness.mark()
    const sent: Message[] = []
    for (let i = 0; i < 300; i++) sent.push(await sendMessage(admin, conversation.id, `m${i}`))
    await admin.rest.patch(`/conversations/${conversation.id}`, { title: 'Busier' })
    await admin.rest.patch(`/messages/${sent[10]!.id}`, { text: 'm10 (edited)' })
    await admin.rest.delete(`/messages/${sent[20]!.id}`)
    await witness.waitForEvent('message_deleted', { after: witnessMark })
    const reference = witness.events(witnessMark)
    expect(reference).toHaveLength(303)

    const resumed = await connect(alice, since)
    const complete = await resumed.waitForFrame('replay_complete')
    const completeIndex = resumed.frames.indexOf(complete)
    const replayed = eventsIn(resumed.frames.slice(0, completeIndex))
    expect(replayed).toEqual(reference)
    expect(replayed.slice(0, 300).map(messageIdOf)).toEqual(sent.map((m) => m.id))
    expect(new Set(replayed.map((e) => e.id)).size).toBe(replayed.length)
    expect(complete).toEqual({
      type: 'replay_complete',
      last_id: reference.at(-1)!.id,
      replayed: 303,
    })
    expect(resumed.frames[0]?.type).toBe('connection_established')
    expect(resumed.greeting.latest_event_id).toBe(reference.at(-1)!.id)

    // Live events continue after the replay, without repeats.
    const live = await sendMessage(admin, conversation.id, 'live again')
    const liveEvent = await resumed.waitForEvent('message_received', {
      after: completeIndex,
      where: (e) => e.data.message.id === live.id,
    })
    expect(liveEvent.id!).toBeGreaterThan(complete.last_id)
    expect(eventsIn(await resumed.sync(completeIndex + 1))).toEqual([liveEvent])
  }, 90_000)

  it('replays a backlog of long messages (megabytes, written in chunks) whole and in order', async () => {
    server = await startHarness()
    const { admin, members } = await registerTeam(server.url, ['alice'])
    const alice = members[0]!
    const conversation = await createConversation(admin, [alice], 'Long reads')
    const since = (await connect(alice)).greeting.latest_event_id
    const sent: Message[] = []
    for (let i = 0; i < 200; i++) {
      sent.push(await sendMessage(admin, conversation.id, `${i} ${'x'.repeat(9_000)}`))
    }

    const resumed = await connect(alice, since)
    const complete = await resumed.waitForFrame('replay_complete')
    const replayed = eventsIn(resumed.frames.slice(0, resumed.frames.indexOf(complete)))
    expect(replayed.map(messageIdOf)).toEqual(sent.map((m) => m.id))
    expect(replayed.map((e) => (e.data as { message: Message }).message.text)).toEqual(
      sent.map((m) => m.text),
    )
    expect(complete.replayed).toBe(200)
    expect(resumed.binaryFrames).toBe(0)
    // 200 sends of 9 KB one after another: as long as its neighbours' backlogs on a busy machine.
  }, 90_000)

  it('replays nothing from the newest id and asks for a resync beyond it', async () => {
    server = await startHarness()
    const { admin, members } = await registerTeam(server.url, ['alice'])
    const conversation = await createConversation(admin, members, 'Quiet')
    await sendMessage(admin, conversation.id, 'hello')
    const probe = await connect(members[0]!)
    const latest = probe.greeting.latest_event_id
    expect(latest).toBeGreaterThan(0)

    const upToDate = await connect(members[0]!, latest)
    expect(await upToDate.waitForFrame('replay_complete')).toEqual({
      type: 'replay_complete',
      last_id: latest,
      replayed: 0,
    })

    const fromZero = await connect(members[0]!, 0)
    const all = await fromZero.waitForFrame('replay_complete')
    expect(all.replayed).toBe(fromZero.events().length)
    expect(all.replayed).toBeGreaterThanOrEqual(2)

    const beyond = await connect(members[0]!, latest + 1000)
    const resync = await beyond.waitForFrame('resync_required')
    expect(resync).toMatchObject({ reason: 'unknown_position', latest_id: latest })
    expect(resync.message).toEqual(expect.any(String))
    // The stream continues live after a resync.
    const next = await sendMessage(admin, conversation.id, 'after resync')
    await beyond.waitForEvent('message_received', {
      where: (e) => e.data.message.id === next.id,
    })
    expect(beyond.frames.some((f) => f.type === 'replay_complete')).toBe(false)
  })

  it('asks for a resync when the missed events are past retention, across restarts', async () => {
    server = await startHarness()
    const { admin, members } = await registerTeam(server.url, ['alice'])
    const alice = members[0]!
    const conversation = await createConversation(admin, [alice], 'Old')
    const early = await connect(alice)
    for (let i = 0; i < 3; i++) await sendMessage(admin, conversation.id, `old ${i}`)
    const oldId = (await early.waitForCount(3, () => true)).at(0)!.id!
    const newestBefore = (await connect(alice)).greeting.latest_event_id
    await sockets.closeAll()

    // Everything older than 1 ms is pruned at start-up.
    await server.restart({ retentionMs: 1 })
    const expired = await connect(alice, oldId)
    const resync = await expired.waitForFrame('resync_required')
    expect(resync).toMatchObject({ reason: 'retention', latest_id: expect.any(Number) })
    expect(eventsIn(expired.frames)).toEqual([])

    // History itself is not subject to event retention.
    const history = (
      await alice.rest.get<MessagePage>(`/conversations/${conversation.id}/messages`)
    ).data
    expect(history.messages.map((m) => m.text)).toEqual(['old 0', 'old 1', 'old 2'])

    // Pruned once more while nobody is connected (the event log is now empty), then restarted with
    // the default retention: ids keep growing and an old position still means "retention".
    await sockets.closeAll()
    await server.restart({ retentionMs: 1 })
    await server.restart({ retentionMs: 30 * 24 * 3600_000 })
    const again = await connect(alice, oldId)
    expect((await again.waitForFrame('resync_required')).reason).toBe('retention')
    const fresh = await sendMessage(admin, conversation.id, 'new era', nextClientId())
    const event = await again.waitForEvent('message_received', {
      where: (e) => e.data.message.id === fresh.id,
    })
    expect(event.id!).toBeGreaterThan(newestBefore)
  })

  it(`replays ${Limits.maxReplayEvents} missed events, and asks for a resync (too_many) past that`, async () => {
    const { admin, alice, conversation, since } = await awayWhileStored(
      'Busy',
      Limits.maxReplayEvents,
    )
    const atLimit = await connect(alice, since)
    const complete = await atLimit.waitForFrame('replay_complete', { timeoutMs: 60_000 })
    expect(complete.replayed).toBe(Limits.maxReplayEvents)
    const replayed = atLimit.events()
    expect(replayed).toHaveLength(Limits.maxReplayEvents)
    expect(inIdOrder(replayed)).toBe(true)
    expect(replayed.at(-1)!.id).toBe(complete.last_id)
    await sockets.closeAll()

    await storeNotifications(server!, alice.user.id, 1)
    const fromLast = await connect(alice, complete.last_id)
    await fromLast.waitForFrame('replay_complete')
    const [newest] = fromLast.events()
    expect(newest).toMatchObject({ type: 'system_notification', data: { title: 'n0' } })
    const overLimit = await connect(alice, since)
    const resync = await overLimit.waitForFrame('resync_required', { timeoutMs: 60_000 })
    expect(resync).toMatchObject({ reason: 'too_many', latest_id: newest!.id })
    expect(overLimit.events()).toEqual([])
    // The stream continues live after the resync.
    const next = await sendMessage(admin, conversation.id, 'after resync')
    await overLimit.waitForEvent('message_received', {
      where: (e) => e.data.message.id === next.id,
    })
    expect(overLimit.frames.some((f) => f.type === 'replay_complete')).toBe(false)
  }, 120_000)

  it('paces a replay by the reading of the client, and replays what was sent meanwhile once', async () => {
    const { admin, alice, conversation, since } = await awayWhileStored('Backlog', 20_000, LONG)

    const slow = await connect(alice, since)
    slow.socket.pause()
    const during: Message[] = []
    for (let i = 0; i < 3; i++)
      during.push(await sendMessage(admin, conversation.id, `during ${i}`))
    slow.socket.resume()

    const complete = await slow.waitForFrame('replay_complete', { timeoutMs: 60_000 })
    const replayed = slow.events()
    // Sent while the replay waited, they come within it, after the backlog: once, in order.
    expect(replayed).toHaveLength(20_003)
    expect(complete).toMatchObject({ replayed: 20_003, last_id: replayed.at(-1)!.id })
    expect(inIdOrder(replayed)).toBe(true)
    expect(replayed.slice(-3).map(messageIdOf)).toEqual(during.map((m) => m.id))

    const after = await sendMessage(admin, conversation.id, 'after')
    const live = await slow.waitForEvent('message_received', {
      where: (e) => e.data.message.id === after.id,
    })
    expect(slow.frames.indexOf(live)).toBeGreaterThan(slow.frames.indexOf(complete))
    expect(slow.events().filter((e) => e.type === 'message_received')).toHaveLength(4)
  }, 120_000)

  it('drops a paced replay whose client stopped reading, at the heartbeat', async () => {
    const { admin, alice, since } = await awayWhileStored('Stalled', 10_000, LONG, {
      heartbeatIntervalMs: 300,
    })

    const watcher = await connect(admin)
    const mark = watcher.mark()
    // 20 MB of backlog: more than loopback's socket buffers hold (a few MB each way).
    const stalled = await connect(alice, since, { timeoutMs: 30_000 })
    stalled.socket.pause()
    // Its pings wait behind the replay, unread: the heartbeat closes it (the watcher's is the one
    // connection left) and alice goes offline. The server's count, not the event, says it was
    // closed: on PostgreSQL the presence janitor may take alice's row of the stopped node off
    // first, and a socket resumed before the heartbeat closed it would live on.
    const deadline = Date.now() + 30_000
    while ((await openConnections(server!)) > 1) {
      if (Date.now() > deadline) throw new Error('The stalled replay was not closed within 30 s')
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    // (Her online first on SQLite, whose presence a restart forgets; on PostgreSQL she was
    // online all along, her row of the stopped node standing in until she came back.)
    await watcher.waitForEvent('user_offline', {
      after: mark,
      where: (e) => e.data.user.id === alice.user.id,
      timeoutMs: 10_000,
    })
    stalled.socket.resume()
    // Terminated by the server: the close frame, if it got out at all, sat behind the backlog.
    expect([CloseCode.HeartbeatTimeout, 1006]).toContain((await stalled.closed).code)
    // The server carries on: a client that reads gets the whole backlog.
    const reader = await connect(alice, since, { timeoutMs: 30_000 })
    const complete = await reader.waitForFrame('replay_complete', { timeoutMs: 60_000 })
    expect(complete.replayed).toBe(reader.events().length)
    expect(reader.events().filter((e) => e.type === 'system_notification')).toHaveLength(10_000)
  }, 120_000)

  it('keeps a paced replay to a client that reads slowly and answers no ping: its reading is its life', async () => {
    const { alice, since } = await awayWhileStored('Slow', 10_000, LONG, {
      heartbeatIntervalMs: 1000,
    })
    // No pongs and no frames of its own: only its reading can tell the server it is there. It
    // reads about 64 KB (32 events) per 10 ms, so the 20 MB backlog takes seconds, several
    // heartbeat rounds, and the server's ping sits behind it.
    const slow = await alice.connect({ since, autoPong: false, timeoutMs: 30_000 })
    const throttle = setInterval(() => slow.socket.resume(), 10)
    let received = 0
    const readSome = () => {
      received += 1
      if (received % 32 === 0) slow.socket.pause()
    }
    slow.socket.on('message', readSome)
    try {
      const complete = await Promise.race([
        slow.waitForFrame('replay_complete', { timeoutMs: 60_000 }),
        slow.closed.then(({ code }) => {
          throw new Error(`closed with ${code} during the replay`)
        }),
      ])
      expect(complete.replayed).toBe(10_000)
      expect(slow.events()).toHaveLength(10_000)
    } finally {
      clearInterval(throttle)
      slow.socket.off('message', readSome)
      slow.socket.resume()
      await slow.close()
    }
  }, 120_000)
})

describe('restart mid-conversation', () => {
  it('closes sockets with 1001, and resuming after the restart loses and doubles nothing', async () => {
    server = await startHarness()
    const { admin, members } = await registerTeam(server.url, ['alice'])
    const alice = members[0]!
    const conversation = await createConversation(admin, [alice])
    const port = server.port

    const aliceWs = await connect(alice)
    const adminWs = await connect(admin)
    const beforeClientId = nextClientId()
    const before: Message[] = [await sendMessage(admin, conversation.id, 'one', beforeClientId)]
    before.push(await sendMessage(alice, conversation.id, 'two'))
    await aliceWs.waitForEvent('message_sent', {
      where: (e) => e.data.message.id === before[1]!.id,
    })
    const aliceSince = aliceWs.lastEventId()

    await server.close()
    expect((await aliceWs.waitForClose()).code).toBe(1001)
    expect((await adminWs.waitForClose()).code).toBe(1001)

    await server.start()
    expect(server.port).toBe(port)

    // Tokens survive; a retried send (same client_id) is recognized, not doubled.
    const retried = await admin.rest.post<Message>(`/conversations/${conversation.id}/messages`, {
      text: 'one',
      client_id: beforeClientId,
    })
    expect(retried.status).toBe(200)
    expect(retried.data).toEqual(before[0])

    // Sends continue while alice is still away; she gets them on resume.
    const during = await sendMessage(admin, conversation.id, 'three')
    const resumed = await connect(alice, aliceSince)
    const complete = await resumed.waitForFrame('replay_complete')
    // Besides the message, the replay may hold the admin's user_offline: on PostgreSQL the
    // presence janitor takes the users of the stopped node off it once the grace has passed,
    // which a slow machine reaches before this resume.
    const isMessage = (e: AnyTidingsEvent) => e.type.startsWith('message_')
    const replayed = eventsIn(resumed.frames)
    expect(replayed.filter(isMessage).map(messageIdOf)).toEqual([during.id])
    expect(replayed.filter((e) => !isMessage(e)).map((e) => e.type)).toEqual(
      replayed.filter((e) => !isMessage(e)).map(() => 'user_offline'),
    )
    expect(replayed[0]!.id!).toBeGreaterThan(aliceSince)
    expect(complete.replayed).toBe(replayed.length)

    const after = await sendMessage(admin, conversation.id, 'four')
    await resumed.waitForEvent('message_received', { where: (e) => e.data.message.id === after.id })
    const all = eventsIn(await resumed.sync(0))
    expect(all.filter(isMessage).map(messageIdOf)).toEqual([during.id, after.id])

    const history = (
      await alice.rest.get<MessagePage>(`/conversations/${conversation.id}/messages`)
    ).data
    expect(history.messages.map((m) => m.text)).toEqual(['one', 'two', 'three', 'four'])
  })
})
