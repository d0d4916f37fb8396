import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { startServer } from '../../../server/startServer'
import { INVOKE_CHANNELS } from '../../../src/shared/ipc'
import type { InvokeResult, SessionState } from '../../../src/shared/ipc'
import {
  FakeBrowserWindow,
  FakeTray,
  app,
  fakeEvent,
  ipcMain,
  protocol,
  utilityProcess,
} from './fakeElectron'

vi.mock('electron', async () => (await import('./fakeElectron')).electronModule)

// The whole main entry with the real core against a real server on port 0 (given as a remote
// server URL, so no utility process is forked); only Electron is faked.
let server: Awaited<ReturnType<typeof startServer>>
let dir: string
/** app.getAppPath(): a folder with a built renderer page, for the app scheme to serve. */
let appDir: string
let startup: {
  lockCalls: number
  appUserModelIds: string[]
  setPathCalls: string[][]
  forks: number
  sandboxEnabledWhileReady: boolean[]
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tidings-main-'))
  server = await startServer({ port: 0, host: '127.0.0.1', dataDir: join(dir, 'server') })
  process.env.TIDINGS_SERVER_URL = server.url
  process.env.TIDINGS_USER_DATA_DIR = join(dir, 'user')
  appDir = join(dir, 'app')
  await mkdir(join(appDir, 'out', 'renderer', 'assets'), { recursive: true })
  await writeFile(join(appDir, 'out', 'renderer', 'index.html'), '<!doctype html>')
  await writeFile(join(appDir, 'out', 'renderer', 'assets', 'index.js'), 'export {}')
  await writeFile(join(appDir, 'out', 'secret.txt'), 'secret')
  app.getAppPath.mockReturnValue(appDir)
  await import('../../../src/main/index')
  await vi.waitFor(() => expect(FakeBrowserWindow.instances).toHaveLength(1), { timeout: 10_000 })
  // Vitest clears mock calls before each test: keep what start-up did.
  startup = {
    lockCalls: app.requestSingleInstanceLock.mock.calls.length,
    appUserModelIds: app.setAppUserModelId.mock.calls.map((call) => call[0]),
    setPathCalls: app.setPath.mock.calls.map((call) => [...call]),
    forks: utilityProcess.fork.mock.calls.length,
    sandboxEnabledWhileReady: [...app.sandboxEnabledWhileReady],
  }
})

afterAll(async () => {
  delete process.env.TIDINGS_SERVER_URL
  delete process.env.TIDINGS_USER_DATA_DIR
  await server.close()
  await rm(dir, { recursive: true, force: true })
})

describe('main entry', () => {
  it('takes the lock, sets the AppUserModelID and uses the given profile folder', () => {
    expect(startup.lockCalls).toBe(1)
    expect(startup.appUserModelIds).toEqual(['app.tidings.desktop'])
    expect(startup.setPathCalls).toEqual([['userData', join(dir, 'user')]])
    expect(startup.forks).toBe(0)
  })

  it('sandboxes every renderer, once and before the app is ready', () => {
    expect(startup.sandboxEnabledWhileReady).toEqual([false])
  })

  it('makes app: a privileged scheme before ready, and handles it once ready', () => {
    expect(protocol.privileged).toEqual([
      {
        scheme: 'app',
        privileges: { standard: true, secure: true, supportFetchAPI: true },
        ready: false,
      },
    ])
    expect([...protocol.handlers.keys()]).toEqual(['app'])
    expect(protocol.handledWhileReady.get('app')).toBe(true)
  })

  it('serves the built renderer folder on app://tidings/, and nothing outside it', async () => {
    const handler = protocol.handlers.get('app')
    const get = async (url: string) => await handler!(new Request(url))
    const page = await get('app://tidings/index.html')
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(await page.text()).toBe('<!doctype html>')
    const script = await get('app://tidings/assets/index.js')
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    for (const url of [
      'app://tidings/..%2fsecret.txt',
      'app://tidings/assets',
      'app://other/index.html',
    ]) {
      expect((await get(url)).status, url).toBe(404)
    }
  })

  it('opens the main window on the built page with the CommonJS preload', () => {
    const win = FakeBrowserWindow.instances[0]
    expect(win?.loadedUrl).toBe('app://tidings/index.html')
    expect(win?.options.webPreferences).toMatchObject({
      preload: join(appDir, 'out', 'preload', 'index.cjs'),
      sandbox: true,
      contextIsolation: true,
    })
  })

  it('answers our page over IPC from the real core, and refuses others', async () => {
    expect([...ipcMain.handlers.keys()].sort()).toEqual([...INVOKE_CHANNELS].sort())
    const handler = ipcMain.handlers.get('session/get')
    const own = (await handler?.(
      { senderFrame: { url: 'app://tidings/index.html' } },
      undefined,
    )) as InvokeResult<SessionState>
    expect(own).toMatchObject({
      ok: true,
      data: { user: null, server_url: server.url, embedded: false },
    })
    for (const url of [
      'https://example.com/',
      pathToFileURL(join(appDir, 'out/renderer/index.html')).href,
    ]) {
      const foreign = (await handler?.(
        { senderFrame: { url } },
        undefined,
      )) as InvokeResult<SessionState>
      expect(foreign.ok, url).toBe(false)
    }
  })

  it('brings the window forward on a second launch', () => {
    const win = FakeBrowserWindow.instances[0]
    win?.minimize()
    app.emit('second-instance', {}, ['tidings'], '/')
    expect(win?.minimized).toBe(false)
    expect(win?.focused).toBe(true)
  })

  it('has a tray, and hides the window there on close', () => {
    expect(FakeTray.instances).toHaveLength(1)
    const win = FakeBrowserWindow.instances[0]
    win?.close()
    expect(win?.destroyed).toBe(false)
    expect(win?.visible).toBe(false)
  })

  it('quits cleanly: holds the quit, stops the core, then quits for real', async () => {
    const event = fakeEvent()
    app.emit('before-quit', event)
    expect(event.defaultPrevented).toBe(true)
    await vi.waitFor(() => expect(app.quit).toHaveBeenCalledTimes(1), { timeout: 10_000 })
    expect(FakeTray.instances[0]?.destroyed).toBe(true)
    expect(ipcMain.handlers.size).toBe(0)
    // The real quit that follows is not held again, and the window may now close.
    const second = fakeEvent()
    app.emit('before-quit', second)
    expect(second.defaultPrevented).toBe(false)
    FakeBrowserWindow.instances[0]?.close()
    expect(FakeBrowserWindow.instances[0]?.destroyed).toBe(true)
  })
})
