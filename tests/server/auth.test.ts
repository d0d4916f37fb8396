import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import type { Branding, Person, User, AuthResult } from '../../src/shared/models'
import type { EventsInfo } from '../../src/shared/models'
import { EVENT_TYPES } from '../../src/shared/eventTypes'
import {
  TEST_PASSWORD,
  accountFrom,
  createConversation,
  registerAdmin,
  registerMember,
  registerTeam,
  sendMessage,
  type TestAccount,
} from '../support/accounts'
import { RestClient } from '../support/restClient'
import { TEST_DATABASE, onPostgres } from '../support/testDatabase'
import { startHarness, type TestServer } from '../support/serverHarness'
import { eventsIn, isEventOf } from '../support/wsTestClient'

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/

describe('health, registration, login and profile', () => {
  let server: TestServer
  let anonymous: RestClient
  let admin: TestAccount
  let bob: TestAccount

  beforeAll(async () => {
    server = await startHarness()
    anonymous = new RestClient(server.url)
  })
  afterAll(() => server.stop())

  it('answers /healthz with the database and the delivery lag', async () => {
    const response = await anonymous.get<{ ok: boolean; connections: number }>('/healthz')
    expect(response.status).toBe(200)
    expect(response.body).toEqual({
      status: 'success',
      data: {
        ok: true,
        connections: 0,
        database: TEST_DATABASE,
        ...(onPostgres ? { node: expect.stringMatching(/^[0-9a-f-]{36}$/) } : {}),
        delivered_up_to: expect.any(Number),
        delivery_lag_events: 0,
      },
    })
  })

  it('exposes Prometheus metrics: connections, commits, deliveries, replays', async () => {
    const server = await startHarness()
    onTestFinished(() => server.stop())
    const before = await fetch(`${server.url}/metrics`)
    expect(before.status).toBe(200)
    expect(before.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    const metric = (text: string, name: string) =>
      Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN)
    const text = await before.text()
    for (const name of [
      'tidings_connections',
      'tidings_delivery_lag_events',
      'tidings_events_committed_total',
      'tidings_commit_duration_seconds_count',
      'tidings_events_per_commit_count',
      'tidings_events_delivered_total',
      'tidings_replays_total',
      'process_cpu_seconds_total',
    ]) {
      expect(metric(text, name), name).not.toBeNaN()
    }
    const { admin, members } = await registerTeam(server.url, ['bob'])
    const socket = await admin.connect()
    // A conversation is an event: committed, and delivered to the admin's socket.
    await createConversation(admin, [members[0]!])
    await socket.waitForEvent('conversation_created')
    const after = await (await fetch(`${server.url}/metrics`)).text()
    expect(metric(after, 'tidings_connections')).toBe(1)
    expect(metric(after, 'tidings_events_committed_total')).toBeGreaterThan(
      metric(text, 'tidings_events_committed_total'),
    )
    expect(metric(after, 'tidings_commit_duration_seconds_count')).toBeGreaterThan(
      metric(text, 'tidings_commit_duration_seconds_count'),
    )
    await socket.close()
  })

  it('reports that the first account is needed, then makes it an administrator', async () => {
    const before = await anonymous.get('/auth/status')
    expect(before.data).toEqual({ needs_first_account: true, open_registration: false })

    const response = await anonymous.post<AuthResult>('/auth/register', {
      username: 'admin',
      password: TEST_PASSWORD,
      display_name: 'The Admin',
    })
    expect(response.status).toBe(201)
    expect(response.data.user).toEqual({
      id: expect.any(Number),
      username: 'admin',
      display_name: 'The Admin',
      role: 'admin',
    })
    expect(response.data.token).toMatch(/^[\w-]{40,}$/)
    admin = accountFrom(server.url, response.data)

    const after = await anonymous.get('/auth/status')
    expect(after.data).toEqual({ needs_first_account: false, open_registration: false })
  })

  it('refuses a second registration without a valid invite', async () => {
    const without = await anonymous.post('/auth/register', {
      username: 'mallory',
      password: TEST_PASSWORD,
    })
    expect(without.status).toBe(403)
    expect(without.error.code).toBe('forbidden')

    const bogus = await anonymous.post('/auth/register', {
      username: 'mallory',
      password: TEST_PASSWORD,
      invite_code: 'not-a-real-invite',
    })
    expect(bogus.status).toBe(403)
    expect(bogus.error.message).toMatch(/invite/i)
  })

  it('registers a member with an invite, and an invite works only once', async () => {
    const invite = await admin.rest.post<{ code: string; expires_at: string }>('/admin/invites', {})
    expect(invite.status).toBe(201)
    expect(invite.data.code).toEqual(expect.any(String))
    expect(invite.data.expires_at).toMatch(ISO_UTC)
    expect(Date.parse(invite.data.expires_at)).toBeGreaterThan(Date.now())

    const registered = await anonymous.post<AuthResult>('/auth/register', {
      username: 'bob',
      password: TEST_PASSWORD,
      invite_code: invite.data.code,
    })
    expect(registered.status).toBe(201)
    expect(registered.data.user).toMatchObject({ username: 'bob', display_name: 'bob' })
    expect(registered.data.user.role).toBe('member')
    bob = accountFrom(server.url, registered.data)

    const reused = await anonymous.post('/auth/register', {
      username: 'bobby',
      password: TEST_PASSWORD,
      invite_code: invite.data.code,
    })
    expect(reused.status).toBe(403)
  })

  it('refuses a taken username without consuming the invite', async () => {
    // No body at all is allowed: the invite gets the default lifetime of 72 hours.
    const invite = await admin.rest.post<{ code: string; expires_at: string }>('/admin/invites')
    expect(invite.status).toBe(201)
    const lifetimeHours = (Date.parse(invite.data.expires_at) - Date.now()) / 3_600_000
    expect(lifetimeHours).toBeGreaterThan(71)
    expect(lifetimeHours).toBeLessThanOrEqual(72)
    const taken = await anonymous.post('/auth/register', {
      username: 'BOB',
      password: TEST_PASSWORD,
      invite_code: invite.data.code,
    })
    expect(taken.status).toBe(409)
    expect(taken.error.code).toBe('username_taken')

    const retry = await anonymous.post<AuthResult>('/auth/register', {
      username: 'carol',
      password: TEST_PASSWORD,
      invite_code: invite.data.code,
    })
    expect(retry.status).toBe(201)
  })

  it('logs in with the right password and refuses wrong ones and unknown users alike', async () => {
    const ok = await anonymous.post<AuthResult>('/auth/login', {
      username: 'bob',
      password: TEST_PASSWORD,
    })
    expect(ok.status).toBe(200)
    expect(ok.data.user).toEqual(bob.user)
    expect(ok.data.token).not.toBe(bob.token)

    const wrong = await anonymous.post('/auth/login', { username: 'bob', password: 'wrong pass' })
    expect(wrong.status).toBe(401)
    expect(wrong.body).toEqual({
      status: 'error',
      error: { code: 'unauthorized', message: expect.any(String) },
    })

    const unknown = await anonymous.post('/auth/login', {
      username: 'nobody',
      password: TEST_PASSWORD,
    })
    expect(unknown.status).toBe(401)
    expect(unknown.error).toEqual(wrong.error)
  })

  it('returns and updates the caller profile', async () => {
    const me = await bob.rest.get<User>('/users/me')
    expect(me.status).toBe(200)
    expect(me.data).toEqual(bob.user)

    const patched = await bob.rest.patch<User>('/users/me', { display_name: '  Bobby B  ' })
    expect(patched.status).toBe(200)
    expect(patched.data).toEqual({ ...bob.user, display_name: 'Bobby B' })
    expect((await bob.rest.get<User>('/users/me')).data.display_name).toBe('Bobby B')

    for (const display_name of ['', '   ']) {
      const blank = await bob.rest.patch('/users/me', { display_name })
      expect(blank.status).toBe(400)
    }
    expect((await bob.rest.get<User>('/users/me')).data.display_name).toBe('Bobby B')
  })

  it('lists users with their online flag', async () => {
    const socket = await bob.connect()
    const people = (await admin.rest.get<Person[]>('/users')).data
    expect(people.map((p) => p.username).sort()).toEqual(['admin', 'bob', 'carol'])
    const byName = Object.fromEntries(people.map((p) => [p.username, p]))
    expect(byName.bob).toMatchObject({ id: bob.user.id, online: true, role: 'member' })
    expect(byName.admin).toMatchObject({ online: false, role: 'admin' })
    expect(byName.carol?.online).toBe(false)
    expect(people.every((p) => !('password_hash' in p))).toBe(true)
    await socket.close()
  })

  it('keeps admin routes for administrators', async () => {
    const invite = await bob.rest.post('/admin/invites', {})
    expect(invite.status).toBe(403)
    expect(invite.error.code).toBe('forbidden')
    const notify = await bob.rest.post('/admin/notifications', { title: 'Hi', body: 'x' })
    expect(notify.status).toBe(403)
    expect((await anonymous.post('/admin/invites', {})).status).toBe(401)
  })

  it('broadcasts an admin notification to every connected user', async () => {
    const adminSocket = await admin.connect()
    const bobSocket = await bob.connect()
    const sent = await admin.rest.post('/admin/notifications', {
      title: 'Maintenance',
      body: 'Tonight at ten.',
      level: 'warning',
    })
    expect(sent.status).toBe(201)
    for (const socket of [adminSocket, bobSocket]) {
      const event = await socket.waitForEvent('system_notification')
      expect(event.data).toEqual({
        kind: 'broadcast',
        title: 'Maintenance',
        body: 'Tonight at ten.',
        level: 'warning',
      })
    }
    await Promise.all([adminSocket.close(), bobSocket.close()])
  })

  it('describes the event stream to authenticated callers', async () => {
    expect((await anonymous.get('/events/')).status).toBe(401)
    const info = await bob.rest.get<EventsInfo>('/events/')
    expect(info.data.websocket_url).toBe('/events/ws/connect')
    expect(info.data.event_types).toEqual([...EVENT_TYPES])
    expect(info.data.event_types).toHaveLength(18)
  })

  it('revokes a token on logout and closes its sockets with 4001', async () => {
    const second = await anonymous.post<AuthResult>('/auth/login', {
      username: 'bob',
      password: TEST_PASSWORD,
    })
    const device = accountFrom(server.url, second.data)
    const doomed = await device.connect()
    const survivor = await bob.connect()

    const out = await device.rest.post('/auth/logout')
    expect(out.status).toBe(200)
    expect((await doomed.waitForClose()).code).toBe(4001)
    expect((await device.rest.get('/users/me')).status).toBe(401)
    expect((await device.rest.post('/auth/logout')).status).toBe(401)

    // The user's other session is untouched.
    expect((await bob.rest.get('/users/me')).status).toBe(200)
    expect(survivor.isOpen).toBe(true)
    await survivor.sync()
    await survivor.close()
  })
})

