import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import type { startServer } from '../../../server/startServer'
import { inviteLink } from '../../../src/shared/deepLinks'
import type { InvokeResult, SessionState } from '../../../src/shared/ipc'
import { FakeBrowserWindow, app, dialog, fakeEvent, ipcMain } from './fakeElectron'
import { serverChosenInSettings } from './storedServerProfile'

vi.mock('electron', async () => (await import('./fakeElectron')).electronModule)

// The main entry with tidings:// links from each source: the cold start's argv, a second
// launch's argv and macOS's open-url. The server was chosen in the settings (not fixed on the
// command line), so an invite for another one may switch to it, once confirmed.
let server: Awaited<ReturnType<typeof startServer>>
let dir: string
const MAIN_PAGE = { senderFrame: { url: 'app://tidings/index.html' } }
const COLD_START_LINK = 'tidings://conversation/999'
let openUrlListenersBeforeReady = 0

function messages(): string[] {
  return dialog.showMessageBox.mock.calls.map((call) => {
    const options = call.at(-1) as { message?: string }
    return options.message ?? ''
  })
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tidings-deep-links-'))
  server = await serverChosenInSettings(dir)
  process.argv.push(COLD_START_LINK)
  app.whenReady.mockImplementationOnce(() => {
    openUrlListenersBeforeReady = app.listenerCount('open-url')
    app.ready = true
    return Promise.resolve()
  })
  await import('../../../src/main/index')
  await vi.waitFor(() => expect(FakeBrowserWindow.instances).toHaveLength(1), { timeout: 10_000 })
})

afterAll(async () => {
  process.argv.splice(process.argv.indexOf(COLD_START_LINK), 1)
  delete process.env.TIDINGS_USER_DATA_DIR
  await server.close()
  await rm(dir, { recursive: true, force: true })
})

it('listens for macOS open-url before the app is ready', () => {
  expect(openUrlListenersBeforeReady).toBe(1)
})

it('a cold start’s conversation link waits for the sign-in, then is checked against membership', async () => {
  // Signed out at start: nothing is said yet.
  await new Promise((resolve) => setTimeout(resolve, 50))
  expect(messages()).toEqual([])
  const result = (await ipcMain.handlers.get('session/register')?.(MAIN_PAGE, {
    username: 'admin',
    password: 'correct horse battery',
  })) as InvokeResult<SessionState>
  expect(result).toMatchObject({ ok: true, data: { user: { username: 'admin' } } })
  await vi.waitFor(() =>
    expect(messages()).toContain('This link is for a conversation you are not in.'),
  )
})

it('a second launch’s invite for this server: the window comes forward with the form’s notice', async () => {
  dialog.showMessageBox.mockClear()
  const win = FakeBrowserWindow.instances[0]!
  win.hide()
  app.emit('second-instance', fakeEvent(), ['tidings', inviteLink(server.url, 'abc123')], '/')
  await vi.waitFor(() => expect(messages()).toHaveLength(1))
  expect(win.isVisible()).toBe(true)
  expect(messages()[0]).toMatch(/^This invite is for a new account\. Sign out first/)
})

it('an open-url invite for another server switches only once confirmed, then restarts with the link', async () => {
  dialog.showMessageBox.mockClear()
  dialog.showMessageBox.mockResolvedValueOnce({ response: 1, checkboxChecked: false })
  const link = inviteLink('https://chat.example.com', 'xyz789')
  app.emit('open-url', fakeEvent(), link)
  await vi.waitFor(() =>
    expect(messages()).toEqual(['Switch Tidings to https://chat.example.com?']),
  )
  await new Promise((resolve) => setTimeout(resolve, 50))
  expect(app.relaunch).not.toHaveBeenCalled()
  const unchanged = (await ipcMain.handlers.get('settings/get')?.(MAIN_PAGE, undefined)) as {
    data: { server_url: string }
  }
  expect(unchanged.data.server_url).toBe(server.url)

  // Confirmed (the fake's default answer is the first button): saved, and one restart.
  app.emit('open-url', fakeEvent(), link)
  await vi.waitFor(() => expect(app.relaunch).toHaveBeenCalledTimes(1))
  const [{ args }] = app.relaunch.mock.calls[0] as unknown as [{ args: string[] }]
  expect(args.at(-1)).toBe(link)
  expect(args).not.toContain(COLD_START_LINK)
  const changed = (await ipcMain.handlers.get('settings/get')?.(MAIN_PAGE, undefined)) as {
    data: { server_url: string }
  }
  expect(changed.data.server_url).toBe('https://chat.example.com')
  // The confirmation was the only question: no second "Restart Tidings to switch servers?".
  expect(messages()).toEqual([
    'Switch Tidings to https://chat.example.com?',
    'Switch Tidings to https://chat.example.com?',
  ])
})
