import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import type { InvokeResult, SessionState } from '../../../src/shared/ipc'
import type { FakeUtilityProcess } from './fakeElectron'
import { FakeBrowserWindow, app, fakeEvent, ipcMain } from './fakeElectron'
import { inProcessFork } from './inProcessServer'

vi.mock('electron', async () => (await import('./fakeElectron')).electronModule)

// Without a server URL the app runs the bundled server: the utility process is faked, but its
// child side is the real server entry logic with the real server (see inProcessServer.ts).
let dir: string
let child: FakeUtilityProcess | undefined

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tidings-embedded-'))
  process.env.TIDINGS_USER_DATA_DIR = join(dir, 'user')
  delete process.env.TIDINGS_SERVER_URL
  const { utilityProcess } = await import('./fakeElectron')
  utilityProcess.fork.mockImplementation((path, args, options) => {
    child = inProcessFork(path, args, options)
    return child
  })
  await import('../../../src/main/index')
  await vi.waitFor(() => expect(FakeBrowserWindow.instances).toHaveLength(1), { timeout: 15_000 })
})

afterAll(async () => {
  delete process.env.TIDINGS_USER_DATA_DIR
  await rm(dir, { recursive: true, force: true })
})

it('forks the built server entry with userData/server as its data folder', () => {
  expect(child?.modulePath).toBe('/app/out/main/serverProcess.js')
  expect(child?.args).toEqual([`--data-dir=${join(dir, 'user', 'server')}`])
  expect(existsSync(join(dir, 'user', 'server', 'tidings.db'))).toBe(true)
})

it('points the core at the bundled server, which has no account yet', async () => {
  const handler = ipcMain.handlers.get('session/get')
  const result = (await handler?.(
    { senderFrame: { url: 'app://tidings/index.html' } },
    undefined,
  )) as InvokeResult<SessionState>
  expect(result).toMatchObject({
    ok: true,
    data: { embedded: true, server_url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) },
  })
  if (!result.ok) throw new Error('session/get failed')
  const status = await fetch(`${result.data.server_url}/auth/status`)
  expect(await status.json()).toMatchObject({ data: { needs_first_account: true } })
})

it('stops the bundled server when the app quits', async () => {
  const handler = ipcMain.handlers.get('session/get')
  const result = (await handler?.(
    { senderFrame: { url: 'app://tidings/index.html' } },
    undefined,
  )) as InvokeResult<SessionState>
  if (!result.ok) throw new Error('session/get failed')
  app.emit('before-quit', fakeEvent())
  await vi.waitFor(() => expect(app.quit).toHaveBeenCalledTimes(1), { timeout: 10_000 })
  expect(child?.posted).toEqual([{ type: 'stop' }])
  await expect(fetch(`${result.data.server_url}/healthz`)).rejects.toThrow()
})