describe('branding and timezone', () => {
  let server: TestServer
  let admin: TestAccount
  let member: TestAccount
  let loner: TestAccount

  beforeAll(async () => {
    server = await startHarness()
    admin = await registerAdmin(server.url)
    member = await registerMember(admin, 'member')
    loner = await registerMember(admin, 'loner')
  })
  afterAll(() => server.stop())

  it('serves branding publicly and lets only an admin change it', async () => {
    const anonymous = new RestClient(server.url)
    const initial = await anonymous.get<Branding>('/branding')
    expect(initial.data).toEqual({ timezone: 'UTC', organization_name: 'Tidings' })
    expect((await anonymous.put('/branding', { timezone: 'Europe/Paris' })).status).toBe(401)
    const denied = await member.rest.put('/branding', { timezone: 'Europe/Paris' })
    expect(denied.status).toBe(403)
    expect((await anonymous.get<Branding>('/branding')).data.timezone).toBe('UTC')
  })

  it('rejects a zone that is not IANA', async () => {
    for (const timezone of ['Mars/Olympus', 'GMT+25', 'not a zone']) {
      const response = await admin.rest.put('/branding', { timezone })
      expect(response.status).toBe(400)
      expect(response.error.code).toBe('invalid_timezone')
      expect(response.error.message).toContain(timezone)
    }
  })

  it('announces a new zone to everyone and stamps later events with it', async () => {
    const conversation = await createConversation(admin, [member])
    const sockets = await Promise.all([admin.connect(), member.connect(), loner.connect()])
    const marks = sockets.map((s) => s.mark())

    const response = await admin.rest.put<Branding>('/branding', {
      timezone: 'America/New_York',
      organization_name: 'Acme',
    })
    expect(response.status).toBe(200)
    expect(response.data).toEqual({ timezone: 'America/New_York', organization_name: 'Acme' })

    for (const [i, socket] of sockets.entries()) {
      const event = await socket.waitForEvent('system_notification', { after: marks[i] })
      expect(event.data).toMatchObject({ kind: 'timezone_changed', timezone: 'America/New_York' })
      expect(event.timezone).toBe('America/New_York')
      expect(event.timestamp).toMatch(ISO_UTC)
    }

    const [, memberSocket] = sockets
    const message = await sendMessage(admin, conversation.id, 'after the change')
    const received = await memberSocket!.waitForEvent('message_received', {
      where: (e) => e.data.message.id === message.id,
    })
    expect(received.timezone).toBe('America/New_York')
    // Timestamps stay UTC whatever the display zone.
    expect(received.timestamp).toMatch(ISO_UTC)
    expect(received.data.message.created_at).toMatch(ISO_UTC)

    const fresh = await loner.connect()
    expect(fresh.greeting.timezone).toBe('America/New_York')
    expect((await new RestClient(server.url).get<Branding>('/branding')).data.timezone).toBe(
      'America/New_York',
    )

    // Setting the same zone again announces nothing, nor does the same name in another case,
    // which is stored in its usual case; a new zone typed in lower case is stored so too.
    const mark = fresh.mark()
    for (const timezone of ['America/New_York', 'america/new_york']) {
      const again = await admin.rest.put<Branding>('/branding', { timezone })
      expect(again.status).toBe(200)
      expect(again.data.timezone).toBe('America/New_York')
    }
    expect(eventsIn(await fresh.sync(mark)).filter(isEventOf('system_notification'))).toEqual([])
    const lowerCase = await admin.rest.put<Branding>('/branding', { timezone: 'europe/paris' })
    expect(lowerCase.data.timezone).toBe('Europe/Paris')
    const announced = await fresh.waitForEvent('system_notification', { after: mark })
    expect(announced.data.timezone).toBe('Europe/Paris')
    // An alias is kept as the admin chose it, not renamed to the one ICU prefers.
    const alias = await admin.rest.put<Branding>('/branding', { timezone: 'Asia/Kolkata' })
    expect(alias.data.timezone).toBe('Asia/Kolkata')

    await Promise.all([...sockets, fresh].map((s) => s.close()))
  })
})

