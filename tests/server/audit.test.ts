import { parse } from 'csv-parse/sync'
import { DateTime } from 'luxon'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AUDIT_CSV_COLUMNS, AUDIT_KIND_LABELS, type AuditKind } from '../../src/shared/audit'
import type {
  AuditEntry,
  AuditPage,
  AuthResult,
  CreatedInvite,
  PasswordResetIssued,
} from '../../src/shared/models'
import {
  TEST_PASSWORD,
  accountFrom,
  registerAdmin,
  registerMember,
  signIn,
  type TestAccount,
} from '../support/accounts'
import { RestClient } from '../support/restClient'
import { startHarness, type TestServer } from '../support/serverHarness'
import { openStore } from '../support/store'

const ref = (account: TestAccount) => ({
  id: account.user.id,
  username: account.user.username,
  display_name: account.user.display_name,
})

type CsvRecord = Record<(typeof AUDIT_CSV_COLUMNS)[number], string>

/** Parses an export: its header row and its records, as objects keyed by column. */
function parseCsv(text: string): { header: string[]; records: CsvRecord[] } {
  const rows = parse(text, { bom: true }) as string[][]
  const [header, ...records] = rows
  return {
    header: header!,
    records: records.map(
      (row) => Object.fromEntries(header!.map((name, i) => [name, row[i]!])) as CsvRecord,
    ),
  }
}

