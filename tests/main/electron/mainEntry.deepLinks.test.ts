import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import { startServer } from '../../../server/startServer'
import { inviteLink } from '../../../src/shared/deepLinks'
import type { InvokeResult, LinkPrefill, ServerList, SessionState } from '../../../src/shared/ipc'
import { FakeBrowserWindow, app, dialog, fakeEvent, ipcMain } from './fakeElectron'
import { serverChosenInSettings } from './storedServerProfile'

vi.mock('electron', async () => (await import('./fakeElectron')).electronModule)

// The main entry with tidings:// links from each source: the cold start's argv, a second
// launch's argv and macOS's open-url. The server was chosen in the settings (not fixed on the
// command line), so an invite for another one may add it, once confirmed.
let server: Awaited<ReturnType<typeof startServer>>
let other: Awaited<ReturnType<typeof startServer>>
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
  other = await startServer({
    port: 0,
    host: '127.0.0.1',
    dataDir: join(dir, 'other'),
    scryptCost: 1024,
  })
  process.argv.push(COLD_START_LINK)
  app.whenReady.mockImplementationOnce(() => {
    openUrlListenersBeforeReady = app.listenerCount('open-url')
    app.ready = true
    return Promise.resolve()
  })
  await import('../../../src/main/index')
  await vi.waitFor(() => expect(FakeBrowserWindow.instances).toHaveLength(1), { timeout: 10_000 })
  FakeBrowserWindow.instances[0]!.webContents.finishLoad()
})

function sentToMain(channel: string): unknown[] {
  return FakeBrowserWindow.instances[0]!.webContents.send.mock.calls.filter(
    ([c]) => c === channel,
  ).map(([, payload]) => payload)
}

afterAll(async () => {
  process.argv.splice(process.argv.indexOf(COLD_START_LINK), 1)
  delete process.env.TIDINGS_USER_DATA_DIR
  await Promise.all([server.close(), other.close()])
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
  // The form fills in once signed out: the page hears of it now, and can take it then.
  const invited = { form: 'register', server_url: server.url, code: 'abc123' }
  expect(sentToMain('links/prefill')).toEqual([invited])
  const taken = (await ipcMain.handlers.get('links/takePrefill')?.(
    MAIN_PAGE,
    undefined,
  )) as InvokeResult<LinkPrefill | null>
  expect(taken).toEqual({ ok: true, data: invited })
})

it('an open-url invite for another server adds it only once confirmed, without a restart', async () => {
  dialog.showMessageBox.mockClear()
  dialog.showMessageBox.mockResolvedValueOnce({ response: 1, checkboxChecked: false })
  const link = inviteLink(other.url, 'xyz789')
  app.emit('open-url', fakeEvent(), link)
  await vi.waitFor(() => expect(messages()).toEqual([`Add ${other.url} to Tidings?`]))
  await new Promise((resolve) => setTimeout(resolve, 50))
  const listed = async () =>
    (await ipcMain.handlers.get('servers/list')?.(
      MAIN_PAGE,
      undefined,
    )) as InvokeResult<ServerList> as { ok: true; data: ServerList }
  expect((await listed()).data.servers.map((s) => s.url)).toEqual([server.url])

  // Confirmed (the fake's default answer is the first button): added and shown, the form filled.
  app.emit('open-url', fakeEvent(), link)
  await vi.waitFor(async () =>
    expect((await listed()).data.servers.map((s) => s.url)).toEqual([server.url, other.url]),
  )
  await vi.waitFor(() =>
    expect(sentToMain('links/prefill').at(-1)).toEqual({
      form: 'register',
      server_url: other.url,
      code: 'xyz789',
    }),
  )
  expect(sentToMain('session/changed').at(-1)).toMatchObject({ server_url: other.url, user: null })
  expect(app.relaunch).not.toHaveBeenCalled()
  expect(app.quit).not.toHaveBeenCalled()
  // Signed out there: nothing but the two questions was asked.
  expect(messages()).toEqual([`Add ${other.url} to Tidings?`, `Add ${other.url} to Tidings?`])
})
