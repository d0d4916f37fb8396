import { afterEach, describe, expect, it } from 'vitest'
import { TEST_PASSWORD, registerAdmin, registerMember } from '../support/accounts'
import { requestFrom, type RawAnswer } from '../support/rawHttp'
import { startHarness, type TestServer } from '../support/serverHarness'

/**
 * Guessing passwords and invite codes, as an attacker would: many usernames from one address
 * (password spraying), one username from many addresses (every 127.x.y.z is this machine, and
 * the server sees each as a client of its own), invite codes by the dozen, and logins of
 * unknown users in parallel to starve everyone else of scrypt.
 */
const servers: TestServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()))
})

async function start(options: Parameters<typeof startHarness>[0]): Promise<TestServer> {
  const server = await startHarness(options)
  servers.push(server)
  return server
}

const from = (address: string) => `127.0.0.${address}`

function login(server: TestServer, username: string, address: string, password = 'wrong guess') {
  return requestFrom(server.url, 'POST', '/auth/login', {
    localAddress: from(address),
    body: { username, password },
  })
}

function register(server: TestServer, username: string, address: string, inviteCode?: string) {
  return requestFrom(server.url, 'POST', '/auth/register', {
    localAddress: from(address),
    body: { username, password: TEST_PASSWORD, ...(inviteCode ? { invite_code: inviteCode } : {}) },
  })
}

const statuses = (answers: RawAnswer[]) => answers.map((answer) => answer.status)

const RATE_LIMITED = {
  status: 'error',
  error: { code: 'rate_limited', message: expect.stringMatching(/try again/) },
}

/** Hashes waiting for a turn in the server's hashing pool (its metrics). */
async function hashesWaiting(server: TestServer): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text()
  return Number(/^tidings_password_hashes_waiting(?:\{[^}]*\})? (\S+)$/m.exec(text)?.[1] ?? 0)
}

/** The server's count of scrypt hashes computed so far (its metrics). */
async function hashesComputed(server: TestServer): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text()
  return Number(/^tidings_password_hashes_total(?:\{[^}]*\})? (\S+)$/m.exec(text)?.[1])
}