describe('the audit log', () => {
  let server: TestServer
  let anonymous: RestClient
  let admin: TestAccount
  let startedAt: string

  beforeAll(async () => {
    startedAt = new Date().toISOString()
    server = await startHarness()
    anonymous = new RestClient(server.url)
    admin = await registerAdmin(server.url)
  })
  afterAll(() => server.stop())

  async function entries(query = ''): Promise<AuditEntry[]> {
    const page = await admin.rest.get<AuditPage>(`/admin/audit${query}`)
    expect(page.status).toBe(200)
    return page.data.entries
  }

  /** The entries after `sinceId`, oldest first. */
  async function entriesAfter(sinceId: number): Promise<AuditEntry[]> {
    return (await entries('?limit=500')).filter((e) => e.id > sinceId).reverse()
  }

  async function newestId(): Promise<number> {
    return (await entries('?limit=1'))[0]?.id ?? 0
  }

  it('records every administrator action and security event with actor, target, address and time', async () => {
    const since = await newestId()
    const invite = await admin.rest.post<CreatedInvite>('/admin/invites', { note: 'Kai' })
    const kai = accountFrom(
      server.url,
      (
        await anonymous.post<AuthResult>('/auth/register', {
          username: 'kai',
          password: TEST_PASSWORD,
          invite_code: invite.data.code,
        })
      ).data,
    )
    const laptop = await signIn(server.url, 'kai')
    await anonymous.post('/auth/login', { username: 'kai', password: 'not the password' })
    await anonymous.post('/auth/login', { username: 'nobody-here', password: 'whatever1' })
    await laptop.rest.post('/users/me/password', {
      current_password: TEST_PASSWORD,
      new_password: 'kai second password',
    })
    // The laptop changed the password, which signed the first device out: the rest is its own.
    expect((await laptop.rest.post('/users/me/sessions/revoke-others')).status).toBe(200)
    expect((await laptop.rest.post('/auth/logout')).status).toBe(200)
    const revokedInvite = await admin.rest.post<CreatedInvite>('/admin/invites', {})
    await admin.rest.delete(`/admin/invites/${revokedInvite.data.id}`)
    await admin.rest.put(`/admin/users/${kai.user.id}/role`, { role: 'admin' })
    await admin.rest.put(`/admin/users/${kai.user.id}/role`, { role: 'member' })
    await admin.rest.post(`/admin/users/${kai.user.id}/deactivate`)
    await admin.rest.post(`/admin/users/${kai.user.id}/reactivate`)
    const reset = await admin.rest.post<PasswordResetIssued>(
      `/admin/users/${kai.user.id}/password-reset`,
    )
    await anonymous.post('/auth/password-reset', {
      code: reset.data.code,
      new_password: 'kai third password',
    })
    await admin.rest.post(`/admin/users/${kai.user.id}/sessions/revoke`)
    await admin.rest.put('/branding', { timezone: 'Asia/Tokyo', organization_name: 'Kaizen' })
    await admin.rest.post('/admin/notifications', { title: 'Fire drill', body: 'At noon' })
    await admin.rest.put('/admin/retention', { message_retention_days: 400 })
    await admin.rest.put('/admin/retention', { message_retention_days: null })

    const admins = ref(admin)
    const kais = ref(kai)
    const expected: [AuditKind, object | null, object | null, object][] = [
      ['invite_created', admins, null, { invite_id: invite.data.id, note: 'Kai' }],
      ['user_registered', kais, null, { how: 'invite', invite_id: invite.data.id }],
      ['signed_in', kais, null, {}],
      ['sign_in_failed', null, kais, { username: 'kai', reason: 'wrong password' }],
      ['sign_in_failed', null, null, { username: 'nobody-here', reason: 'unknown username' }],
      ['password_changed', kais, null, { signed_out_sessions: 1 }],
      ['other_devices_signed_out', kais, null, { signed_out_sessions: 0 }],
      ['signed_out', kais, null, {}],
      ['invite_created', admins, null, { invite_id: revokedInvite.data.id }],
      ['invite_revoked', admins, null, { invite_id: revokedInvite.data.id, note: null }],
      ['role_changed', admins, kais, { from: 'member', to: 'admin' }],
      ['role_changed', admins, kais, { from: 'admin', to: 'member' }],
      ['user_deactivated', admins, kais, { signed_out_sessions: 0 }],
      ['user_reactivated', admins, kais, {}],
      ['password_reset_issued', admins, kais, { expires_at: reset.data.expires_at }],
      ['password_reset_used', kais, null, { signed_out_sessions: 0 }],
      ['sessions_revoked', admins, kais, { signed_out_sessions: 1 }],
      ['timezone_changed', admins, null, { from: 'UTC', to: 'Asia/Tokyo' }],
      ['organization_renamed', admins, null, { from: 'Tidings', to: 'Kaizen' }],
      ['broadcast_sent', admins, null, { title: 'Fire drill', level: 'info' }],
      ['retention_changed', admins, null, { from: null, to: 400 }],
      ['retention_changed', admins, null, { from: 400, to: null }],
    ]
    const recorded = await entriesAfter(since)
    expect(
      recorded.map(({ kind, actor, target, details }) => [kind, actor, target, details]),
    ).toEqual(
      expected.map(([kind, actor, target, details]) => [
        kind,
        actor,
        target,
        expect.objectContaining(details),
      ]),
    )
    const now = new Date().toISOString()
    for (const entry of recorded) {
      expect(entry.address).toBe('127.0.0.1')
      expect(entry.at >= startedAt && entry.at <= now, entry.at).toBe(true)
    }
    // The invite's creation details: its expiry too.
    expect(recorded[0]!.details.expires_at).toBe(invite.data.expires_at)
    await admin.rest.put('/branding', { timezone: 'UTC', organization_name: 'Tidings' })
  })

  it('filters by person (as actor or target) and by kind, a page at a time', async () => {
    const lia = await registerMember(admin, 'lia')
    const moe = await registerMember(admin, 'moe')
    await admin.rest.post(`/admin/users/${lia.user.id}/deactivate`)
    await admin.rest.post(`/admin/users/${lia.user.id}/reactivate`)
    await signIn(server.url, 'moe')
    await signIn(server.url, 'lia')

    const lias = await entries(`?user_id=${lia.user.id}`)
    expect(lias.map((e) => e.kind)).toEqual([
      'signed_in',
      'user_reactivated',
      'user_deactivated',
      'user_registered',
    ])
    for (const entry of lias) expect([entry.actor?.id, entry.target?.id]).toContain(lia.user.id)
    const moeSignIns = await entries(`?user_id=${moe.user.id}&kind=signed_in`)
    expect(moeSignIns).toHaveLength(1)
    expect(moeSignIns[0]!.actor).toEqual(ref(moe))

    // Pages, newest first: next_before leads on until it is null.
    const all = await entries('?limit=500')
    const seen: number[] = []
    let before: number | null = null
    do {
      const query: string = `?limit=3${before === null ? '' : `&before=${before}`}`
      const page: AuditPage = (await admin.rest.get<AuditPage>(`/admin/audit${query}`)).data
      expect(page.entries.length).toBeLessThanOrEqual(3)
      seen.push(...page.entries.map((e) => e.id))
      before = page.next_before
    } while (before !== null)
    expect(seen).toEqual(all.map((e) => e.id))

    for (const query of ['?kind=bogus', '?limit=0', '?limit=501', '?user_id=x', '?before=0']) {
      expect((await admin.rest.get(`/admin/audit${query}`)).status, query).toBe(400)
    }
  })

  it('exports CSV: a header, one row per entry, times in UTC and in the organization zone', async () => {
    await admin.rest.put('/branding', { timezone: 'America/New_York' })
    const nia = await registerMember(admin, 'nia')
    // A name typed to become a formula in a spreadsheet is written as text.
    await anonymous.post('/auth/login', { username: '=HYPERLINK("x")', password: 'whatever1' })

    const response = await fetch(`${server.url}/admin/audit.csv`, {
      headers: { authorization: `Bearer ${admin.token}` },
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    expect(response.headers.get('content-disposition')).toMatch(
      /^attachment; filename="tidings-audit-\d{4}-\d{2}-\d{2}\.csv"$/,
    )
    const { header, records } = parseCsv(await response.text())
    expect(header).toEqual([...AUDIT_CSV_COLUMNS])
    expect(header.slice(0, 2)).toEqual(['time_utc', 'time_local'])
    const all = await entries('?limit=500')
    expect(records.map((r) => r.time_utc)).toEqual(all.map((e) => e.at))
    const registered = records.find(
      (r) => r.kind === 'user_registered' && r.actor_username === 'nia',
    )
    expect(registered).toMatchObject({
      event: AUDIT_KIND_LABELS.user_registered,
      actor_name: 'Nia',
      address: '127.0.0.1',
    })
    expect(nia.user.username).toBe('nia')
    // The same instant, written with New York's offset.
    expect(registered!.time_local).toMatch(/-0[45]:00$/)
    expect(Date.parse(registered!.time_local)).toBe(Date.parse(registered!.time_utc))
    expect(registered!.time_local).toBe(
      DateTime.fromISO(registered!.time_utc).setZone('America/New_York').toISO(),
    )
    const formula = records.find(
      (r) => r.kind === 'sign_in_failed' && r.details.includes('HYPERLINK'),
    )
    expect(JSON.parse(formula!.details)).toMatchObject({ username: '=HYPERLINK("x")' })
    expect(records.some((r) => Object.values(r).some((cell) => cell.startsWith('=')))).toBe(false)

    // The filters of the page apply to the export.
    const filtered = await fetch(`${server.url}/admin/audit.csv?kind=user_registered`, {
      headers: { authorization: `Bearer ${admin.token}` },
    })
    const kinds = new Set(parseCsv(await filtered.text()).records.map((r) => r.kind))
    expect([...kinds]).toEqual(['user_registered'])
    await admin.rest.put('/branding', { timezone: 'UTC' })
  })

  it('streams an export larger than one read', async () => {
    const store = await openStore(server.dataDir)
    try {
      const at = new Date().toISOString()
      // 2,500 entries: more than two of the export's chunks of 1,000.
      const values = Array.from(
        { length: 2500 },
        (_, i) =>
          `('${at}', 'signed_in', ${admin.user.id}, null, '10.0.${i >> 8}.${i & 255}', '{}')`,
      )
      await store.exec(
        `insert into audit_log (at, kind, actor_id, target_id, address, details) values ${values.join(',')}`,
      )
    } finally {
      await store.close()
    }
    const total = (await entries('?limit=500&kind=signed_in')).length
    expect(total).toBe(500)
    const response = await fetch(`${server.url}/admin/audit.csv?kind=signed_in`, {
      headers: { authorization: `Bearer ${admin.token}` },
    })
    const { records } = parseCsv(await response.text())
    const bulk = records.filter((r) => r.address.startsWith('10.0.'))
    expect(bulk).toHaveLength(2500)
    expect(new Set(bulk.map((r) => r.address)).size).toBe(2500)
  })

  it('has no route that edits or deletes an entry', async () => {
    const before = await entries('?limit=500')
    const id = before[0]!.id
    for (const [method, path] of [
      ['DELETE', '/admin/audit'],
      ['DELETE', `/admin/audit/${id}`],
      ['PUT', `/admin/audit/${id}`],
      ['PATCH', `/admin/audit/${id}`],
      ['POST', '/admin/audit'],
      ['DELETE', '/admin/audit.csv'],
    ] as const) {
      const response = await admin.rest.request(method, path, method === 'DELETE' ? undefined : {})
      expect(response.status, `${method} ${path}`).toBe(404)
    }
    expect(await entries('?limit=500')).toEqual(before)
  })
})

describe('the audit log on an address behind a trusted proxy', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startHarness({ trustProxy: ['127.0.0.1'] })
  })
  afterAll(() => server.stop())

  it('records the client address from X-Forwarded-For, as --trust-proxy says', async () => {
    const admin = await registerAdmin(server.url)
    const headers = { 'x-forwarded-for': '203.0.113.9' }
    await new RestClient(server.url).post(
      '/auth/login',
      { username: 'admin', password: TEST_PASSWORD },
      { headers },
    )
    const [newest] = (await admin.rest.get<AuditPage>('/admin/audit?limit=1')).data.entries
    expect(newest).toMatchObject({ kind: 'signed_in', address: '203.0.113.9' })
  })
})

