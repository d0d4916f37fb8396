import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { RestClient } from '../../../src/main/core/restClient'
import { CoreFixture, freshName, removeDir, serverPerFile, tempDir } from './support/coreFixture'

const OLD_PASSWORD = 'correct horse battery'
const NEW_PASSWORD = 'a brand new secret'

/** Changing the password and signing out other devices, through the core, on the real server. */
describe('app core: password change and other devices (real server)', () => {
  const server = serverPerFile()
  const dirs: string[] = []
  /** This test's user (each test signs up its own). */
  let alice = ''
  const cores: CoreFixture[] = []

  /** One app instance (a device) on its own user data folder. */
  function newDevice(): CoreFixture {
    const dir = tempDir('tidings-user-')
    dirs.push(dir)
    const fixture = new CoreFixture(dir, server.url)
    cores.push(fixture)
    return fixture
  }

  /** Alice signed in on this device and on another one, both connected. */
  async function aliceOnTwoDevices(): Promise<{ desk: CoreFixture; laptop: CoreFixture }> {
    alice = freshName('alice')
    const desk = newDevice()
    await desk.core.start()
    await desk.core.handle('session/register', { username: alice, password: OLD_PASSWORD })
    const laptop = newDevice()
    await laptop.core.start()
    await laptop.core.handle('session/login', { username: alice, password: OLD_PASSWORD })
    await Promise.all([desk.waitForStatus('connected'), laptop.waitForStatus('connected')])
    return { desk, laptop }
  }

  async function loginStatus(password: string): Promise<number> {
    const rest = new RestClient({ baseUrl: server.url, getToken: () => null })
    try {
      await rest.login(alice, password)
      return 200
    } catch (error) {
      return (error as { status: number }).status
    }
  }

  afterEach(async () => {
    for (const fixture of cores.splice(0)) await fixture.core.stop()
    for (const dir of dirs.splice(0)) removeDir(dir)
  })

  it('changes the password: this device stays signed in, the other one is signed out', async () => {
    const { desk, laptop } = await aliceOnTwoDevices()
    const deskPushes = desk.pushCount

    const answer = await desk.core.handle('session/changePassword', {
      current_password: OLD_PASSWORD,
      new_password: NEW_PASSWORD,
    })
    expect(answer).toEqual({ changed: true, signed_out_sessions: 1 })

    // The laptop's socket was closed with 4001: its core forgets the session.
    await laptop.waitForStatus('signed_out')
    expect(laptop.core.sessionState().user).toBeNull()
    // The desk goes on as before, over REST and on its socket.
    expect(desk.core.sessionState().user?.username).toBe(alice)
    expect(desk.core.connectionState().status).toBe('connected')
    expect(
      desk.outputs.pushes
        .slice(deskPushes)
        .filter((p) => p.channel === 'connection/state' || p.channel === 'session/changed'),
    ).toEqual([])
    expect(await desk.core.handle('users/list', undefined)).toHaveLength(1)

    expect(await loginStatus(OLD_PASSWORD)).toBe(401)
    expect(await loginStatus(NEW_PASSWORD)).toBe(200)

    // Neither password was written to the device's storage.
    for (const dir of dirs) {
      for (const file of readdirSync(dir, { recursive: true, withFileTypes: true })) {
        if (!file.isFile()) continue
        const content = readFileSync(join(file.parentPath, file.name)).toString('latin1')
        expect(content.includes(NEW_PASSWORD), file.name).toBe(false)
        expect(content.includes(OLD_PASSWORD), file.name).toBe(false)
      }
    }
  })

  it('keeps the session on a wrong current password and reports the server code', async () => {
    const { desk, laptop } = await aliceOnTwoDevices()
    await expect(
      desk.core.handle('session/changePassword', {
        current_password: 'not my password',
        new_password: NEW_PASSWORD,
      }),
    ).rejects.toMatchObject({ code: 'wrong_password', status: 403 })
    // Not a 401: the core must not take a typo for a revoked token and sign out.
    expect(desk.core.sessionState().user?.username).toBe(alice)
    expect(desk.core.connectionState().status).toBe('connected')
    expect(laptop.core.sessionState().user?.username).toBe(alice)
    expect(await loginStatus(OLD_PASSWORD)).toBe(200)
  })

  it('refuses an invalid request in main, without repeating the password in the error', async () => {
    const { desk } = await aliceOnTwoDevices()
    const tooShort = 'short12'
    const refusal = desk.core.handle('session/changePassword', {
      current_password: OLD_PASSWORD,
      new_password: tooShort,
    })
    await expect(refusal).rejects.toMatchObject({ code: 'invalid_request' })
    const message = await refusal.catch((error: Error) => error.message)
    expect(message).toMatch(/new_password/)
    expect(message).not.toContain(tooShort)
    expect(message).not.toContain(OLD_PASSWORD)
    await expect(
      desk.core.handle('session/changePassword', { new_password: NEW_PASSWORD } as never),
    ).rejects.toMatchObject({ code: 'invalid_request' })
    expect(await loginStatus(OLD_PASSWORD)).toBe(200)
  })

  it('signs out the other devices without changing the password', async () => {
    const { desk, laptop } = await aliceOnTwoDevices()
    expect(await desk.core.handle('session/signOutOthers', undefined)).toEqual({
      signed_out_sessions: 1,
    })
    await laptop.waitForStatus('signed_out')
    expect(laptop.core.sessionState().user).toBeNull()
    expect(desk.core.sessionState().user?.username).toBe(alice)
    expect(desk.core.connectionState().status).toBe('connected')
    expect(await loginStatus(OLD_PASSWORD)).toBe(200)
  })
})
