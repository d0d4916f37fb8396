import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { LocalStore } from '../../../src/main/core/localStore'
import { PreferencesStore, completePreferences } from '../../../src/main/core/preferencesStore'
import { DEFAULT_PREFERENCES } from '../../../src/shared/preferences'
import { fakeSecretStore } from './support/fakeSecretStore'

describe('preferences store', () => {
  let dir: string
  let store: LocalStore

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tidings-prefs-'))
    store = new LocalStore(dir, fakeSecretStore())
  })
  afterEach(() => {
    store.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('starts from the defaults', () => {
    expect(new PreferencesStore(store).get()).toEqual(DEFAULT_PREFERENCES)
  })

  it('merges partial updates, including a partial do-not-disturb, and persists them', () => {
    const preferences = new PreferencesStore(store)
    preferences.set({ clock: '24h', muted_conversation_ids: [4, 4, 9] })
    const result = preferences.set({ dnd: { mode: 'schedule', schedule_start: '23:15' } })
    expect(result).toEqual({
      ...DEFAULT_PREFERENCES,
      clock: '24h',
      muted_conversation_ids: [4, 9],
      dnd: { mode: 'schedule', until: null, schedule_start: '23:15', schedule_end: '07:00' },
    })
    store.close()
    store = new LocalStore(dir, fakeSecretStore())
    expect(new PreferencesStore(store).get()).toEqual(result)
  })

  it.each([
    [{ clock: '36h' }, '/clock'],
    [{ notification_privacy: 'secret' }, '/notification_privacy'],
    [{ dnd: { schedule_start: '25:00' } }, '/dnd/schedule_start'],
    [{ muted_conversation_ids: [0] }, '/muted_conversation_ids/0'],
    [{ pinned_conversation_ids: [1, 2, 3, 4, 5, 6] }, '/pinned_conversation_ids'],
    [{ pinned_conversation_ids: [3, 3] }, '/pinned_conversation_ids'],
    [{ theme: 'sepia' }, '/theme'],
    [{ theme: null }, '/theme'],
    [{ auto_update: 'yes' }, '/auto_update'],
    [{ server_url: 'https://chat.example.com' }, '/'],
    // A version with one server confirmed plain-http servers here; the server list does now.
    [{ unencrypted_server_confirmed: 'http://chat.example.com' }, '/'],
    [{ unencrypted_sign_in: 'yes' }, '/unencrypted_sign_in'],
    [{ surprise: true }, '/'],
  ])('rejects %j naming the field', (patch, where) => {
    const preferences = new PreferencesStore(store)
    expect(() => preferences.set(patch)).toThrow(
      expect.objectContaining({ code: 'invalid_request' }),
    )
    expect(() => preferences.set(patch)).toThrow(where)
    expect(preferences.get()).toEqual(DEFAULT_PREFERENCES)
  })

  it('rejects values only a finer check catches', () => {
    const preferences = new PreferencesStore(store)
    expect(() => preferences.set({ dnd: { mode: 'until', until: 'tomorrow' } })).toThrow(/RFC 3339/)
    expect(() => preferences.set({ dnd: { mode: 'until' } })).toThrow(/needs dnd.until/)
  })

  it('completes stored values from an older version and drops unreadable fields', () => {
    // server_url was the one server of earlier versions: the server list took it over.
    expect(
      completePreferences({
        clock: '24h',
        notification_privacy: 'loud',
        dnd: { mode: 'on' },
        server_url: 'https://chat.example.com',
      }),
    ).toEqual({
      ...DEFAULT_PREFERENCES,
      clock: '24h',
      dnd: { ...DEFAULT_PREFERENCES.dnd, mode: 'on' },
    })
    expect(completePreferences('garbage')).toEqual(DEFAULT_PREFERENCES)
  })

  it('loads preferences stored before pins existed, with no pins', () => {
    const { pinned_conversation_ids: _absent, ...older } = {
      ...DEFAULT_PREFERENCES,
      clock: '24h' as const,
      muted_conversation_ids: [3],
    }
    store.setJson('preferences', older)
    const loaded = new PreferencesStore(store).get()
    expect(loaded).toEqual({ ...older, pinned_conversation_ids: [] })
    // And pins are kept from then on, in their order.
    expect(new PreferencesStore(store).set({ pinned_conversation_ids: [9, 2] })).toMatchObject({
      clock: '24h',
      pinned_conversation_ids: [9, 2],
    })
    expect(new PreferencesStore(store).get().pinned_conversation_ids).toEqual([9, 2])
  })

  it('keeps the theme, and loads preferences stored before themes existed as "system"', () => {
    const { theme: _absent, ...older } = { ...DEFAULT_PREFERENCES, clock: '24h' as const }
    store.setJson('preferences', older)
    expect(new PreferencesStore(store).get()).toEqual({ ...older, theme: 'system' })
    expect(new PreferencesStore(store).set({ theme: 'dark' })).toMatchObject({
      clock: '24h',
      theme: 'dark',
    })
    store.close()
    store = new LocalStore(dir, fakeSecretStore())
    expect(new PreferencesStore(store).get().theme).toBe('dark')
  })

  it('keeps the session unencrypted without a keyring only once the user says so', () => {
    const plain = new LocalStore(join(dir, 'plain'), fakeSecretStore(false))
    try {
      const preferences = new PreferencesStore(plain)
      expect(preferences.get().unencrypted_sign_in).toBe(false)
      plain.setSecret('token', 'tok-1')
      const reopened = () => {
        const again = new LocalStore(join(dir, 'plain'), fakeSecretStore(false))
        try {
          new PreferencesStore(again)
          return again.getSecret('token')
        } finally {
          again.close()
        }
      }
      expect(reopened()).toBeNull()
      preferences.set({ unencrypted_sign_in: true })
      expect(reopened()).toBe('tok-1')
      preferences.set({ unencrypted_sign_in: false })
      expect(reopened()).toBeNull()
    } finally {
      plain.close()
    }
  })
  it("has each server's store keep its secrets as the device's choice says, now and after each change", () => {
    const secrets = fakeSecretStore(false)
    const device = new LocalStore(join(dir, 'device'), secrets)
    const servers = [1, 2].map((n) => new LocalStore(join(dir, `server-${n}`), secrets))
    const onDisk = (n: number) => {
      const again = new LocalStore(join(dir, `server-${n}`), secrets)
      try {
        again.setPlainSecretsAllowed(true)
        return again.getSecret('token')
      } finally {
        again.close()
      }
    }
    try {
      const preferences = new PreferencesStore(device)
      for (const server of servers) preferences.keepSecretsOf(server)
      servers.forEach((server, i) => server.setSecret('token', `tok-${i + 1}`))
      expect([onDisk(1), onDisk(2)]).toEqual([null, null])
      preferences.set({ unencrypted_sign_in: true })
      expect([onDisk(1), onDisk(2)]).toEqual(['tok-1', 'tok-2'])
      // A removed server's store is closed: the next change passes it by.
      servers[1]!.close()
      preferences.set({ unencrypted_sign_in: false })
      expect(onDisk(1)).toBeNull()
      expect(servers[0]!.getSecret('token')).toBe('tok-1')
      expect(onDisk(2)).toBe('tok-2')
    } finally {
      for (const store of [device, ...servers]) store.close()
    }
  })
})
