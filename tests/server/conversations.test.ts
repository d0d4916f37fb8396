import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Conversation } from '../../src/shared/models'
import { registerTeam, sendMessage, type TestAccount } from '../support/accounts'
import { startHarness, type TestServer } from '../support/serverHarness'
import { eventsIn, type WsTestClient } from '../support/wsTestClient'

describe('conversations', () => {
  let server: TestServer
  let admin: TestAccount
  let alice: TestAccount
  let bob: TestAccount
  let carol: TestAccount
  const sockets: WsTestClient[] = []
  let adminWs: WsTestClient
  let aliceWs: WsTestClient
  let bobWs: WsTestClient
  let carolWs: WsTestClient
  let direct: Conversation
  let group: Conversation

  beforeAll(async () => {
    server = await startHarness()
    const team = await registerTeam(server.url, ['alice', 'bob', 'carol'])
    admin = team.admin
    ;[alice, bob, carol] = team.members as [TestAccount, TestAccount, TestAccount]
    sockets.push(
      ...(await Promise.all([admin.connect(), alice.connect(), bob.connect(), carol.connect()])),
    )
    ;[adminWs, aliceWs, bobWs, carolWs] = sockets as [
      WsTestClient,
      WsTestClient,
      WsTestClient,
      WsTestClient,
    ]
  })
  afterAll(async () => {
    await Promise.all(sockets.map((s) => s.close()))
    await server.stop()
  })

  it('creates a direct conversation and tells only its members', async () => {
    const marks = sockets.map((s) => s.mark())
    const response = await admin.rest.post<Conversation>('/conversations', {
      member_ids: [alice.user.id],
    })
    expect(response.status).toBe(201)
    direct = response.data
    expect(direct).toMatchObject({
      kind: 'direct',
      title: null,
      platform: 'tidings',
      created_by: admin.user.id,
      last_message: null,
      unread_count: 0,
    })
    expect(direct.members.map((m) => m.user_id).sort()).toEqual(
      [admin.user.id, alice.user.id].sort(),
    )
    expect(direct.members[0]).toMatchObject({ last_read_message_id: 0 })

    for (const [socket, mark] of [
      [adminWs, marks[0]],
      [aliceWs, marks[1]],
    ] as const) {
      const event = await socket.waitForEvent('conversation_created', { after: mark })
      expect(event.data.change).toBe('created')
      expect(event.data.conversation.id).toBe(direct.id)
    }
    expect(eventsIn(await bobWs.sync(marks[2]))).toEqual([])
    expect(eventsIn(await carolWs.sync(marks[3]))).toEqual([])
  })

  it('reuses the direct conversation of the same two people (200, no event)', async () => {
    const marks = [adminWs.mark(), aliceWs.mark()]
    const again = await admin.rest.post<Conversation>('/conversations', {
      member_ids: [alice.user.id, admin.user.id],
    })
    expect(again.status).toBe(200)
    expect(again.data.id).toBe(direct.id)
    const fromOtherSide = await alice.rest.post<Conversation>('/conversations', {
      member_ids: [admin.user.id],
    })
    expect(fromOtherSide.status).toBe(200)
    expect(fromOtherSide.data.id).toBe(direct.id)
    expect(eventsIn(await adminWs.sync(marks[0]))).toEqual([])
    expect(eventsIn(await aliceWs.sync(marks[1]))).toEqual([])
  })

  it('creates a titled group and refuses unknown members', async () => {
    const response = await alice.rest.post<Conversation>('/conversations', {
      member_ids: [bob.user.id, admin.user.id],
      title: 'Project',
    })
    expect(response.status).toBe(201)
    group = response.data
    expect(group).toMatchObject({ kind: 'group', title: 'Project', created_by: alice.user.id })
    expect(group.members).toHaveLength(3)
    await bobWs.waitForEvent('conversation_created', {
      where: (e) => e.data.conversation.id === group.id,
    })

    const unknown = await alice.rest.post('/conversations', { member_ids: [99_999] })
    expect(unknown.status).toBe(400)
    expect(unknown.error.message).toContain('99999')
    const missing = await alice.rest.post('/conversations', { title: 'x' })
    expect(missing.status).toBe(400)
  })

  it('lists the caller conversations, newest activity first', async () => {
    let list = (await admin.rest.get<Conversation[]>('/conversations')).data
    expect(list.map((c) => c.id)).toEqual([group.id, direct.id])
    await sendMessage(alice, direct.id, 'bump')
    list = (await admin.rest.get<Conversation[]>('/conversations')).data
    expect(list.map((c) => c.id)).toEqual([direct.id, group.id])
    expect(list[0]!.last_message?.text).toBe('bump')
    expect(list[0]!.updated_at).toBe(list[0]!.last_message!.created_at)
    expect(list[0]!.unread_count).toBe(1)
    // A change to the conversation itself counts as activity too.
    await admin.rest.patch(`/conversations/${group.id}`, { title: 'Renamed' })
    list = (await admin.rest.get<Conversation[]>('/conversations')).data
    expect(list.map((c) => c.id)).toEqual([group.id, direct.id])
    expect(list[0]!.updated_at > list[1]!.updated_at).toBe(true)
    const carolList = (await carol.rest.get<Conversation[]>('/conversations')).data
    expect(carolList).toEqual([])
  })

  it('gets a conversation for members only', async () => {
    const got = await bob.rest.get<Conversation>(`/conversations/${group.id}`)
    expect(got.status).toBe(200)
    expect(got.data.id).toBe(group.id)
    const forbidden = await carol.rest.get(`/conversations/${group.id}`)
    expect(forbidden.status).toBe(403)
    expect(forbidden.error.code).toBe('forbidden')
    const missing = await bob.rest.get('/conversations/424242')
    expect(missing.status).toBe(404)
    expect(missing.error.code).toBe('not_found')
    expect((await bob.rest.get('/conversations/abc')).status).toBe(400)
  })

  it('renames for members and tells every member', async () => {
    const marks = [aliceWs.mark(), bobWs.mark(), adminWs.mark(), carolWs.mark()]
    const renamed = await bob.rest.patch<Conversation>(`/conversations/${group.id}`, {
      title: 'Project X',
    })
    expect(renamed.status).toBe(200)
    expect(renamed.data.title).toBe('Project X')
    for (const [socket, mark] of [
      [aliceWs, marks[0]],
      [bobWs, marks[1]],
      [adminWs, marks[2]],
    ] as const) {
      const event = await socket.waitForEvent('conversation_updated', { after: mark })
      expect(event.data).toMatchObject({ change: 'renamed', conversation: { title: 'Project X' } })
    }
    expect(eventsIn(await carolWs.sync(marks[3]))).toEqual([])

    expect((await carol.rest.patch(`/conversations/${group.id}`, { title: 'Mine' })).status).toBe(
      403,
    )
    expect((await bob.rest.patch('/conversations/424242', { title: 'Nope' })).status).toBe(404)
    expect((await bob.rest.patch(`/conversations/${group.id}`, { title: '' })).status).toBe(400)
    const blank = await bob.rest.patch(`/conversations/${group.id}`, { title: '   ' })
    expect(blank.status).toBe(400)
    expect(blank.error.message).toMatch(/blank/)
  })

  it('adds members to a group: the newcomer gets conversation_created, the rest an update', async () => {
    const marks = [carolWs.mark(), bobWs.mark()]
    const added = await bob.rest.post<Conversation>(`/conversations/${group.id}/members`, {
      user_ids: [carol.user.id, bob.user.id],
    })
    expect(added.status).toBe(200)
    expect(added.data.members.map((m) => m.user_id)).toContain(carol.user.id)
    expect(added.data.members).toHaveLength(4)

    const created = await carolWs.waitForEvent('conversation_created', { after: marks[0] })
    expect(created.data).toMatchObject({
      change: 'members_added',
      conversation: { id: group.id },
    })
    const updated = await bobWs.waitForEvent('conversation_updated', { after: marks[1] })
    expect(updated.data.change).toBe('members_added')

    const toDirect = await admin.rest.post(`/conversations/${direct.id}/members`, {
      user_ids: [bob.user.id],
    })
    expect(toDirect.status).toBe(400)
    const byOutsider = await carol.rest.post(`/conversations/${direct.id}/members`, {
      user_ids: [carol.user.id],
    })
    expect(byOutsider.status).toBe(403)
    expect(
      (await bob.rest.post(`/conversations/${group.id}/members`, { user_ids: [] })).status,
    ).toBe(400)
  })

  it('removes members: only the creator or an admin removes others', async () => {
    const denied = await bob.rest.delete(`/conversations/${group.id}/members/${carol.user.id}`)
    expect(denied.status).toBe(403)
    expect(
      (await carol.rest.delete(`/conversations/${direct.id}/members/${admin.user.id}`)).status,
    ).toBe(403)

    const marks = [bobWs.mark(), aliceWs.mark(), carolWs.mark()]
    const removed = await alice.rest.delete<Conversation>(
      `/conversations/${group.id}/members/${bob.user.id}`,
    )
    expect(removed.status).toBe(200)
    expect(removed.data.members.map((m) => m.user_id)).not.toContain(bob.user.id)

    const bobEvent = await bobWs.waitForEvent('conversation_updated', { after: marks[0] })
    expect(bobEvent.data).toMatchObject({ change: 'members_removed', removed: true })
    const aliceEvent = await aliceWs.waitForEvent('conversation_updated', { after: marks[1] })
    expect(aliceEvent.data.change).toBe('members_removed')
    expect(aliceEvent.data.removed).toBeUndefined()

    // After removal bob hears nothing more from the conversation and cannot read it.
    const afterRemoval = bobWs.mark()
    await sendMessage(alice, group.id, 'bob is gone')
    await alice.rest.patch(`/conversations/${group.id}`, { title: 'Without Bob' })
    await carolWs.waitForEvent('message_received', { after: marks[2] })
    expect(eventsIn(await bobWs.sync(afterRemoval))).toEqual([])
    expect((await bob.rest.get(`/conversations/${group.id}`)).status).toBe(403)
    expect((await bob.rest.get(`/conversations/${group.id}/messages`)).status).toBe(403)
    expect(
      (await bob.rest.get<Conversation[]>('/conversations')).data.map((c) => c.id),
    ).not.toContain(group.id)

    // A member may leave on their own; removing a non-member is 404.
    const left = await carol.rest.delete(`/conversations/${group.id}/members/${carol.user.id}`)
    expect(left.status).toBe(200)
    const again = await alice.rest.delete(`/conversations/${group.id}/members/${bob.user.id}`)
    expect(again.status).toBe(404)
    // An admin may remove someone from a conversation they belong to but did not create.
    const byAdmin = await admin.rest.post<Conversation>(`/conversations/${group.id}/members`, {
      user_ids: [bob.user.id],
    })
    expect(byAdmin.status).toBe(200)
    const adminRemoves = await admin.rest.delete(
      `/conversations/${group.id}/members/${bob.user.id}`,
    )
    expect(adminRemoves.status).toBe(200)
  })

  it('keeps a direct conversation between two people and untitled: no rename, nobody removed', async () => {
    const marks = [adminWs.mark(), aliceWs.mark()]
    for (const account of [admin, alice]) {
      const renamed = await account.rest.patch(`/conversations/${direct.id}`, { title: 'Ours' })
      expect(renamed.status).toBe(400)
      expect(renamed.error.code).toBe('invalid_request')
      expect(renamed.error.message).toMatch(/direct conversation has no title/)
    }
    // Its creator, an admin too, cannot take the other person out of it.
    const removed = await admin.rest.delete(`/conversations/${direct.id}/members/${alice.user.id}`)
    expect(removed.status).toBe(400)
    expect(removed.error.code).toBe('invalid_request')
    // An outsider still learns nothing beyond 403.
    expect((await carol.rest.patch(`/conversations/${direct.id}`, { title: 'x' })).status).toBe(403)
    const unchanged = await admin.rest.get<Conversation>(`/conversations/${direct.id}`)
    expect(unchanged.data).toMatchObject({ kind: 'direct', title: null })
    expect(unchanged.data.members).toHaveLength(2)
    expect(eventsIn(await adminWs.sync(marks[0]))).toEqual([])
    expect(eventsIn(await aliceWs.sync(marks[1]))).toEqual([])

    // Each member may still leave it, which drops it from their list.
    const left = await alice.rest.delete(`/conversations/${direct.id}/members/${alice.user.id}`)
    expect(left.status).toBe(200)
    expect(
      (await alice.rest.get<Conversation[]>('/conversations')).data.map((c) => c.id),
    ).not.toContain(direct.id)
  })
})
