import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { CloseCode } from '../../src/shared/closeCodes'
import type {
  AdminUser,
  Conversation,
  MessagePage,
  Person,
  SessionsRevoked,
  User,
} from '../../src/shared/models'
import {
  TEST_PASSWORD,
  createConversation,
  loginStatus,
  registerAdmin,
  registerMember,
  sendMessage,
  signIn as signInAgain,
  type TestAccount,
} from '../support/accounts'
import { RestClient } from '../support/restClient'
import { startHarness, type TestServer } from '../support/serverHarness'
import { trackedSockets } from '../support/trackedSockets'
import { WsTestClient, eventsIn } from '../support/wsTestClient'

/** People and roles: the admin's list, roles, deactivation and reactivation, sign-out everywhere. */
describe('people and roles', () => {
  let server: TestServer
  let anonymous: RestClient
  let admin: TestAccount
  const sockets = trackedSockets()

  beforeAll(async () => {
    server = await startHarness()
    anonymous = new RestClient(server.url)
    admin = await registerAdmin(server.url)
  })
  afterEach(() => sockets.closeAll())
  afterAll(() => server.stop())

  const signIn = (username: string) => signInAgain(server.url, username)

  async function listed(userId: number): Promise<AdminUser> {
    const list = await admin.rest.get<AdminUser[]>('/admin/users')
    const user = list.data.find((u) => u.id === userId)
    if (!user) throw new Error(`user ${userId} is not listed`)
    return user
  }

  it('lists everyone for administrators: role, state, last seen, devices signed in', async () => {
    const ann = await registerMember(admin, 'ann')
    await signIn('ann')
    const annSocket = await sockets.connect(ann)
    await annSocket.sync()

    const list = await admin.rest.get<AdminUser[]>('/admin/users')
    expect(list.status).toBe(200)
    const entry = list.data.find((u) => u.id === ann.user.id)
    expect(entry).toEqual({
      id: ann.user.id,
      username: 'ann',
      display_name: 'Ann',
      role: 'member',
      state: 'active',
      deactivated_at: null,
      created_at: expect.stringMatching(/Z$/),
      last_seen_at: expect.stringMatching(/Z$/),
      online: true,
      // Registration and the second sign-in: two devices.
      devices: 2,
    })
    expect(list.data.find((u) => u.id === admin.user.id)).toMatchObject({
      role: 'admin',
      state: 'active',
    })
  })

  it('refuses the admin routes to members (403) and to strangers (401)', async () => {
    const bea = await registerMember(admin, 'bea')
    const calls = [
      ['GET', '/admin/users'],
      ['PUT', `/admin/users/${admin.user.id}/role`, { role: 'member' }],
      ['POST', `/admin/users/${admin.user.id}/deactivate`],
      ['POST', `/admin/users/${admin.user.id}/reactivate`],
      ['POST', `/admin/users/${admin.user.id}/sessions/revoke`],
      ['POST', `/admin/users/${admin.user.id}/password-reset`],
      ['GET', '/admin/invites'],
      ['DELETE', '/admin/invites/1'],
      ['GET', '/admin/audit'],
      ['GET', '/admin/audit.csv'],
    ] as const
    for (const [method, path, body] of calls) {
      const asMember = await bea.rest.request(method, path, body)
      expect(asMember.status, `${method} ${path}`).toBe(403)
      expect(asMember.error.code).toBe('forbidden')
      expect((await anonymous.request(method, path, body)).status, `${method} ${path}`).toBe(401)
    }
    expect((await listed(admin.user.id)).role).toBe('admin')
  })

  it('answers 404 for an unknown user and 400 for a bad role or id', async () => {
    expect((await admin.rest.post('/admin/users/999999/deactivate')).status).toBe(404)
    expect((await admin.rest.put('/admin/users/999999/role', { role: 'admin' })).status).toBe(404)
    const cat = await registerMember(admin, 'cat')
    for (const body of [{ role: 'owner' }, {}, { role: 1 }, { role: null }]) {
      const refused = await admin.rest.put(`/admin/users/${cat.user.id}/role`, body)
      expect(refused.status, JSON.stringify(body)).toBe(400)
      expect(refused.error.code).toBe('invalid_request')
    }
    expect((await admin.rest.post('/admin/users/abc/deactivate')).status).toBe(400)
    expect((await listed(cat.user.id)).role).toBe('member')
  })

  it('promotes and demotes: everyone hears it, and the new role counts at once', async () => {
    const dan = await registerMember(admin, 'dan')
    const eve = await registerMember(admin, 'eve')
    const eveSocket = await sockets.connect(eve)
    const danSocket = await sockets.connect(dan)
    // A member's request before: refused.
    expect((await dan.rest.get('/admin/users')).status).toBe(403)

    const promoted = await admin.rest.put<AdminUser>(`/admin/users/${dan.user.id}/role`, {
      role: 'admin',
    })
    expect(promoted.data).toMatchObject({ id: dan.user.id, role: 'admin', state: 'active' })
    for (const socket of [eveSocket, danSocket]) {
      const event = await socket.waitForEvent('user_role_changed', {
        where: (e) => e.data.user.id === dan.user.id,
      })
      expect(event.data.user).toEqual({
        id: dan.user.id,
        username: 'dan',
        display_name: 'Dan',
        role: 'admin',
        online: true,
      })
    }
    // Dan's token is the same; the server reads his role anew.
    expect((await dan.rest.get<User>('/users/me')).data.role).toBe('admin')
    expect((await dan.rest.get('/admin/users')).status).toBe(200)

    const mark = eveSocket.mark()
    const demoted = await dan.rest.put<AdminUser>(`/admin/users/${dan.user.id}/role`, {
      role: 'member',
    })
    expect(demoted.data.role).toBe('member')
    await eveSocket.waitForEvent('user_role_changed', {
      after: mark,
      where: (e) => e.data.user.id === dan.user.id && e.data.user.role === 'member',
    })
    expect((await dan.rest.get('/admin/users')).status).toBe(403)

    // The same role again changes nothing and tells nobody.
    const before = eveSocket.mark()
    await admin.rest.put(`/admin/users/${eve.user.id}/role`, { role: 'member' })
    expect(eventsIn(await eveSocket.sync(before)).map((e) => e.type)).toEqual([])
  })

  it('deactivates: sockets closed with 4001, old tokens refused on REST and the handshake, no sign-in', async () => {
    const fay = await registerMember(admin, 'fay')
    const laptop = await signIn('fay')
    // Authenticated once before, so that the server holds the sessions in its cache.
    expect((await laptop.rest.get('/users/me')).status).toBe(200)
    const faySocket = await sockets.connect(fay)
    const laptopSocket = await sockets.connect(laptop)

    const deactivated = await admin.rest.post<AdminUser>(`/admin/users/${fay.user.id}/deactivate`)
    expect(deactivated.status).toBe(200)
    expect(deactivated.data).toMatchObject({
      id: fay.user.id,
      state: 'deactivated',
      deactivated_at: expect.stringMatching(/Z$/),
      online: false,
      devices: 0,
    })

    for (const socket of [faySocket, laptopSocket]) {
      expect(await socket.waitForClose()).toEqual({
        code: CloseCode.Unauthorized,
        reason: expect.any(String),
      })
    }
    for (const account of [fay, laptop]) {
      expect((await account.rest.get('/users/me')).status).toBe(401)
      expect((await account.rest.get('/conversations')).status).toBe(401)
      expect((await WsTestClient.expectRefusal(server.url, account.token)).statusCode).toBe(401)
    }
    // The right password is told apart only after it was checked; a wrong one is a plain 401.
    const login = await anonymous.post('/auth/login', { username: 'fay', password: TEST_PASSWORD })
    expect(login.status).toBe(403)
    expect(login.error.code).toBe('account_deactivated')
    expect(await loginStatus(server.url, 'fay', 'nope nope')).toBe(401)
    // Deactivating again changes nothing.
    const again = await admin.rest.post<AdminUser>(`/admin/users/${fay.user.id}/deactivate`)
    expect(again.data.deactivated_at).toBe(deactivated.data.deactivated_at)
  })

  it('keeps a deactivated account in history, marked, and out of presence and new conversations', async () => {
    const gil = await registerMember(admin, 'gil')
    const hal = await registerMember(admin, 'hal')
    const ivy = await registerMember(admin, 'ivy')
    const group = await createConversation(gil, [hal], 'Garden')
    const said = await sendMessage(gil, group.id, 'Tomatoes are in')
    const halSocket = await sockets.connect(hal)
    const gilSocket = await sockets.connect(gil)
    await halSocket.waitForEvent('user_online', { where: (e) => e.data.user.id === gil.user.id })

    const mark = halSocket.mark()
    await admin.rest.post(`/admin/users/${gil.user.id}/deactivate`)
    await gilSocket.waitForClose()
    const event = await halSocket.waitForEvent('user_deactivated', { after: mark })
    expect(event.data.user).toEqual({
      id: gil.user.id,
      username: 'gil',
      display_name: 'Gil',
      role: 'member',
      online: false,
      deactivated: true,
    })
    // The presence grace period over, Gil goes offline for those who shared a conversation.
    await halSocket.waitForEvent('user_offline', {
      after: mark,
      where: (e) => e.data.user.id === gil.user.id,
    })

    const people = await hal.rest.get<Person[]>('/users')
    expect(people.data.find((p) => p.id === gil.user.id)).toEqual({
      ...event.data.user,
    })
    expect(people.data.find((p) => p.id === ivy.user.id)).not.toHaveProperty('deactivated')
    // History keeps the message and the name; membership stays.
    const history = await hal.rest.get<MessagePage>(`/conversations/${group.id}/messages`)
    expect(history.data.messages).toEqual([said])
    expect(history.data.messages[0]!.sender_name).toBe('Gil')
    const conversation = await hal.rest.get<Conversation>(`/conversations/${group.id}`)
    expect(conversation.data.members.map((m) => m.user_id)).toContain(gil.user.id)

    // Nobody can bring a deactivated account into a conversation.
    const create = await hal.rest.post('/conversations', { member_ids: [gil.user.id] })
    expect(create.status).toBe(400)
    expect(create.error.message).toMatch(/deactivated/)
    const other = await createConversation(hal, [ivy], 'Shed')
    const add = await hal.rest.post(`/conversations/${other.id}/members`, {
      user_ids: [gil.user.id],
    })
    expect(add.status).toBe(400)
  })

  it('reactivates: everyone hears it and the user signs in again with their password', async () => {
    const joy = await registerMember(admin, 'joy')
    const kim = await registerMember(admin, 'kim')
    const kimSocket = await sockets.connect(kim)
    await admin.rest.post(`/admin/users/${joy.user.id}/deactivate`)
    expect(await loginStatus(server.url, 'joy', TEST_PASSWORD)).toBe(403)

    const mark = kimSocket.mark()
    const reactivated = await admin.rest.post<AdminUser>(`/admin/users/${joy.user.id}/reactivate`)
    expect(reactivated.data).toMatchObject({ state: 'active', deactivated_at: null })
    const event = await kimSocket.waitForEvent('user_reactivated', { after: mark })
    expect(event.data.user).toEqual({
      id: joy.user.id,
      username: 'joy',
      display_name: 'Joy',
      role: 'member',
      online: false,
    })
    const again = await signIn('joy')
    expect((await again.rest.get<User>('/users/me')).data.username).toBe('joy')
    // The tokens from before stay revoked.
    expect((await joy.rest.get('/users/me')).status).toBe(401)
    const socket = await sockets.connect(again)
    expect(socket.greeting.type).toBe('connection_established')
  })

  it('signs someone out everywhere without deactivating them', async () => {
    const lee = await registerMember(admin, 'lee')
    const phone = await signIn('lee')
    const leeSocket = await sockets.connect(lee)
    const phoneSocket = await sockets.connect(phone)
    const revoked = await admin.rest.post<SessionsRevoked>(
      `/admin/users/${lee.user.id}/sessions/revoke`,
    )
    expect(revoked.data).toEqual({ signed_out_sessions: 2 })
    expect((await leeSocket.waitForClose()).code).toBe(CloseCode.Unauthorized)
    expect((await phoneSocket.waitForClose()).code).toBe(CloseCode.Unauthorized)
    expect((await phone.rest.get('/users/me')).status).toBe(401)
    expect((await listed(lee.user.id)).devices).toBe(0)
    expect((await signIn('lee')).user.id).toBe(lee.user.id)
  })

  it('refuses to make a deactivated account an administrator', async () => {
    const max = await registerMember(admin, 'max')
    await admin.rest.post(`/admin/users/${max.user.id}/deactivate`)
    const refused = await admin.rest.put(`/admin/users/${max.user.id}/role`, { role: 'admin' })
    expect(refused.status).toBe(409)
    expect((await listed(max.user.id)).role).toBe('member')
  })

  it('refuses a demoted administrator whose request was already authenticated', async () => {
    const ned = await registerMember(admin, 'ned')
    const ola = await registerMember(admin, 'ola')
    await admin.rest.put(`/admin/users/${ned.user.id}/role`, { role: 'admin' })
    // Ned's session is cached as an admin's; the demotion reaches the cache through its control
    // event, and the unit itself reads the administrators again.
    expect((await ned.rest.get('/admin/users')).status).toBe(200)
    await admin.rest.put(`/admin/users/${ned.user.id}/role`, { role: 'member' })
    const refused = await ned.rest.post(`/admin/users/${ola.user.id}/deactivate`)
    expect(refused.status).toBe(403)
    expect((await listed(ola.user.id)).state).toBe('active')
  })
})

