import { beforeEach, describe, expect, it } from 'vitest'
import { pageReceives } from '../../../src/shared/ipc'
import { DEFAULT_PREFERENCES } from '../../../src/shared/preferences'
import { appPerTest, type CoreFixture, serverPerFile } from './support/coreFixture'

/**
 * The theme in the core: a per-device preference the settings window sets through settings/set,
 * validated, kept across a restart, and pushed to every window (each page applies it live).
 */
describe('app core: theme preference (real server, real local store)', () => {
  const server = serverPerFile()
  const apps = appPerTest(server)
  let app: CoreFixture

  beforeEach(async () => {
    app = await apps.start()
  })

  it('starts as "system", changes, and pushes each change to both windows', async () => {
    expect((await app.core.handle('settings/get', undefined)).theme).toBe('system')
    const pushed = app.outputs.payloads('settings/changed').length
    const dark = await app.core.handle('settings/set', { theme: 'dark' })
    expect(dark.theme).toBe('dark')
    await app.core.handle('settings/set', { theme: 'light' })
    const changes = app.outputs.payloads('settings/changed').slice(pushed)
    expect(changes.map((p) => p.theme)).toEqual(['dark', 'light'])
    // Both pages take the push (windows.ts and the e2e harness send it by this table).
    for (const page of ['index.html', 'settings.html'] as const) {
      expect(pageReceives(page, 'settings/changed', changes[0]!)).toBe(true)
    }
    // Nothing else changed.
    expect(changes[1]).toEqual({ ...DEFAULT_PREFERENCES, theme: 'light' })
  })

  it('refuses a theme it does not know, naming the field, and changes nothing', async () => {
    await app.core.handle('settings/set', { theme: 'dark' })
    const pushed = app.outputs.payloads('settings/changed').length
    for (const theme of ['sepia', '', 1, null, 'DARK']) {
      await expect(app.core.handle('settings/set', { theme } as never)).rejects.toMatchObject({
        code: 'invalid_request',
        message: expect.stringContaining('/theme'),
      })
    }
    expect((await app.core.handle('settings/get', undefined)).theme).toBe('dark')
    expect(app.outputs.payloads('settings/changed').length).toBe(pushed)
  })

  it('keeps the theme across a restart of the core', async () => {
    await app.core.handle('settings/set', { theme: 'dark' })
    await app.core.stop()
    const second = await apps.start()
    expect((await second.core.handle('settings/get', undefined)).theme).toBe('dark')
  })
})