describe('the audit log without a trusted proxy', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startHarness()
  })
  afterAll(() => server.stop())

  it('ignores X-Forwarded-For: anyone could send it', async () => {
    const admin = await registerAdmin(server.url)
    await new RestClient(server.url).post(
      '/auth/login',
      { username: 'admin', password: TEST_PASSWORD },
      { headers: { 'x-forwarded-for': '203.0.113.9' } },
    )
    const [newest] = (await admin.rest.get<AuditPage>('/admin/audit?limit=1')).data.entries
    expect(newest).toMatchObject({ kind: 'signed_in', address: '127.0.0.1' })
  })
})

describe('the audit log kept within bounds', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startHarness({
      auditRetentionDays: 30,
      auditMaxEntries: 40,
      authAttemptsPerMinute: 1000,
    })
  })
  afterAll(() => server.stop())

  it('lets entries past the retention period go, and beyond the most entries the oldest', async () => {
    let admin = await registerAdmin(server.url)
    for (let i = 0; i < 5; i++) await signIn(server.url, 'admin')
    const store = await openStore(server.dataDir)
    try {
      const old = new Date(Date.now() - 31 * 24 * 3600_000).toISOString()
      await store.all("update audit_log set at = ? where kind = 'user_registered'", old)
    } finally {
      await store.close()
    }
    // The sweep runs at start (and hourly). A new port: no connection of the old server is reused.
    await server.restart({ port: 0 })
    admin = accountFrom(server.url, admin)
    const kinds = (await admin.rest.get<AuditPage>('/admin/audit')).data.entries.map((e) => e.kind)
    expect(kinds).toEqual(Array(5).fill('signed_in'))

    for (let i = 0; i < 50; i++) await signIn(server.url, 'admin')
    const newest = (await admin.rest.get<AuditPage>('/admin/audit?limit=1')).data.entries[0]!
    await server.restart({ port: 0 })
    admin = accountFrom(server.url, admin)
    const kept = (await admin.rest.get<AuditPage>('/admin/audit?limit=500')).data.entries
    expect(kept).toHaveLength(40)
    expect(kept[0]!.id).toBe(newest.id)
    expect(kept.at(-1)!.id).toBe(newest.id - 39)
  })
})
