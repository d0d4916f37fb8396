import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { Limits } from '../../src/shared/limits'
import type { AuthResult, Conversation, MessagePage } from '../../src/shared/models'
import {
  accountFrom,
  createConversation,
  nextClientId,
  registerTeam,
  sendMessage,
  TEST_PASSWORD,
  type TestAccount,
} from '../support/accounts'
import { RestClient } from '../support/restClient'
import { startHarness, type TestServer } from '../support/serverHarness'
import { trackedSockets } from '../support/trackedSockets'
import { eventsIn, isEventOf, isPresence, WsTestClient } from '../support/wsTestClient'

const ERROR = (code: string) => ({ status: 'error', error: { code, message: expect.any(String) } })

describe('authorization', () => {
  let server: TestServer
  let admin: TestAccount
  let alice: TestAccount
  let bob: TestAccount
  let carol: TestAccount
  let dave: TestAccount
  const sockets = trackedSockets()

  beforeAll(async () => {
    server = await startHarness()
    const team = await registerTeam(server.url, ['alice', 'bob', 'carol', 'dave'])
    admin = team.admin
    ;[alice, bob, carol, dave] = team.members as [
      TestAccount,
      TestAccount,
      TestAccount,
      TestAccount,
    ]
  })
  afterEach(async () => {
    await sockets.closeAll()
  })
  afterAll(async () => {
    await server.stop()
  })

  it('refuses every conversation route to a non-member with 403 and to an unknown id with 404', async () => {
    const group = await createConversation(alice, [bob], 'Private')
    const m = await sendMessage(alice, group.id, 'secret')
    const calls: [string, string, unknown?][] = [
      ['GET', `/conversations/:id`],
      ['GET', `/conversations/:id/messages`],
      ['POST', `/conversations/:id/messages`, { text: 'hi', client_id: nextClientId() }],
      ['PATCH', `/conversations/:id`, { title: 'hijack' }],
      ['POST', `/conversations/:id/members`, { user_ids: [carol.user.id] }],
      ['DELETE', `/conversations/:id/members/${bob.user.id}`],
      ['POST', `/conversations/:id/receipts`, { kind: 'read', up_to_message_id: m.id }],
    ]
    for (const [method, path, body] of calls) {
      const forbidden = await carol.rest.request(
        method,
        path.replace(':id', String(group.id)),
        body,
      )
      expect(forbidden.status, `${method} ${path}`).toBe(403)
      expect(forbidden.body).toEqual(ERROR('forbidden'))
      const missing = await carol.rest.request(method, path.replace(':id', '999999'), body)
      expect(missing.status, `${method} ${path} unknown`).toBe(404)
      expect(missing.body).toEqual(ERROR('not_found'))
    }
    // Nothing changed.
    const seen = (await alice.rest.get<Conversation>(`/conversations/${group.id}`)).data
    expect(seen.title).toBe('Private')
    expect(seen.members.map((x) => x.user_id).sort()).toEqual([alice.user.id, bob.user.id].sort())
    const history = (await alice.rest.get<MessagePage>(`/conversations/${group.id}/messages`)).data
    expect(history.messages.map((x) => x.text)).toEqual(['secret'])
    // Listing does not reveal it.
    const list = (await carol.rest.get<Conversation[]>('/conversations')).data
    expect(list.map((c) => c.id)).not.toContain(group.id)
  })

  it('lets only the sender edit/delete a message; outsiders get 404', async () => {
    const group = await createConversation(alice, [bob], 'Edits')
    const m = await sendMessage(alice, group.id, 'mine')
    const asMember = await bob.rest.patch(`/messages/${m.id}`, { text: 'bob was here' })
    expect(asMember.status).toBe(403)
    expect((await bob.rest.delete(`/messages/${m.id}`)).status).toBe(403)
    const asOutsider = await carol.rest.patch(`/messages/${m.id}`, { text: 'carol' })
    expect(asOutsider.status).toBe(404)
    expect((await carol.rest.delete(`/messages/${m.id}`)).status).toBe(404)
    // Even an admin who is not a member cannot touch it.
    expect((await admin.rest.delete(`/messages/${m.id}`)).status).toBe(404)
    const history = (await alice.rest.get<MessagePage>(`/conversations/${group.id}/messages`)).data
    expect(history.messages[0]).toMatchObject({ text: 'mine', edited_at: null, deleted_at: null })
  })

  it('keeps admin routes for administrators only', async () => {
    expect((await alice.rest.post('/admin/invites', {})).status).toBe(403)
    expect((await alice.rest.post('/admin/notifications', { title: 'x', body: 'y' })).status).toBe(
      403,
    )
    expect((await alice.rest.put('/branding', { timezone: 'Asia/Tokyo' })).status).toBe(403)
    const branding = await new RestClient(server.url).get<{ timezone: string }>('/branding')
    expect(branding.data.timezone).toBe('UTC')
  })

  it('lets a plain member remove only themselves; creator and admin may remove others', async () => {
    const group = await createConversation(alice, [bob, carol, dave], 'Removals')
    // bob (member, not creator) removes carol: refused
    const refused = await bob.rest.delete(`/conversations/${group.id}/members/${carol.user.id}`)
    expect(refused.status).toBe(403)
    // bob leaves
    expect(
      (await bob.rest.delete(`/conversations/${group.id}/members/${bob.user.id}`)).status,
    ).toBe(200)
    // alice (creator) removes carol
    expect(
      (await alice.rest.delete(`/conversations/${group.id}/members/${carol.user.id}`)).status,
    ).toBe(200)
    // unknown member → 404
    expect(
      (await alice.rest.delete(`/conversations/${group.id}/members/${carol.user.id}`)).status,
    ).toBe(404)
    // bob, no longer a member, cannot remove dave
    expect(
      (await bob.rest.delete(`/conversations/${group.id}/members/${dave.user.id}`)).status,
    ).toBe(403)
  })

  it('refuses send_message and typing over the socket to non-members', async () => {
    const group = await createConversation(alice, [bob], 'WS authz')
    const carolWs = await sockets.connect(carol)
    const bobWs = await sockets.connect(bob)
    const bobMark = bobWs.mark()
    let mark = carolWs.mark()
    carolWs.send({ type: 'send_message', conversation_id: group.id, text: 'x', client_id: 'ws-1' })
    const e1 = await carolWs.waitForError('forbidden', { after: mark })
    expect(e1.client_id).toBe('ws-1')
    mark = carolWs.mark()
    carolWs.send({ type: 'send_message', conversation_id: 987654, text: 'x', client_id: 'ws-2' })
    const e2 = await carolWs.waitForError('not_found', { after: mark })
    expect(e2.client_id).toBe('ws-2')
    mark = carolWs.mark()
    carolWs.send({ type: 'typing', conversation_id: group.id, is_typing: true })
    await carolWs.waitForError('forbidden', { after: mark })
    expect(eventsIn(await bobWs.sync(bobMark))).toEqual([])
    const history = (await bob.rest.get<MessagePage>(`/conversations/${group.id}/messages`)).data
    expect(history.messages).toEqual([])
  })

  it('cuts a removed member off: no live events, no history, no sends, no typing', async () => {
    const group = await createConversation(alice, [bob, carol], 'Cut off')
    await sendMessage(alice, group.id, 'before')
    const carolWs = await sockets.connect(carol)
    const since = carolWs.greeting.latest_event_id
    const mark = carolWs.mark()
    const removed = await alice.rest.delete(`/conversations/${group.id}/members/${carol.user.id}`)
    expect(removed.status).toBe(200)
    const last = await carolWs.waitForEvent('conversation_updated', {
      after: mark,
      where: (e) => e.data.removed === true,
    })
    expect(last.data.conversation.members.map((x) => x.user_id)).not.toContain(carol.user.id)
    const afterRemoval = carolWs.mark()

    const m = await sendMessage(alice, group.id, 'after')
    await alice.rest.patch(`/messages/${m.id}`, { text: 'after, edited' })
    await alice.rest.patch(`/conversations/${group.id}`, { title: 'Cut off 2' })
    await bob.rest.post(`/conversations/${group.id}/receipts`, {
      kind: 'read',
      up_to_message_id: m.id,
    })
    const aliceWs = await sockets.connect(alice)
    aliceWs.send({ type: 'typing', conversation_id: group.id, is_typing: true })
    await alice.rest.delete(`/messages/${m.id}`)
    expect(eventsIn(await carolWs.sync(afterRemoval))).toEqual([])

    // REST is closed to her
    expect((await carol.rest.get(`/conversations/${group.id}`)).status).toBe(403)
    expect((await carol.rest.get(`/conversations/${group.id}/messages`)).status).toBe(403)
    const send = await carol.rest.post(`/conversations/${group.id}/messages`, {
      text: 'let me back',
      client_id: nextClientId(),
    })
    expect(send.status).toBe(403)
    const list = (await carol.rest.get<Conversation[]>('/conversations')).data
    expect(list.map((c) => c.id)).not.toContain(group.id)
    // WS too
    const wsMark = carolWs.mark()
    carolWs.send({ type: 'typing', conversation_id: group.id, is_typing: true })
    await carolWs.waitForError('forbidden', { after: wsMark })

    // Resume from before the removal: only up to the removal copy.
    const resumed = await sockets.connect(carol, since)
    const complete = await resumed.waitForFrame('replay_complete')
    // Presence is not the subject: Carol still shares earlier tests' conversations with Bob, whose
    // sockets of the test before may be announced offline after `since` (on PostgreSQL the
    // presence janitor may take its time).
    const replayed = eventsIn(resumed.frames.slice(0, resumed.frames.indexOf(complete))).filter(
      (e) => e.type !== 'user_online' && e.type !== 'user_offline',
    )
    expect(replayed.map((e) => e.type)).toEqual(['conversation_updated'])
    expect(replayed[0]).toEqual(last)
  })

  it("refuses a removed member's typing without counting it against the connection", async () => {
    // The client may type on for a moment before the news of its removal reaches it: each refusal
    // is answered, and more of them than the violation limit still leave the connection open.
    const group = await createConversation(alice, [bob, carol], 'Typing after removal')
    const carolWs = await sockets.connect(carol)
    await alice.rest.delete(`/conversations/${group.id}/members/${carol.user.id}`)
    const mark = carolWs.mark()
    const refusals = Limits.maxViolations + 2
    for (let i = 0; i < refusals; i++) {
      carolWs.send({ type: 'typing', conversation_id: group.id, is_typing: i % 2 === 0 })
    }
    const answers = await carolWs.sync(mark)
    expect(answers.filter((f) => f.type === 'error' && f.code === 'forbidden')).toHaveLength(
      refusals,
    )
    expect(carolWs.isOpen).toBe(true)
  })

  it('re-joining gives conversation_created and nothing of the gap, live or on resume', async () => {
    const group = await createConversation(alice, [bob, carol], 'Rejoin')
    const carolWs = await sockets.connect(carol)
    const since = carolWs.greeting.latest_event_id
    await alice.rest.delete(`/conversations/${group.id}/members/${carol.user.id}`)
    await sendMessage(alice, group.id, 'gap message')
    await alice.rest.post(`/conversations/${group.id}/members`, { user_ids: [carol.user.id] })
    const m = await sendMessage(alice, group.id, 'welcome back')
    await carolWs.waitForEvent('message_received', { where: (e) => e.data.message.id === m.id })
    // Presence comes and goes with the sockets of the tests before (their grace period ends
    // meanwhile): only the conversation's events are this test's.
    const live = eventsIn(await carolWs.sync(0)).filter((e) => !isPresence(e))
    expect(live.map((e) => e.type)).toEqual([
      'conversation_updated',
      'conversation_created',
      'message_received',
    ])
    const resumed = await sockets.connect(carol, since)
    const complete = await resumed.waitForFrame('replay_complete')
    expect(
      eventsIn(resumed.frames.slice(0, resumed.frames.indexOf(complete))).filter(
        (e) => !isPresence(e),
      ),
    ).toEqual(live)
  })

  it('logout closes only that token\u2019s sockets with 4001 and the token stops working', async () => {
    const anonymous = new RestClient(server.url)
    const login = await anonymous.post<AuthResult>('/auth/login', {
      username: 'dave',
      password: TEST_PASSWORD,
    })
    const device = accountFrom(server.url, login.data)
    const doomed1 = await device.connect()
    const doomed2 = await device.connect()
    const survivor = await sockets.connect(dave)
    expect((await device.rest.post('/auth/logout')).status).toBe(200)
    expect((await doomed1.waitForClose()).code).toBe(4001)
    expect((await doomed2.waitForClose()).code).toBe(4001)
    expect(survivor.isOpen).toBe(true)
    const refusal = await WsTestClient.expectRefusal(server.url, device.token)
    expect(refusal.statusCode).toBe(401)
    expect((await device.rest.get('/conversations')).status).toBe(401)
  })

  it('a removed member does not get presence of people they no longer share a conversation with', async () => {
    // dave and bob share only this conversation
    const fresh = await registerTeamMember('erin')
    const group = await createConversation(alice, [fresh, dave], 'Presence')
    const daveWs = await sockets.connect(dave)
    const aliceWs = await sockets.connect(alice)
    await alice.rest.delete(`/conversations/${group.id}/members/${dave.user.id}`)
    const mark = daveWs.mark()
    const aliceMark = aliceWs.mark()
    const erinWs = await fresh.connect()
    await erinWs.sync()
    await erinWs.close()
    // Alice, who still shares the conversation, sees erin go offline after the grace period;
    // the same delivery would have reached dave.
    await aliceWs.waitForEvent('user_offline', {
      after: aliceMark,
      where: (e) => e.data.user.id === fresh.user.id,
    })
    const got = eventsIn(await daveWs.sync(mark)).filter(
      (e) => isEventOf('user_online')(e) || isEventOf('user_offline')(e),
    )
    expect(got).toEqual([])
  })

  async function registerTeamMember(username: string): Promise<TestAccount> {
    const invite = await admin.rest.post<{ code: string }>('/admin/invites', {})
    const response = await new RestClient(server.url).post<AuthResult>('/auth/register', {
      username,
      password: TEST_PASSWORD,
      invite_code: invite.data.code,
    })
    return accountFrom(server.url, response.data)
  }
})
