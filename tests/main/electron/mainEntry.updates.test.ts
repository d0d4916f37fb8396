import { EventEmitter } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import { startServer } from '../../../server/startServer'
import type { InvokeChannel, InvokeResult } from '../../../src/shared/ipc'
import type { UpdateState } from '../../../src/shared/updates'
import type * as AutoUpdater from '../../../src/main/electron/autoUpdater'
import { FakeBrowserWindow, ipcMain } from './fakeElectron'

vi.mock('electron', async () => (await import('./fakeElectron')).electronModule)

// electron-updater as the adapter sees it (the app loads the package by name; here this fake is
// handed to the real startAutoUpdates instead): a feed that is never asked within this test (the
// first check is 15 s after start), so what is tested is the wiring of the updater's state and
// of the user's switch.
vi.mock('../../../src/main/electron/autoUpdater', async (importOriginal) => {
  const actual = await importOriginal<typeof AutoUpdater>()
  const fake = Object.assign(new EventEmitter(), {
    autoDownload: true,
    autoInstallOnAppQuit: false,
    allowDowngrade: true,
    forceDevUpdateConfig: false,
    logger: null,
    setFeedURL: () => {},
    checkForUpdates: () => new Promise<never>(() => {}),
    downloadUpdate: () => new Promise<never>(() => {}),
    quitAndInstall: () => {},
  })
  return {
    ...actual,
    startAutoUpdates: (options: Parameters<typeof actual.startAutoUpdates>[0]) =>
      actual.startAutoUpdates({ ...options, loadUpdater: async () => fake }),
  }
})

// The main entry with updates on (a test feed makes any copy updatable): every window hears the
// updater's state, Settings → Updates turns it off and on, and "Restart to update" has nothing
// to install yet.
let server: Awaited<ReturnType<typeof startServer>>
let dir: string
const MAIN_PAGE = { senderFrame: { url: 'app://tidings/index.html' } }
const SETTINGS_PAGE = { senderFrame: { url: 'app://tidings/settings.html' } }
let sentAtStart: UpdateState[] = []

async function invoke<T>(page: object, channel: InvokeChannel, request?: unknown): Promise<T> {
  const result = (await ipcMain.handlers.get(channel)?.(page, request)) as InvokeResult<T>
  if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message}`)
  return result.data
}

function statesSent(): UpdateState[] {
  return FakeBrowserWindow.instances[0]!.webContents.send.mock.calls.filter(
    ([channel]) => channel === 'updates/state',
  ).map(([, state]) => state as UpdateState)
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tidings-updates-'))
  server = await startServer({ port: 0, host: '127.0.0.1', dataDir: join(dir, 'server') })
  process.env.TIDINGS_SERVER_URL = server.url
  process.env.TIDINGS_USER_DATA_DIR = join(dir, 'user')
  process.env.TIDINGS_UPDATE_FEED_URL = 'http://127.0.0.1:9/feed/'
  await import('../../../src/main/index')
  await vi.waitFor(() => expect(FakeBrowserWindow.instances).toHaveLength(1), { timeout: 10_000 })
  await vi.waitFor(() => expect(statesSent().length).toBeGreaterThan(0), { timeout: 10_000 })
  sentAtStart = statesSent()
})

afterAll(async () => {
  delete process.env.TIDINGS_SERVER_URL
  delete process.env.TIDINGS_USER_DATA_DIR
  delete process.env.TIDINGS_UPDATE_FEED_URL
  await server.close()
  await rm(dir, { recursive: true, force: true })
})

it('tells the windows what the updater does, and answers updates/get the same', async () => {
  expect(sentAtStart).toEqual([{ status: 'idle', checked_at: null }])
  expect(await invoke(SETTINGS_PAGE, 'updates/get')).toEqual({ status: 'idle', checked_at: null })
  // Nothing downloaded: "Restart to update" restarts nothing.
  expect(await invoke(MAIN_PAGE, 'updates/restart')).toEqual({ restarting: false })
})

it('follows the user’s switch in the settings window', async () => {
  await invoke(SETTINGS_PAGE, 'settings/set', { auto_update: false })
  expect(statesSent().at(-1)).toEqual({ status: 'disabled', reason: 'user' })
  expect(await invoke(MAIN_PAGE, 'updates/get')).toEqual({ status: 'disabled', reason: 'user' })
  // Another setting leaves the updater alone.
  const before = statesSent().length
  await invoke(SETTINGS_PAGE, 'settings/set', { clock: '24h' })
  expect(statesSent()).toHaveLength(before)
  await invoke(SETTINGS_PAGE, 'settings/set', { auto_update: true })
  expect(statesSent().at(-1)).toEqual({ status: 'idle', checked_at: null })
})

it('keeps "Restart to update" to the main window', async () => {
  const result = (await ipcMain.handlers.get('updates/restart')?.(
    SETTINGS_PAGE,
    undefined,
  )) as InvokeResult<unknown>
  expect(result).toMatchObject({ ok: false, error: { code: 'untrusted_sender' } })
})
