import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import { startServer } from '../../../server/startServer'
import { LocalStore } from '../../../src/main/core/localStore'
import { PreferencesStore } from '../../../src/main/core/preferencesStore'
import type { InvokeResult } from '../../../src/shared/ipc'
import type { Preferences } from '../../../src/shared/preferences'
import { FakeBrowserWindow, ipcMain, nativeTheme } from './fakeElectron'
import { fakeSecretStore } from '../core/support/fakeSecretStore'

vi.mock('electron', async () => (await import('./fakeElectron')).electronModule)

const { WINDOW_BACKGROUND } = await import('../../../src/main/electron/appearance')

// The whole main entry with a dark theme chosen on an earlier run: nativeTheme follows it from
// before the first window, and every change made in the settings window after.
let server: Awaited<ReturnType<typeof startServer>>
let dir: string
const SETTINGS_PAGE = { senderFrame: { url: 'app://tidings/settings.html' } }

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tidings-theme-'))
  server = await startServer({ port: 0, host: '127.0.0.1', dataDir: join(dir, 'server') })
  const userData = join(dir, 'user')
  const store = new LocalStore(userData, fakeSecretStore())
  new PreferencesStore(store).set({ theme: 'dark' })
  store.close()
  process.env.TIDINGS_SERVER_URL = server.url
  process.env.TIDINGS_USER_DATA_DIR = userData
  await import('../../../src/main/index')
  await vi.waitFor(() => expect(FakeBrowserWindow.instances).toHaveLength(1), { timeout: 10_000 })
})

afterAll(async () => {
  delete process.env.TIDINGS_SERVER_URL
  delete process.env.TIDINGS_USER_DATA_DIR
  await server.close()
  await rm(dir, { recursive: true, force: true })
})

async function setTheme(theme: string): Promise<InvokeResult<Preferences>> {
  return (await ipcMain.handlers.get('settings/set')?.(SETTINGS_PAGE, {
    theme,
  })) as InvokeResult<Preferences>
}

it('applies the stored theme before the first window, which opens dark', () => {
  expect(nativeTheme.sourcesSet).toEqual(['dark'])
  // The window's background is read from nativeTheme as it is created.
  expect(FakeBrowserWindow.instances[0]?.options.backgroundColor).toBe(WINDOW_BACKGROUND.dark)
})

it('follows each theme chosen in the settings window, window background included', async () => {
  const main = FakeBrowserWindow.instances[0]!
  expect(await setTheme('light')).toMatchObject({ ok: true, data: { theme: 'light' } })
  expect(nativeTheme.themeSource).toBe('light')
  expect(main.backgroundColor).toBe(WINDOW_BACKGROUND.light)

  // 'system' hands the choice back to the OS, and follows it when it changes.
  await setTheme('system')
  expect(nativeTheme.themeSource).toBe('system')
  nativeTheme.setSystemDark(true)
  expect(main.backgroundColor).toBe(WINDOW_BACKGROUND.dark)

  // A refused value changes nothing.
  expect(await setTheme('sepia')).toMatchObject({ ok: false, error: { code: 'invalid_request' } })
  expect(nativeTheme.themeSource).toBe('system')
  expect(nativeTheme.sourcesSet).toEqual(['dark', 'light', 'system'])
})