describe('guessing passwords', () => {
  it('limits one address trying many usernames (password spraying)', async () => {
    const server = await start({ authAttemptsPerAddress: 10 })
    await registerAdmin(server.url)
    const answers: RawAnswer[] = []
    for (let i = 0; i < 12; i += 1) answers.push(await login(server, `user${i}`, '2'))
    expect(statuses(answers)).toEqual([...Array(10).fill(401), 429, 429])
    expect(answers[11]!.json).toEqual(RATE_LIMITED)
    expect(Number(answers[11]!.headers['retry-after'])).toBeGreaterThan(0)
    // Registrations from that address count too; another address is not held back.
    expect((await register(server, 'newcomer', '2')).status).toBe(429)
    expect((await login(server, 'user0', '3')).status).toBe(401)
  })

  it('limits one username tried from many addresses (distributed guessing)', async () => {
    const server = await start({ loginAttemptsPerUsername: 10 })
    const admin = await registerAdmin(server.url)
    await registerMember(admin, 'target')
    const answers: RawAnswer[] = []
    for (let i = 0; i < 12; i += 1) answers.push(await login(server, 'TARGET', String(10 + i)))
    expect(statuses(answers)).toEqual([...Array(10).fill(401), 429, 429])
    // Even the right password waits for the minute to pass, from yet another address...
    expect((await login(server, 'target', '40', TEST_PASSWORD)).status).toBe(429)
    // ... while other usernames sign in.
    expect((await login(server, 'admin', '41', TEST_PASSWORD)).status).toBe(200)
  })

  it('limits wrong invite codes per address, and checks them before hashing anything', async () => {
    const server = await start({ inviteFailuresPerHour: 5 })
    const admin = await registerAdmin(server.url)
    await registerMember(admin, 'taken')
    const before = await hashesComputed(server)
    const answers: RawAnswer[] = []
    for (let i = 0; i < 4; i += 1)
      answers.push(await register(server, `guess${i}`, '2', `code${i}`))
    answers.push(await register(server, 'noinvite', '2'))
    expect(statuses(answers)).toEqual([403, 403, 403, 403, 403])
    // No scrypt for a registration that cannot succeed.
    expect(await hashesComputed(server)).toBe(before)
    // The sixth attempt is refused before its code is looked at, even a valid code.
    const invite = (await admin.rest.post<{ code: string }>('/admin/invites', {})).data.code
    const limited = await register(server, 'latecomer', '2', invite)
    expect(limited.status).toBe(429)
    expect(limited.json).toEqual(RATE_LIMITED)
    // From another address the invite works; a taken username costs no hash either.
    const counted = await hashesComputed(server)
    expect((await register(server, 'taken', '3', invite)).status).toBe(409)
    expect(await hashesComputed(server)).toBe(counted)
    expect((await register(server, 'latecomer', '3', invite)).status).toBe(201)
  })

  it('counts reset codes with logins per address, and checks a code before hashing', async () => {
    const server = await start({ authAttemptsPerAddress: 5, authAttemptsPerMinute: 1000 })
    const admin = await registerAdmin(server.url)
    const member = await registerMember(admin, 'forgetful')
    const issued = await admin.rest.post<{ code: string }>(
      `/admin/users/${member.user.id}/password-reset`,
    )
    expect(issued.status).toBe(201)
    const reset = (address: string, code: string) =>
      requestFrom(server.url, 'POST', '/auth/password-reset', {
        localAddress: from(address),
        body: { code, new_password: 'a brand new secret' },
      })
    const before = await hashesComputed(server)
    const answers: RawAnswer[] = []
    for (let i = 0; i < 3; i += 1) answers.push(await reset('2', `guess${i}`))
    // No scrypt for a code that cannot be used.
    expect(await hashesComputed(server)).toBe(before)
    answers.push(await login(server, 'forgetful', '2'), await login(server, 'forgetful', '2'))
    // The address's sixth attempt, reset or login alike, is refused: even with the valid code.
    answers.push(await reset('2', issued.data.code))
    expect(statuses(answers)).toEqual([403, 403, 403, 401, 401, 429])
    expect(answers[5]!.json).toEqual(RATE_LIMITED)
    // From another address the code works: two logins and this new password were hashed.
    const used = await reset('3', issued.data.code)
    expect(used.status).toBe(200)
    expect(await hashesComputed(server)).toBe(before + 3)
  })

  it(
    'keeps a real user’s login quick while one address floods logins of unknown users',
    {
      timeout: 90_000,
    },
    async () => {
      // A real, memory-hard hash (16 MiB, half the production cost): slow enough that the flood
      // queues for the pool, cheap enough that thirty-odd fit a loaded machine's minute.
      const server = await start({ scryptCost: 16384, authAttemptsPerAddress: 1000 })
      const admin = await registerAdmin(server.url)
      // An unknown user's login compares with a hash made at the first one: made now.
      expect((await login(server, 'nobody', '2')).status).toBe(401)
      const hashedBeforeFlood = await hashesComputed(server)
      const done: string[] = []
      const flood = Array.from({ length: 30 }, (_, i) =>
        login(server, `nobody${i}`, '2').then((answer) => {
          done.push('flood')
          return answer
        }),
      )
      // Once the flood waits for its hashes, the real user asks from another address.
      let waiting: number
      const deadline = Date.now() + 30_000
      while ((waiting = await hashesWaiting(server)) < 12 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
      // The flood did queue (else the order below would prove nothing).
      expect(waiting).toBeGreaterThanOrEqual(12)
      // Flood logins hashed by now are answered once their audit entries commit, which on a
      // loaded PostgreSQL may come after the real login was asked: they are not counted
      // against it. What counts is the flood hashed after it was asked.
      const floodHashed = (await hashesComputed(server)) - hashedBeforeFlood
      const real = login(server, 'admin', '3', TEST_PASSWORD).then((answer) => {
        done.push('real')
        return answer
      })
      expect((await real).status).toBe(200)
      expect(statuses(await Promise.all(flood)).every((status) => status === 401)).toBe(true)
      // Hashes run two at a time and take turns by address: the real login waited for the two
      // running and about one more of the flood, not for the twelve or more in the queue.
      expect(done.indexOf('real') - floodHashed).toBeLessThanOrEqual(4)
      expect(admin.user.username).toBe('admin')
    },
  )
})
