import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { RestClient } from '../../../src/main/core/restClient'
import { AUDIT_CSV_COLUMNS } from '../../../src/shared/audit'
import { CoreFixture, freshName, removeDir, serverPerFile, tempDir } from './support/coreFixture'

const PASSWORD = 'correct horse battery'

/**
 * The admin channels (people, roles, password resets, invites, the audit log) through the core,
 * on the real server: the administrator's app is a core; the people they manage are REST clients
 * or cores of their own.
 */
describe('app core: the admin console (real server)', () => {
  const server = serverPerFile()
  const dirs: string[] = []
  const cores: CoreFixture[] = []
  /** The first account on the file's server, so its administrator. */
  let admin: CoreFixture
  let adminName = ''

  function newDevice(): CoreFixture {
    const dir = tempDir('tidings-admin-')
    dirs.push(dir)
    const fixture = new CoreFixture(dir, server.url)
    cores.push(fixture)
    return fixture
  }

  beforeAll(async () => {
    adminName = freshName('admin')
    admin = newDevice()
    await admin.core.start()
    const session = await admin.core.handle('session/register', {
      username: adminName,
      password: PASSWORD,
    })
    expect(session.user?.role).toBe('admin')
    await admin.waitForStatus('connected')
  })

  afterEach(async () => {
    for (const fixture of cores.splice(1)) await fixture.core.stop()
    for (const dir of dirs.splice(1)) removeDir(dir)
  })

  afterAll(async () => {
    await admin.core.stop()
    for (const dir of dirs.splice(0)) removeDir(dir)
  })

  /** A member signed in on their own app, connected. */
  async function memberApp(): Promise<{ app: CoreFixture; name: string; id: number }> {
    const name = freshName('member')
    const app = newDevice()
    await app.core.start()
    const session = await app.core.handle('session/register', {
      username: name,
      password: PASSWORD,
    })
    await app.waitForStatus('connected')
    return { app, name, id: session.user!.id }
  }

  it('lists people with role, state and devices; deactivation signs the member’s app out', async () => {
    const member = await memberApp()
    const people = await admin.core.handle('admin/listUsers', undefined)
    expect(people.find((p) => p.username === adminName)).toMatchObject({
      role: 'admin',
      state: 'active',
    })
    expect(people.find((p) => p.id === member.id)).toMatchObject({
      role: 'member',
      state: 'active',
      devices: 1,
    })

    const deactivated = await admin.core.handle('admin/deactivateUser', { user_id: member.id })
    expect(deactivated).toMatchObject({ id: member.id, state: 'deactivated', devices: 0 })
    await member.app.waitForStatus('signed_out')
    expect(member.app.core.sessionState().user).toBeNull()
    await expect(
      member.app.core.handle('session/login', { username: member.name, password: PASSWORD }),
    ).rejects.toMatchObject({ status: 403 })

    const back = await admin.core.handle('admin/reactivateUser', { user_id: member.id })
    expect(back).toMatchObject({ state: 'active', deactivated_at: null })
    const again = await member.app.core.handle('session/login', {
      username: member.name,
      password: PASSWORD,
    })
    expect(again.user?.username).toBe(member.name)
  })

  it('a role change reaches the member’s app live; the last administrator is kept', async () => {
    const member = await memberApp()
    const promoted = await admin.core.handle('admin/setRole', { user_id: member.id, role: 'admin' })
    expect(promoted.role).toBe('admin')
    // The member's core follows its own role from the stream and tells its windows.
    await member.app.outputs.waitFor(
      () => member.app.core.sessionState().user?.role === 'admin',
      'the member’s session becomes admin',
    )
    expect(
      member.app.outputs.payloads('session/changed').some((s) => s.user?.role === 'admin'),
    ).toBe(true)
    // Now an administrator, the member can demote the first one; then not themselves.
    const adminId = admin.core.sessionState().user!.id
    await member.app.core.handle('admin/setRole', { user_id: adminId, role: 'member' })
    await expect(
      member.app.core.handle('admin/setRole', { user_id: member.id, role: 'member' }),
    ).rejects.toMatchObject({ status: 409 })
    await expect(admin.core.handle('admin/listUsers', undefined)).rejects.toMatchObject({
      status: 403,
    })
    // Back as it was for the other tests.
    await member.app.core.handle('admin/setRole', { user_id: adminId, role: 'admin' })
    await member.app.core.handle('admin/setRole', { user_id: member.id, role: 'member' })
    await admin.outputs.waitFor(
      () => admin.core.sessionState().user?.role === 'admin',
      'the administrator is one again',
    )
  })

  it('a member is refused every admin channel, and the request is checked in main', async () => {
    const member = await memberApp()
    await expect(member.app.core.handle('admin/listUsers', undefined)).rejects.toMatchObject({
      status: 403,
    })
    await expect(
      member.app.core.handle('admin/resetPassword', { user_id: member.id }),
    ).rejects.toMatchObject({ status: 403 })
    await expect(
      admin.core.handle('admin/setRole', { user_id: member.id, role: 'owner' } as never),
    ).rejects.toMatchObject({ code: 'invalid_request' })
    await expect(
      admin.core.handle('admin/listAudit', { kind: 'made_up' } as never),
    ).rejects.toMatchObject({ code: 'invalid_request' })
  })

  it('signs a member out everywhere without deactivating them', async () => {
    const member = await memberApp()
    expect(await admin.core.handle('admin/signOutUser', { user_id: member.id })).toEqual({
      signed_out_sessions: 1,
    })
    await member.app.waitForStatus('signed_out')
    const again = await member.app.core.handle('session/login', {
      username: member.name,
      password: PASSWORD,
    })
    expect(again.user?.id).toBe(member.id)
  })

  it('a reset code sets a new password on the user’s app and signs out their other device', async () => {
    const member = await memberApp()
    const issued = await admin.core.handle('admin/resetPassword', { user_id: member.id })
    expect(issued).toMatchObject({ user_id: member.id, code: expect.any(String) })

    // The member forgot the password: a second app, signed out, takes the code.
    const fresh = newDevice()
    await fresh.core.start()
    const newPassword = 'a brand new secret'
    const session = await fresh.core.handle('session/resetPassword', {
      code: issued.code,
      new_password: newPassword,
    })
    expect(session.user?.id).toBe(member.id)
    await fresh.waitForStatus('connected')
    await member.app.waitForStatus('signed_out')

    // Single use.
    await expect(
      newDevice().core.handle('session/resetPassword', {
        code: issued.code,
        new_password: 'yet another secret',
      }),
    ).rejects.toMatchObject({ status: 403 })
    const rest = new RestClient({ baseUrl: server.url, getToken: () => null })
    expect((await rest.login(member.name, newPassword)).user.id).toBe(member.id)
    // Neither the code nor the password was written to the device's storage.
    for (const file of readdirSync(fresh.userDataDir, { recursive: true, withFileTypes: true })) {
      if (!file.isFile()) continue
      const content = readFileSync(join(file.parentPath, file.name)).toString('latin1')
      expect(content.includes(issued.code), file.name).toBe(false)
      expect(content.includes(newPassword), file.name).toBe(false)
    }
  })

  it('creates an invite with a note, lists it and revokes it', async () => {
    const created = await admin.core.handle('admin/createInvite', {
      note: 'for the new designer',
      expires_in_hours: 48,
    })
    expect(created).toMatchObject({ state: 'pending', note: 'for the new designer' })
    const listed = await admin.core.handle('admin/listInvites', undefined)
    expect(listed.find((i) => i.id === created.id)).not.toHaveProperty('code')
    const revoked = await admin.core.handle('admin/revokeInvite', { invite_id: created.id })
    expect(revoked.state).toBe('revoked')
    // Revoking again changes nothing.
    const again = await admin.core.handle('admin/revokeInvite', { invite_id: created.id })
    expect(again.revoked_at).toBe(revoked.revoked_at)
  })

  it('reads the audit log by person and kind, and exports it to the chosen file', async () => {
    const member = await memberApp()
    await admin.core.handle('admin/setRole', { user_id: member.id, role: 'admin' })
    await admin.core.handle('admin/setRole', { user_id: member.id, role: 'member' })
    const page = await admin.core.handle('admin/listAudit', {
      user_id: member.id,
      kind: 'role_changed',
    })
    expect(page.entries).toHaveLength(2)
    expect(page.entries[0]).toMatchObject({
      kind: 'role_changed',
      target: { id: member.id },
      details: { from: 'admin', to: 'member' },
    })
    const first = await admin.core.handle('admin/listAudit', { user_id: member.id, limit: 1 })
    expect(first.entries).toHaveLength(1)
    expect(first.next_before).toEqual(expect.any(Number))

    // Cancelled: nothing asked of the server, nothing written.
    admin.savePath = null
    expect(await admin.core.handle('admin/exportAudit', { user_id: member.id })).toEqual({
      saved: false,
    })
    const folder = tempDir('tidings-export-')
    dirs.push(folder)
    admin.savePath = join(folder, 'audit.csv')
    expect(
      await admin.core.handle('admin/exportAudit', { user_id: member.id, kind: 'role_changed' }),
    ).toEqual({ saved: true })
    expect(admin.saveDialogs.at(-1)).toMatch(/^tidings-audit-\d{4}-\d{2}-\d{2}\.csv$/)
    const lines = readFileSync(admin.savePath, 'utf8')
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/)
    expect(lines[0]).toBe(AUDIT_CSV_COLUMNS.join(','))
    expect(lines).toHaveLength(3)
    expect(lines.slice(1).every((line) => line.includes(member.name))).toBe(true)
    expect(readdirSync(folder)).toEqual(['audit.csv'])
  })
})
