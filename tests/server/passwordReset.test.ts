import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { CloseCode } from '../../src/shared/closeCodes'
import type { AuthResult, PasswordResetIssued, User } from '../../src/shared/models'
import {
  TEST_PASSWORD,
  loginStatus,
  registerAdmin,
  registerMember,
  signIn,
  type TestAccount,
} from '../support/accounts'
import { RestClient } from '../support/restClient'
import { startHarness, type TestServer } from '../support/serverHarness'
import { openStore } from '../support/store'
import { trackedSockets } from '../support/trackedSockets'
import { WsTestClient } from '../support/wsTestClient'

const NEW_PASSWORD = 'picked after the reset'
const DAY_MS = 24 * 3600_000

/** An administrator's one-time password reset codes: issued, used once, within 24 hours. */
describe('password reset codes', () => {
  let server: TestServer
  let anonymous: RestClient
  let admin: TestAccount
  const sockets = trackedSockets()

  beforeAll(async () => {
    // Well above what the file uses: the limit has a test of its own below.
    server = await startHarness({ authAttemptsPerMinute: 100 })
    anonymous = new RestClient(server.url)
    admin = await registerAdmin(server.url)
  })
  afterEach(() => sockets.closeAll())
  afterAll(() => server.stop())

  async function issue(user: TestAccount): Promise<PasswordResetIssued> {
    const issued = await admin.rest.post<PasswordResetIssued>(
      `/admin/users/${user.user.id}/password-reset`,
    )
    expect(issued.status).toBe(201)
    return issued.data
  }

  const redeem = (code: string, newPassword = NEW_PASSWORD) =>
    anonymous.post<AuthResult>('/auth/password-reset', { code, new_password: newPassword })

  it('sets the new password, signs out every device of the user and signs in this one', async () => {
    const ada = await registerMember(admin, 'ada')
    const laptop = await signIn(server.url, 'ada')
    expect((await laptop.rest.get('/users/me')).status).toBe(200)
    const adaSocket = await sockets.connect(ada)
    const laptopSocket = await sockets.connect(laptop)
    const adminSocket = await sockets.connect(admin)

    const before = Date.now()
    const issued = await issue(ada)
    expect(issued).toEqual({
      user_id: ada.user.id,
      code: expect.stringMatching(/^[A-Za-z0-9_-]{16}$/),
      expires_at: expect.stringMatching(/Z$/),
    })
    // Valid for 24 hours from now.
    const lifetime = Date.parse(issued.expires_at) - before
    expect(lifetime).toBeGreaterThanOrEqual(DAY_MS - 1000)
    expect(lifetime).toBeLessThanOrEqual(DAY_MS + 60_000)
    // Issuing alone changes nothing for the user.
    await adaSocket.sync()
    expect(adaSocket.isOpen).toBe(true)
    expect(await loginStatus(server.url, 'ada', TEST_PASSWORD)).toBe(200)

    const used = await redeem(issued.code)
    expect(used.status).toBe(200)
    expect(used.data.user).toEqual(ada.user)
    const me = new RestClient(server.url, used.data.token)
    expect((await me.get<User>('/users/me')).data.username).toBe('ada')

    for (const socket of [adaSocket, laptopSocket]) {
      expect((await socket.waitForClose()).code).toBe(CloseCode.Unauthorized)
    }
    for (const old of [ada, laptop]) {
      expect((await old.rest.get('/users/me')).status).toBe(401)
      expect((await WsTestClient.expectRefusal(server.url, old.token)).statusCode).toBe(401)
    }
    expect(await loginStatus(server.url, 'ada', TEST_PASSWORD)).toBe(401)
    expect(await loginStatus(server.url, 'ada', NEW_PASSWORD)).toBe(200)
    // Nobody else was signed out.
    await adminSocket.sync()
    expect(adminSocket.isOpen).toBe(true)
  })

  it('is single use, also when two requests bring the code at once', async () => {
    const bo = await registerMember(admin, 'bob')
    const { code } = await issue(bo)
    const [one, two] = await Promise.all([redeem(code, 'first new password'), redeem(code)])
    expect([one.status, two.status].sort()).toEqual([200, 403])
    const winner = one.status === 200 ? 'first new password' : NEW_PASSWORD
    const refused = one.status === 200 ? two : one
    expect(refused.error).toEqual({
      code: 'invalid_reset_code',
      message: expect.stringMatching(/invalid, expired or already used/),
    })
    expect(await loginStatus(server.url, 'bob', winner)).toBe(200)
    const again = await redeem(code, 'third new password')
    expect(again.status).toBe(403)
    expect(again.error.code).toBe('invalid_reset_code')
    expect(await loginStatus(server.url, 'bob', 'third new password')).toBe(401)
  })

  it('expires after 24 hours', async () => {
    const cy = await registerMember(admin, 'cyd')
    const { code } = await issue(cy)
    const store = await openStore(server.dataDir)
    try {
      // As if it had been issued a day and a minute ago.
      const past = new Date(Date.now() - 60_000).toISOString()
      await store.all(
        'update password_resets set expires_at = ? where user_id = ?',
        past,
        cy.user.id,
      )
    } finally {
      await store.close()
    }
    expect((await redeem(code)).status).toBe(403)
    expect(await loginStatus(server.url, 'cyd', TEST_PASSWORD)).toBe(200)
  })

  it('replaces an earlier unused code, and an unknown code is refused alike', async () => {
    const dee = await registerMember(admin, 'dee')
    const first = await issue(dee)
    const second = await issue(dee)
    expect(second.code).not.toBe(first.code)
    expect((await redeem(first.code)).status).toBe(403)
    expect((await redeem('AAAAAAAAAAAAAAAA')).error.code).toBe('invalid_reset_code')
    expect((await redeem(second.code)).status).toBe(200)
  })

  it('stores only the hash of the code', async () => {
    const eli = await registerMember(admin, 'eli')
    const { code } = await issue(eli)
    const store = await openStore(server.dataDir)
    try {
      const rows = await store.all<{ code_hash: string }>(
        'select code_hash from password_resets where user_id = ?',
        eli.user.id,
      )
      expect(rows).toHaveLength(1)
      expect(rows[0]!.code_hash).not.toContain(code)
      expect(rows[0]!.code_hash).toMatch(/^[0-9a-f]{64}$/)
    } finally {
      await store.close()
    }
  })

  it('leaves the code unused when the new password breaks the rules', async () => {
    const flo = await registerMember(admin, 'flo')
    const { code } = await issue(flo)
    for (const body of [
      { code, new_password: 'short' },
      { code },
      { new_password: NEW_PASSWORD },
      { code: '', new_password: NEW_PASSWORD },
    ]) {
      const refused = await anonymous.post('/auth/password-reset', body)
      expect(refused.status, JSON.stringify(body)).toBe(400)
      expect(refused.error.code).toBe('invalid_request')
    }
    expect((await redeem(code)).status).toBe(200)
  })

  it('is refused for a deactivated account, and deactivation drops its codes', async () => {
    const gus = await registerMember(admin, 'gus')
    const { code } = await issue(gus)
    await admin.rest.post(`/admin/users/${gus.user.id}/deactivate`)
    expect((await redeem(code)).status).toBe(403)
    const refused = await admin.rest.post(`/admin/users/${gus.user.id}/password-reset`)
    expect(refused.status).toBe(409)
    await admin.rest.post(`/admin/users/${gus.user.id}/reactivate`)
    // The old code stays dropped; the password is the old one.
    expect((await redeem(code)).status).toBe(403)
    expect(await loginStatus(server.url, 'gus', TEST_PASSWORD)).toBe(200)
  })

  it('is issued by administrators only; users still change their own password', async () => {
    const hal = await registerMember(admin, 'hal')
    const ivy = await registerMember(admin, 'ivy')
    expect((await hal.rest.post(`/admin/users/${ivy.user.id}/password-reset`)).status).toBe(403)
    expect((await admin.rest.post('/admin/users/999999/password-reset')).status).toBe(404)
    const changed = await hal.rest.post('/users/me/password', {
      current_password: TEST_PASSWORD,
      new_password: NEW_PASSWORD,
    })
    expect(changed.status).toBe(200)
    expect(await loginStatus(server.url, 'hal', NEW_PASSWORD)).toBe(200)
  })
})

describe('password reset attempts', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startHarness({ authAttemptsPerMinute: 3 })
  })
  afterAll(() => server.stop())

  it('are rate limited per address, like sign-ins', async () => {
    const anonymous = new RestClient(server.url)
    const attempt = () =>
      anonymous.post('/auth/password-reset', { code: 'not-a-code', new_password: NEW_PASSWORD })
    for (let i = 0; i < 3; i++) expect((await attempt()).status).toBe(403)
    const limited = await attempt()
    expect(limited.status).toBe(429)
    expect(limited.error.code).toBe('rate_limited')
  })
})