/** The organization always keeps an active administrator, also under concurrent requests. */
describe('the last active administrator', () => {
  let server: TestServer
  let root: TestAccount

  beforeAll(async () => {
    server = await startHarness()
    root = await registerAdmin(server.url, 'root')
  })
  afterAll(() => server.stop())

  async function activeAdmins(asking = root): Promise<number[]> {
    const list = await asking.rest.get<AdminUser[]>('/admin/users')
    return list.data.filter((u) => u.role === 'admin' && u.state === 'active').map((u) => u.id)
  }

  it('cannot be demoted or deactivated, by themselves or anyone', async () => {
    const demote = await root.rest.put(`/admin/users/${root.user.id}/role`, { role: 'member' })
    expect(demote.status).toBe(409)
    expect(demote.error).toEqual({ code: 'last_admin', message: expect.stringMatching(/last/) })
    const deactivate = await root.rest.post(`/admin/users/${root.user.id}/deactivate`)
    expect(deactivate.status).toBe(409)
    expect(deactivate.error.code).toBe('last_admin')
    expect(await activeAdmins()).toEqual([root.user.id])
    expect((await root.rest.get('/users/me')).status).toBe(200)

    // With a second administrator, either may step down, and then the other is the last.
    const pia = await registerMember(root, 'pia')
    await root.rest.put(`/admin/users/${pia.user.id}/role`, { role: 'admin' })
    expect(
      (await pia.rest.put(`/admin/users/${pia.user.id}/role`, { role: 'member' })).status,
    ).toBe(200)
    expect(
      (await root.rest.put(`/admin/users/${root.user.id}/role`, { role: 'member' })).status,
    ).toBe(409)
    expect(await activeAdmins()).toEqual([root.user.id])
  })

  it('of two concurrent requests that would each leave one administrator, one is refused', async () => {
    // Between rounds there is one administrator, `chief`; each round makes a second one, and the
    // two race to leave the other in charge.
    let chief = root
    for (let round = 0; round < 5; round++) {
      const x = await registerMember(chief, `xavier${round}`)
      await chief.rest.put(`/admin/users/${x.user.id}/role`, { role: 'admin' })
      // Each steps down at the same moment: alone, each would be allowed.
      const [a, b] = await Promise.all([
        chief.rest.put(`/admin/users/${chief.user.id}/role`, { role: 'member' }),
        x.rest.put(`/admin/users/${x.user.id}/role`, { role: 'member' }),
      ])
      expect([a.status, b.status].sort(), `round ${round}`).toEqual([200, 409])
      if (a.status === 200) chief = x
      expect(await activeAdmins(chief)).toEqual([chief.user.id])

      const y = await registerMember(chief, `yara${round}`)
      await chief.rest.put(`/admin/users/${y.user.id}/role`, { role: 'admin' })
      // Each deactivates the other at the same moment.
      const [c, d] = await Promise.all([
        chief.rest.post(`/admin/users/${y.user.id}/deactivate`),
        y.rest.post(`/admin/users/${chief.user.id}/deactivate`),
      ])
      const statuses = [c.status, d.status]
      expect(
        statuses.filter((status) => status === 200),
        `round ${round}`,
      ).toHaveLength(1)
      // The other was refused: its token revoked (401), or no longer an administrator (403).
      expect([401, 403]).toContain(statuses.find((status) => status !== 200))
      if (d.status === 200) chief = y
      expect(await activeAdmins(chief)).toEqual([chief.user.id])
    }
  })
})
