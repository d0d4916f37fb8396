import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { PasswordChanged, SessionsRevoked, User } from '../../src/shared/models'
import {
  TEST_PASSWORD,
  loginStatus as statusOfLogin,
  registerAdmin,
  registerMember,
  signIn as signInAgain,
  type TestAccount,
} from '../support/accounts'
import { RestClient } from '../support/restClient'
import { startHarness, type TestServer } from '../support/serverHarness'
import { trackedSockets } from '../support/trackedSockets'
import { WsTestClient } from '../support/wsTestClient'

const NEW_PASSWORD = 'a brand new secret'
/** Low, so that the rate limit test stays short; every other test stays below it per user. */
const ATTEMPTS_PER_MINUTE = 4

describe('POST /users/me/password and /users/me/sessions/revoke-others', () => {
  let server: TestServer
  let anonymous: RestClient
  let admin: TestAccount
  const sockets = trackedSockets()

  beforeAll(async () => {
    server = await startHarness({ authAttemptsPerMinute: ATTEMPTS_PER_MINUTE })
    anonymous = new RestClient(server.url)
    admin = await registerAdmin(server.url)
  })
  afterEach(() => sockets.closeAll())
  afterAll(() => server.stop())

  /** Another session (device) of an existing user, by logging in again. */
  const signIn = (username: string) => signInAgain(server.url, username)
  const loginStatus = (username: string, password: string) =>
    statusOfLogin(server.url, username, password)

  it('changes the password and signs out every other session of the user at once', async () => {
    const alice = await registerMember(admin, 'alice')
    const bob = await registerMember(admin, 'bob')
    const laptop = await signIn('alice')
    // Authenticated once before the change, so that the server holds it in its session cache.
    expect((await laptop.rest.get<User>('/users/me')).status).toBe(200)
    const laptopSocket = await sockets.connect(laptop)
    const aliceSocket = await sockets.connect(alice)
    const bobSocket = await sockets.connect(bob)

    const changed = await alice.rest.post<PasswordChanged>('/users/me/password', {
      current_password: TEST_PASSWORD,
      new_password: NEW_PASSWORD,
    })
    expect(changed.status).toBe(200)
    expect(changed.data).toEqual({ changed: true, signed_out_sessions: 1 })

    // The other session: its socket is closed as after a logout, and it is refused at once.
    expect((await laptopSocket.waitForClose()).code).toBe(4001)
    expect((await laptop.rest.get('/users/me')).status).toBe(401)
    expect((await WsTestClient.expectRefusal(server.url, laptop.token)).statusCode).toBe(401)

    // The session that changed it goes on: REST, its open socket and a new socket.
    expect((await alice.rest.get<User>('/users/me')).data.username).toBe('alice')
    await aliceSocket.sync()
    expect(aliceSocket.isOpen).toBe(true)
    await (await sockets.connect(alice)).waitForFrame('connection_established')

    // Someone else's sessions are untouched.
    expect((await bob.rest.get('/users/me')).status).toBe(200)
    await bobSocket.sync()
    expect(bobSocket.isOpen).toBe(true)

    expect(await loginStatus('alice', TEST_PASSWORD)).toBe(401)
    expect(await loginStatus('alice', NEW_PASSWORD)).toBe(200)
  })

  it('refuses a wrong current password with 403 wrong_password and changes nothing', async () => {
    const carol = await registerMember(admin, 'carol')
    const phone = await signIn('carol')
    const phoneSocket = await sockets.connect(phone)

    const wrong = await carol.rest.post('/users/me/password', {
      current_password: 'not my password',
      new_password: NEW_PASSWORD,
    })
    expect(wrong.status).toBe(403)
    expect(wrong.error).toEqual({ code: 'wrong_password', message: expect.any(String) })

    expect((await carol.rest.get('/users/me')).status).toBe(200)
    expect((await phone.rest.get('/users/me')).status).toBe(200)
    await phoneSocket.sync()
    expect(phoneSocket.isOpen).toBe(true)
    expect(await loginStatus('carol', TEST_PASSWORD)).toBe(200)
    expect(await loginStatus('carol', NEW_PASSWORD)).toBe(401)
  })

  it('answers 400 to a new password that breaks the registration rules or repeats the current one', async () => {
    const dora = await registerMember(admin, 'dora')
    const phone = await signIn('dora')
    const bodies: unknown[] = [
      { current_password: TEST_PASSWORD, new_password: 'short12' },
      { current_password: TEST_PASSWORD, new_password: 'x'.repeat(257) },
      { current_password: TEST_PASSWORD, new_password: 12345678 },
      { current_password: TEST_PASSWORD },
      { new_password: NEW_PASSWORD },
      {},
      { current_password: TEST_PASSWORD, new_password: TEST_PASSWORD },
    ]
    for (const body of bodies) {
      const refused = await dora.rest.post('/users/me/password', body)
      expect(refused.status, JSON.stringify(body)).toBe(400)
      expect(refused.error.code).toBe('invalid_request')
    }
    expect((await phone.rest.get('/users/me')).status).toBe(200)
    expect(await loginStatus('dora', TEST_PASSWORD)).toBe(200)
  })

  it('rate limits password attempts per user, like logins', async () => {
    const erin = await registerMember(admin, 'erin')
    const frank = await registerMember(admin, 'frank')
    const attempt = (account: TestAccount, current: string) =>
      account.rest.post('/users/me/password', {
        current_password: current,
        new_password: NEW_PASSWORD,
      })
    for (let i = 0; i < ATTEMPTS_PER_MINUTE; i++) {
      expect((await attempt(erin, `guess ${i}`)).status).toBe(403)
    }
    // Even the right password is refused now: a thief cannot tell it was the right one.
    const limited = await attempt(erin, TEST_PASSWORD)
    expect(limited.status).toBe(429)
    expect(limited.error).toEqual({
      code: 'rate_limited',
      message: expect.stringMatching(/try again/i),
    })
    expect(await loginStatus('erin', TEST_PASSWORD)).toBe(200)

    // The limit follows the user, not the token: another session of erin is limited too...
    const other = await signIn('erin')
    expect((await attempt(other, TEST_PASSWORD)).status).toBe(429)
    // ...and other users are not.
    expect((await attempt(frank, 'another guess')).status).toBe(403)
  })

  it('answers 401 without a valid token', async () => {
    const body = { current_password: TEST_PASSWORD, new_password: NEW_PASSWORD }
    expect((await anonymous.post('/users/me/password', body)).status).toBe(401)
    expect(
      (await new RestClient(server.url, 'bogus').post('/users/me/password', body)).status,
    ).toBe(401)
    expect((await anonymous.post('/users/me/sessions/revoke-others')).status).toBe(401)
  })

  it('signs out every other device without changing the password', async () => {
    const gus = await registerMember(admin, 'gus')
    const laptop = await signIn('gus')
    const tablet = await signIn('gus')
    expect((await tablet.rest.get('/users/me')).status).toBe(200)
    const laptopSocket = await sockets.connect(laptop)
    const gusSocket = await sockets.connect(gus)
    const adminSocket = await sockets.connect(admin)

    const revoked = await gus.rest.post<SessionsRevoked>('/users/me/sessions/revoke-others')
    expect(revoked.status).toBe(200)
    expect(revoked.data).toEqual({ signed_out_sessions: 2 })

    expect((await laptopSocket.waitForClose()).code).toBe(4001)
    expect((await laptop.rest.get('/users/me')).status).toBe(401)
    expect((await tablet.rest.get('/users/me')).status).toBe(401)
    expect((await WsTestClient.expectRefusal(server.url, tablet.token)).statusCode).toBe(401)
    expect((await gus.rest.get('/users/me')).status).toBe(200)
    await gusSocket.sync()
    expect(gusSocket.isOpen).toBe(true)
    await adminSocket.sync()
    expect(adminSocket.isOpen).toBe(true)
    // Nothing is left to sign out; the password still works.
    const again = await gus.rest.post<SessionsRevoked>('/users/me/sessions/revoke-others')
    expect(again.data).toEqual({ signed_out_sessions: 0 })
    expect(await loginStatus('gus', TEST_PASSWORD)).toBe(200)
  })
})
