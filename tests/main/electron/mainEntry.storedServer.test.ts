import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import type { startServer } from '../../../server/startServer'
import type { InvokeResult, SessionState } from '../../../src/shared/ipc'
import type { Preferences } from '../../../src/shared/preferences'
import { FakeBrowserWindow, app, dialog, ipcMain, utilityProcess } from './fakeElectron'
import { serverChosenInSettings } from './storedServerProfile'

vi.mock('electron', async () => (await import('./fakeElectron')).electronModule)

// No --server-url and no TIDINGS_SERVER_URL: the server chosen earlier in the settings window is
// used, and choosing another one there offers a restart.
let server: Awaited<ReturnType<typeof startServer>>
let dir: string
let forksAtStart = 0
const OWN_PAGE = { senderFrame: { url: 'app://tidings/settings.html' } }

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tidings-stored-server-'))
  server = await serverChosenInSettings(dir)
  await import('../../../src/main/index')
  await vi.waitFor(() => expect(FakeBrowserWindow.instances).toHaveLength(1), { timeout: 10_000 })
  forksAtStart = utilityProcess.fork.mock.calls.length
})

afterAll(async () => {
  delete process.env.TIDINGS_USER_DATA_DIR
  await server.close()
  await rm(dir, { recursive: true, force: true })
})

it('connects to the server stored in the preferences instead of starting the bundled one', async () => {
  expect(forksAtStart).toBe(0)
  const result = (await ipcMain.handlers.get('session/get')?.(
    OWN_PAGE,
    undefined,
  )) as InvokeResult<SessionState>
  expect(result).toMatchObject({ ok: true, data: { server_url: server.url, embedded: false } })
})

it('offers a restart when another server is chosen, and relaunches on "Restart now"', async () => {
  const result = (await ipcMain.handlers.get('settings/set')?.(OWN_PAGE, {
    server_url: null,
  })) as InvokeResult<Preferences>
  expect(result).toMatchObject({ ok: true, data: { server_url: null } })
  await vi.waitFor(() => expect(app.relaunch).toHaveBeenCalledTimes(1))
  expect(dialog.showMessageBox).toHaveBeenCalledTimes(1)
  expect(dialog.showMessageBox.mock.calls[0]).toEqual([
    expect.objectContaining({ detail: 'Tidings will use its built-in server.' }),
  ])
  expect(app.quit).toHaveBeenCalled()
})