describe('open registration', () => {
  let server: TestServer
  afterAll(() => server.stop())

  it('lets anyone register as a member without an invite', async () => {
    server = await startHarness({ openRegistration: true })
    const anonymous = new RestClient(server.url)
    expect((await anonymous.get('/auth/status')).data).toEqual({
      needs_first_account: true,
      open_registration: true,
    })
    await registerAdmin(server.url)
    const second = await anonymous.post<AuthResult>('/auth/register', {
      username: 'walkin',
      password: TEST_PASSWORD,
    })
    expect(second.status).toBe(201)
    expect(second.data.user.role).toBe('member')
  })
})

describe('login rate limit', () => {
  let server: TestServer
  afterAll(() => server.stop())

  it('answers 429 in the error envelope after too many attempts for one username', async () => {
    server = await startHarness({ authAttemptsPerMinute: 3 })
    const admin = await registerAdmin(server.url)
    await registerMember(admin, 'target')
    const anonymous = new RestClient(server.url)
    for (let i = 0; i < 3; i++) {
      const attempt = await anonymous.post('/auth/login', {
        username: 'target',
        password: 'wrong pass',
      })
      expect(attempt.status).toBe(401)
    }
    const limited = await anonymous.post('/auth/login', {
      username: 'target',
      password: TEST_PASSWORD,
    })
    expect(limited.status).toBe(429)
    expect(limited.headers.get('content-type')).toMatch(/application\/json/)
    expect(limited.body).toEqual({
      status: 'error',
      error: { code: 'rate_limited', message: expect.stringMatching(/try again/i) },
    })

    // The limit is per username: another account still signs in.
    const other = await anonymous.post('/auth/login', {
      username: 'admin',
      password: TEST_PASSWORD,
    })
    expect(other.status).toBe(200)
  })
})
