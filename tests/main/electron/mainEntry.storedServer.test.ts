import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import { startServer } from '../../../server/startServer'
import { RestClient } from '../../../src/main/core/restClient'
import type { InvokeChannel, InvokeResult, ServerList, SessionState } from '../../../src/shared/ipc'
import {
  FakeBrowserWindow,
  FakeNotification,
  FakeTray,
  app,
  ipcMain,
  utilityProcess,
} from './fakeElectron'
import { serverChosenInSettings } from './storedServerProfile'

vi.mock('electron', async () => (await import('./fakeElectron')).electronModule)

// No --server-url and no TIDINGS_SERVER_URL: the server a single-server version stored in its
// preferences is the server list's one server. A second one is added from the settings window
// and shown without a restart; the tray and the badge count both servers' unread messages, and a
// notification from the server not shown brings it forward.
type Server = Awaited<ReturnType<typeof startServer>>
let first: Server
let second: Server
let dir: string
let forksAtStart = 0
const MAIN_PAGE = { senderFrame: { url: 'app://tidings/index.html' } }
const SETTINGS_PAGE = { senderFrame: { url: 'app://tidings/settings.html' } }

async function invoke<T>(page: object, channel: InvokeChannel, request?: unknown): Promise<T> {
  const result = (await ipcMain.handlers.get(channel)?.(page, request)) as InvokeResult<T>
  if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message}`)
  return result.data
}

/** What the main window's page was sent on `channel`. */
function sentToMain<T>(channel: string): T[] {
  return FakeBrowserWindow.instances[0]!.webContents.send.mock.calls.filter(
    ([c]) => c === channel,
  ).map(([, payload]) => payload as T)
}

/** Someone on `server` writing one message to `userId`. */
async function writeTo(server: Server, userId: number, text: string): Promise<number> {
  let token: string | null = null
  const rest = new RestClient({ baseUrl: server.url, getToken: () => token })
  const result = await rest.register({
    username: `writer${Math.floor(Math.random() * 1e9)}`,
    password: 'correct horse battery',
  })
  token = result.token
  const conversation = await rest.createConversation({ member_ids: [userId] })
  await rest.sendMessage(conversation.id, { text, client_id: `c-${Math.random()}` })
  return conversation.id
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tidings-stored-server-'))
  first = await serverChosenInSettings(dir)
  second = await startServer({
    port: 0,
    host: '127.0.0.1',
    dataDir: join(dir, 'second'),
    openRegistration: true,
    scryptCost: 1024,
  })
  await import('../../../src/main/index')
  await vi.waitFor(() => expect(FakeBrowserWindow.instances).toHaveLength(1), { timeout: 10_000 })
  FakeBrowserWindow.instances[0]!.webContents.finishLoad()
  forksAtStart = utilityProcess.fork.mock.calls.length
})

afterAll(async () => {
  delete process.env.TIDINGS_USER_DATA_DIR
  await Promise.all([first.close(), second.close()])
  await rm(dir, { recursive: true, force: true })
})

it('lists the server an earlier version stored, instead of starting the bundled one', async () => {
  expect(forksAtStart).toBe(0)
  expect(await invoke<SessionState>(SETTINGS_PAGE, 'session/get')).toMatchObject({
    server_url: first.url,
    embedded: false,
  })
  expect(await invoke<ServerList>(SETTINGS_PAGE, 'servers/list')).toMatchObject({
    servers: [{ url: first.url }],
    can_change: true,
    can_add_bundled: true,
  })
})

it('adds a second server and shows it without a restart; the badge and tray sum both', async () => {
  const ann = await invoke<SessionState>(MAIN_PAGE, 'session/register', {
    username: 'ann',
    password: 'correct horse battery',
  })
  const list = await invoke<ServerList>(SETTINGS_PAGE, 'servers/add', { url: second.url })
  expect(list.servers.map((s) => s.url)).toEqual([first.url, second.url])
  expect(app.relaunch).not.toHaveBeenCalled()
  expect(sentToMain<SessionState>('session/changed').at(-1)).toMatchObject({
    server_url: second.url,
    user: null,
  })
  expect(sentToMain<ServerList>('servers/changed').at(-1)?.active_id).toBe(list.active_id)
  const bob = await invoke<SessionState>(MAIN_PAGE, 'session/register', {
    username: 'bob',
    password: 'correct horse battery',
  })

  const onFirst = await writeTo(first, ann.user!.id, 'hello from the first team')
  await writeTo(second, bob.user!.id, 'hello from the second team')
  await vi.waitFor(() => expect(app.setBadgeCount).toHaveBeenLastCalledWith(2), {
    timeout: 10_000,
  })
  expect(FakeTray.instances[0]?.tooltip).toMatch(/^Tidings: 2 unread messages/)

  // The first server is not shown, and still notifies; the click shows it, then the conversation.
  await vi.waitFor(
    () =>
      expect(
        FakeNotification.instances.some((n) => n.options.body?.toString().includes('first team')),
      ).toBe(true),
    { timeout: 10_000 },
  )
  FakeNotification.instances.find((n) => n.options.body?.toString().includes('first team'))!.click()
  await vi.waitFor(() =>
    expect(sentToMain('navigation/openConversation').at(-1)).toEqual({
      conversation_id: onFirst,
    }),
  )
  expect(sentToMain<SessionState>('session/changed').at(-1)).toMatchObject({
    server_url: first.url,
    user: { username: 'ann' },
  })
  expect((await invoke<ServerList>(MAIN_PAGE, 'servers/list')).active_id).toBe(list.servers[0]!.id)
})
