import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AuthResult, CreatedInvite, Invite } from '../../src/shared/models'
import { SCHEMA_VERSION } from '../../server/storage/migrations'
import { TEST_PASSWORD, registerAdmin, registerMember, type TestAccount } from '../support/accounts'
import { RestClient } from '../support/restClient'
import { startHarness, type TestServer } from '../support/serverHarness'
import { rewindSqliteSchema } from '../support/sqliteSchema'
import { openStore } from '../support/store'
import { onPostgres } from '../support/testDatabase'

/** Invites as an administrator manages them: listed with creator, expiry and use; revoked. */
describe('invites', () => {
  let server: TestServer
  let anonymous: RestClient
  let admin: TestAccount

  beforeAll(async () => {
    server = await startHarness()
    anonymous = new RestClient(server.url)
    admin = await registerAdmin(server.url)
  })
  afterAll(() => server.stop())

  const register = (username: string, code: string) =>
    anonymous.post<AuthResult>('/auth/register', {
      username,
      password: TEST_PASSWORD,
      invite_code: code,
    })

  async function listed(id: number): Promise<Invite> {
    const list = await admin.rest.get<Invite[]>('/admin/invites')
    const invite = list.data.find((i) => i.id === id)
    if (!invite) throw new Error(`invite ${id} is not listed`)
    return invite
  }

  it('lists each invite with its creator, note, expiry and who used it', async () => {
    const created = await admin.rest.post<CreatedInvite>('/admin/invites', {
      note: 'Dana, design',
      expires_in_hours: 48,
    })
    expect(created.status).toBe(201)
    const adminRef = { id: admin.user.id, username: 'admin', display_name: 'Admin' }
    expect(created.data).toEqual({
      id: expect.any(Number),
      code: expect.stringMatching(/^[A-Za-z0-9_-]{16}$/),
      note: 'Dana, design',
      created_by: adminRef,
      created_at: expect.stringMatching(/Z$/),
      expires_at: expect.stringMatching(/Z$/),
      state: 'pending',
      used_by: null,
      used_at: null,
      revoked_at: null,
    })
    const hours =
      (Date.parse(created.data.expires_at) - Date.parse(created.data.created_at)) / 3600e3
    expect(Math.round(hours)).toBe(48)
    // Listed without its code, which is never shown again.
    const { code, ...invite } = created.data
    expect(await listed(invite.id)).toEqual(invite)
    expect(JSON.stringify((await admin.rest.get('/admin/invites')).body)).not.toContain(code)

    const dana = await register('dana', code)
    expect(dana.status).toBe(201)
    expect(await listed(invite.id)).toMatchObject({
      state: 'used',
      used_by: { id: dana.data.user.id, username: 'dana', display_name: 'dana' },
      used_at: expect.stringMatching(/Z$/),
    })
    // Newest first.
    const second = await admin.rest.post<CreatedInvite>('/admin/invites', {})
    const list = await admin.rest.get<Invite[]>('/admin/invites')
    expect(list.data[0]!.id).toBe(second.data.id)
    expect(list.data[0]!.note).toBeNull()
  })

  it('revokes an unused invite: it registers nobody, and cannot be revoked once used', async () => {
    const unused = (await admin.rest.post<CreatedInvite>('/admin/invites', { note: 'Ezra' })).data
    const revoked = await admin.rest.delete<Invite>(`/admin/invites/${unused.id}`)
    expect(revoked.status).toBe(200)
    expect(revoked.data).toMatchObject({ id: unused.id, state: 'revoked', revoked_at: /Z$/ })
    const refused = await register('ezra', unused.code)
    expect(refused.status).toBe(403)
    // Revoking again changes nothing.
    const again = await admin.rest.delete<Invite>(`/admin/invites/${unused.id}`)
    expect(again.data.revoked_at).toBe(revoked.data.revoked_at)

    const used = (await admin.rest.post<CreatedInvite>('/admin/invites', {})).data
    expect((await register('fern', used.code)).status).toBe(201)
    const tooLate = await admin.rest.delete(`/admin/invites/${used.id}`)
    expect(tooLate.status).toBe(409)
    expect((await listed(used.id)).state).toBe('used')
    expect((await admin.rest.delete('/admin/invites/999999')).status).toBe(404)
  })

  it('shows an invite past its expiry as expired, and it registers nobody', async () => {
    const invite = (await admin.rest.post<CreatedInvite>('/admin/invites', {})).data
    const store = await openStore(server.dataDir)
    try {
      const past = new Date(Date.now() - 1000).toISOString()
      await store.all('update invites set expires_at = ? where id = ?', past, invite.id)
    } finally {
      await store.close()
    }
    expect((await listed(invite.id)).state).toBe('expired')
    expect((await register('gale', invite.code)).status).toBe(403)
  })

  it('refuses bad input: a note too long or blank, a lifetime out of range', async () => {
    for (const body of [
      { note: 'x'.repeat(101) },
      { note: '' },
      { expires_in_hours: 0 },
      { expires_in_hours: 24 * 30 + 1 },
    ]) {
      const refused = await admin.rest.post('/admin/invites', body)
      expect(refused.status, JSON.stringify(body)).toBe(400)
    }
    const member = await registerMember(admin, 'hana')
    expect((await member.rest.post('/admin/invites', {})).status).toBe(403)
  })
})

describe.skipIf(onPostgres)(
  'invites on a database from before they were listed (migration 12)',
  () => {
    let before: TestServer
    let after: TestServer | undefined

    afterAll(async () => {
      await after?.stop()
      await before.stop()
    })

    it('keeps every invite, used or not, and an unused one still registers', async () => {
      before = await startHarness()
      const admin = await registerAdmin(before.url)
      const member = await registerMember(admin, 'ivan')
      const unused = (await admin.rest.post<CreatedInvite>('/admin/invites', {})).data
      await before.close()
      rewindSqliteSchema(join(before.dataDir, 'tidings.db'), 10)

      after = await startHarness({ dataDir: before.dataDir })
      expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(12)
      const list = await new RestClient(after.url, admin.token).get<Invite[]>('/admin/invites')
      expect(list.data.map((i) => i.state)).toEqual(['pending', 'used'])
      expect(list.data[1]!.used_by?.id).toBe(member.user.id)
      const registered = await new RestClient(after.url).post('/auth/register', {
        username: 'jana',
        password: TEST_PASSWORD,
        invite_code: unused.code,
      })
      expect(registered.status).toBe(201)
    })
  },
)
