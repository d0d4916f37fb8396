import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Conversation, Person } from '../../src/shared/models'
import type { AnyTidingsEvent } from '../../src/shared/events'
import {
  createConversation,
  registerTeam,
  sendMessage,
  type TestAccount,
} from '../support/accounts'
import { RestClient } from '../support/restClient'
import { startHarness, type TestServer } from '../support/serverHarness'
import { waitUntil } from '../support/waitUntil'
import { eventsIn, isEventOf, type WsTestClient } from '../support/wsTestClient'

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

function expectStrictlyIncreasing(events: AnyTidingsEvent[]): void {
  const ids = events.map((e) => e.id).filter((id): id is number => id !== null)
  for (let i = 1; i < ids.length; i++) expect(ids[i]).toBeGreaterThan(ids[i - 1]!)
}

describe('event audiences and envelope', () => {
  let server: TestServer
  let admin: TestAccount
  let alice: TestAccount
  let bob: TestAccount
  let carol: TestAccount
  let group: Conversation
  let adminPhone: WsTestClient
  let adminLaptop: WsTestClient
  let aliceWs: WsTestClient
  let bobWs: WsTestClient
  let carolWs: WsTestClient

  beforeAll(async () => {
    server = await startHarness()
    const team = await registerTeam(server.url, ['alice', 'bob', 'carol'])
    admin = team.admin
    ;[alice, bob, carol] = team.members as [TestAccount, TestAccount, TestAccount]
    group = await createConversation(admin, [alice, bob], 'Team')
    ;[adminPhone, adminLaptop, aliceWs, bobWs, carolWs] = await Promise.all([
      admin.connect(),
      admin.connect(),
      alice.connect(),
      bob.connect(),
      carol.connect(),
    ])
    // Each greeting follows its own user's online, but another socket may still be reading the
    // others' onlines: a ping on each is a barrier behind whatever was written to it.
    await Promise.all([adminPhone, adminLaptop, aliceWs, bobWs, carolWs].map((ws) => ws.sync()))
  })
  afterAll(async () => {
    await Promise.all(
      [adminPhone, adminLaptop, aliceWs, bobWs, carolWs].map((socket) => socket.close()),
    )
    await server.stop()
  })

  it('greets with connection_established', () => {
    expect(aliceWs.frames[0]).toEqual({
      type: 'connection_established',
      user_id: alice.user.id,
      timezone: 'UTC',
      message: expect.any(String),
      server_time: expect.stringMatching(ISO_UTC),
      latest_event_id: expect.any(Number),
      heartbeat_interval_ms: 30_000,
    })
    // Alice's stream already holds the conversation_created of the group.
    expect(aliceWs.greeting.latest_event_id).toBeGreaterThan(0)
  })

  it('sends message_sent to every device of the sender and message_received to the others', async () => {
    const marks = [adminPhone, adminLaptop, aliceWs, bobWs, carolWs].map((s) => s.mark())
    const message = await sendMessage(admin, group.id, 'hello team')

    const onPhone = await adminPhone.waitForEvent('message_sent', { after: marks[0] })
    const onLaptop = await adminLaptop.waitForEvent('message_sent', { after: marks[1] })
    expect(onPhone).toEqual(onLaptop)
    expect(onPhone.data).toEqual({
      conversation_id: group.id,
      conversation_title: 'Team',
      sender_name: admin.user.display_name,
      message,
      message_id: message.id,
      receiver_name: 'Team',
      message_text: 'hello team',
      platform: 'tidings',
    })
    const atAlice = await aliceWs.waitForEvent('message_received', { after: marks[2] })
    const atBob = await bobWs.waitForEvent('message_received', { after: marks[3] })
    expect(atAlice).toEqual(atBob)
    expect(atAlice.data.message).toEqual(message)
    expect(atAlice.id).not.toBe(onPhone.id)

    // Exactly one event each, and nothing for the non-member.
    const phoneEvents = eventsIn(await adminPhone.sync(marks[0]))
    expect(phoneEvents.map((e) => e.type)).toEqual(['message_sent'])
    expect(eventsIn(await adminLaptop.sync(marks[1])).map((e) => e.type)).toEqual(['message_sent'])
    expect(eventsIn(await aliceWs.sync(marks[2])).map((e) => e.type)).toEqual(['message_received'])
    expect(eventsIn(await bobWs.sync(marks[3])).map((e) => e.type)).toEqual(['message_received'])
    expect(eventsIn(await carolWs.sync(marks[4]))).toEqual([])
  })

  it('uses the envelope {type,id,timestamp,timezone,data} with UTC timestamps', async () => {
    await sendMessage(alice, group.id, 'envelope check')
    await alice.rest.patch(`/conversations/${group.id}`, { title: 'Team 2' })
    const event = await bobWs.waitForEvent('conversation_updated')
    for (const e of [...bobWs.events(), ...aliceWs.events(), ...adminPhone.events()]) {
      expect(Object.keys(e)).toEqual(['type', 'id', 'timestamp', 'timezone', 'data'])
      expect(e.timestamp).toMatch(ISO_UTC)
      expect(e.timezone).toBe('UTC')
      expect(Number.isInteger(e.id)).toBe(true)
    }
    expect(event.data.conversation.title).toBe('Team 2')
  })

  it('keeps ids strictly increasing in every user stream', async () => {
    let last = await sendMessage(alice, group.id, 'burst')
    for (let i = 0; i < 5; i++)
      last = await sendMessage(i % 2 ? bob : alice, group.id, `burst ${i}`)
    await adminLaptop.waitForEvent('message_received', {
      where: (e) => e.data.message.id === last.id,
    })
    for (const socket of [adminPhone, adminLaptop, aliceWs, bobWs]) {
      const events = socket.events()
      expect(events.length).toBeGreaterThan(5)
      expectStrictlyIncreasing(events)
    }
    expect(adminPhone.events().map((e) => e.id)).toEqual(adminLaptop.events().map((e) => e.id))
  })

  it('sends typing indicators to the other members only, live and throttled', async () => {
    const marks = [adminPhone, aliceWs, bobWs, carolWs].map((s) => s.mark())
    aliceWs.send({ type: 'typing', conversation_id: group.id, is_typing: true })
    const typing = await bobWs.waitForEvent('typing_indicator', { after: marks[2] })
    expect(typing).toEqual({
      type: 'typing_indicator',
      id: null,
      timestamp: expect.stringMatching(ISO_UTC),
      timezone: 'UTC',
      data: {
        conversation_id: group.id,
        user_id: alice.user.id,
        display_name: alice.user.display_name,
        is_typing: true,
      },
    })
    await adminPhone.waitForEvent('typing_indicator', { after: marks[0] })

    // A second "typing" within the throttle window is dropped; "stopped typing" always passes.
    aliceWs.send({ type: 'typing', conversation_id: group.id, is_typing: true })
    aliceWs.send({ type: 'typing', conversation_id: group.id, is_typing: false })
    await bobWs.waitForEvent('typing_indicator', {
      after: marks[2],
      where: (e) => !e.data.is_typing,
    })
    const atBob = eventsIn(await bobWs.sync(marks[2])).filter(isEventOf('typing_indicator'))
    expect(atBob.map((e) => e.data.is_typing)).toEqual([true, false])

    // Not echoed to the typist, not sent to non-members.
    expect(eventsIn(await aliceWs.sync(marks[1]))).toEqual([])
    expect(eventsIn(await carolWs.sync(marks[3]))).toEqual([])
  })

  it('answers typing in a conversation the user is not in with a forbidden error', async () => {
    const mark = carolWs.mark()
    carolWs.send({ type: 'typing', conversation_id: group.id, is_typing: true })
    const error = await carolWs.waitForError('forbidden', { after: mark })
    expect(error.message).toContain(String(group.id))
    const second = carolWs.mark()
    carolWs.send({ type: 'typing', conversation_id: 987_654, is_typing: true })
    await carolWs.waitForError('forbidden', { after: second })
    const bobMark = bobWs.mark()
    expect(eventsIn(await bobWs.sync(bobMark))).toEqual([])
    expect(carolWs.isOpen).toBe(true)
  })

  it('never replays typing indicators on resume', async () => {
    const since = bobWs.lastEventId()
    await bobWs.close()
    const mark = adminPhone.mark()
    aliceWs.send({ type: 'typing', conversation_id: group.id, is_typing: false })
    await adminPhone.waitForEvent('typing_indicator', {
      after: mark,
      where: (e) => e.data.user_id === alice.user.id && !e.data.is_typing,
    })
    const message = await sendMessage(alice, group.id, 'while bob was away')
    bobWs = await bob.connect({ since })
    const complete = await bobWs.waitForFrame('replay_complete')
    const replayed = bobWs.events()
    expect(replayed.map((e) => e.type)).toEqual(['message_received'])
    expect(complete).toMatchObject({ replayed: 1, last_id: replayed[0]!.id })
    expect((replayed[0]!.data as { message: { id: number } }).message.id).toBe(message.id)
  })

  it('filters live events by subscription', async () => {
    const mark = bobWs.mark()
    bobWs.send({ type: 'subscribe', event_types: ['message_received'] })
    await bobWs.sync(mark)
    await alice.rest.patch(`/conversations/${group.id}`, { title: 'Filtered' })
    const message = await sendMessage(alice, group.id, 'still delivered')
    await bobWs.waitForEvent('message_received', {
      after: mark,
      where: (e) => e.data.message.id === message.id,
    })
    expect(eventsIn(await bobWs.sync(mark)).map((e) => e.type)).toEqual(['message_received'])

    // An empty list subscribes to everything again.
    const reset = bobWs.mark()
    bobWs.send({ type: 'subscribe', event_types: [] })
    await bobWs.sync(reset)
    await alice.rest.patch(`/conversations/${group.id}`, { title: 'Unfiltered' })
    await bobWs.waitForEvent('conversation_updated', { after: reset })

    // Unknown event types are refused.
    bobWs.send({ type: 'subscribe', event_types: ['message_received', 'gossip'] })
    await bobWs.waitForError('invalid_frame', { after: reset })
  })

  it('sends system notifications to everyone, members of nothing included', async () => {
    const marks = [adminPhone, aliceWs, bobWs, carolWs].map((s) => s.mark())
    await admin.rest.post('/admin/notifications', { title: 'All hands', body: 'At noon.' })
    for (const [i, socket] of [adminPhone, aliceWs, bobWs, carolWs].entries()) {
      const event = await socket.waitForEvent('system_notification', { after: marks[i] })
      expect(event.data).toMatchObject({ kind: 'broadcast', title: 'All hands', level: 'info' })
    }
  })

  it('tells people who share a conversation about a profile change, and no one else', async () => {
    const marks = [adminPhone, aliceWs, bobWs, carolWs].map((s) => s.mark())
    await alice.rest.patch('/users/me', { display_name: 'Alice Renamed' })
    for (const [socket, mark] of [
      [adminPhone, marks[0]],
      [bobWs, marks[2]],
    ] as const) {
      const event = await socket.waitForEvent('contact_updated', { after: mark })
      expect(event.data).toMatchObject({
        user: { id: alice.user.id, display_name: 'Alice Renamed' },
      })
    }
    expect(eventsIn(await carolWs.sync(marks[3]))).toEqual([])
    expect(eventsIn(await aliceWs.sync(marks[1]))).toEqual([])
  })
})

describe('presence', () => {
  let server: TestServer
  let dave: TestAccount
  let erin: TestAccount
  let frank: TestAccount

  beforeAll(async () => {
    // A longer grace than the default harness so the quick reconnect is reliably inside it.
    server = await startHarness({ presenceGraceMs: 1_000 })
    const team = await registerTeam(server.url, ['dave', 'erin', 'frank'])
    ;[dave, erin, frank] = team.members as [TestAccount, TestAccount, TestAccount]
    await createConversation(dave, [erin])
  })
  afterAll(() => server.stop())

  const connections = async () =>
    (await new RestClient(server.url).get<{ connections: number }>('/healthz')).data.connections

  it('announces online to peers, survives a quick reconnect, then announces offline', async () => {
    const erinWs = await erin.connect()
    const frankWs = await frank.connect()
    const frankMark = frankWs.mark()
    const mark = erinWs.mark()
    let daveWs = await dave.connect()
    const online = await erinWs.waitForEvent('user_online', { after: mark })
    expect(online.data.user).toMatchObject({ id: dave.user.id, username: 'dave', online: true })
    expect(online.id).toEqual(expect.any(Number))

    // A blip: dave's only socket closes and he is back before the grace period ends.
    const before = await connections()
    await daveWs.close()
    await waitUntil(async () => (await connections()) === before - 1, 'server saw the close')
    daveWs = await dave.connect()
    expect(
      (await erin.rest.get<Person[]>('/users')).data.find((p) => p.id === dave.user.id),
    ).toMatchObject({ online: true })

    // Now he leaves for real: exactly one user_offline follows, with no flapping before it.
    await daveWs.close()
    const offline = await erinWs.waitForEvent('user_offline', { after: mark })
    expect(offline.data.user).toMatchObject({ id: dave.user.id, online: false })
    const presence = eventsIn(await erinWs.sync(mark)).filter(
      (e) => e.type === 'user_online' || e.type === 'user_offline',
    )
    expect(presence.map((e) => e.type)).toEqual(['user_online', 'user_offline'])
    expect(
      (await erin.rest.get<Person[]>('/users')).data.find((p) => p.id === dave.user.id),
    ).toMatchObject({ online: false })

    // Frank shares no conversation with dave: he heard nothing.
    expect(eventsIn(await frankWs.sync(frankMark))).toEqual([])
    await Promise.all([erinWs.close(), frankWs.close()])
  })
})

describe('heartbeat', () => {
  let server: TestServer
  afterAll(() => server.stop())

  it('keeps answering peers and drops one that ignores pings with 4010', async () => {
    server = await startHarness({ heartbeatIntervalMs: 250 })
    const { admin } = await registerTeam(server.url, [])
    const alive = await admin.connect()
    const pinged = new Promise<void>((resolve) => {
      let pings = 0
      alive.socket.on('ping', () => {
        pings += 1
        if (pings === 3) resolve()
      })
    })
    const dead = await admin.connect({ autoPong: false })
    expect(dead.greeting.heartbeat_interval_ms).toBe(250)
    expect((await dead.waitForClose()).code).toBe(4010)
    await pinged
    expect(alive.isOpen).toBe(true)
    await alive.sync()
    await alive.close()
  })
})
