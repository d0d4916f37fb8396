import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createAppCore } from '../../../src/main/core/appCore'
import { DeepLinkHandler, serverLinkHost } from '../../../src/main/core/deepLinks'
import { LocalStore } from '../../../src/main/core/localStore'
import { serverIdOf, serverStoreDir } from '../../../src/main/core/serverList'
import { RestClient } from '../../../src/main/core/restClient'
import { inviteLink, passwordResetLink } from '../../../src/shared/deepLinks'
import type { Conversation, Message } from '../../../src/shared/models'
import {
  FAST_TUNING,
  ServerFixture,
  freshName,
  registerPeer,
  removeDir,
  tempDir,
  type Peer,
} from './support/coreFixture'
import { translatorFor } from '../../../src/shared/i18n/translator'
import { BundledFixture, CoordinatorFixture } from './support/coordinatorFixture'
import { fakeSecretStore } from './support/fakeSecretStore'
import { RecordingOutputs } from './support/recordingOutputs'

/**
 * Several servers at once (ServerCoordinator): two real servers, each with its own session, store,
 * outbox and unread count in one app; the badge sums them, and the windows hear only the server
 * they show, while the others' notifications still arrive.
 */
const one = new ServerFixture()
const two = new ServerFixture()
const dirs: string[] = []
const apps: CoordinatorFixture[] = []
const bundles: BundledFixture[] = []

beforeAll(() => Promise.all([one.start(), two.start()]))
afterAll(() => Promise.all([one.dispose(), two.dispose()]))
afterEach(async () => {
  for (const app of apps.splice(0)) await app.core.stop()
  for (const bundled of bundles.splice(0)) await bundled.dispose()
  for (const dir of dirs.splice(0)) removeDir(dir)
})

function userData(): string {
  const dir = tempDir('tidings-servers-')
  dirs.push(dir)
  return dir
}

async function launch(
  dir = userData(),
  options: ConstructorParameters<typeof CoordinatorFixture>[1] = {},
): Promise<CoordinatorFixture> {
  const app = new CoordinatorFixture(dir, options)
  apps.push(app)
  await app.core.start()
  return app
}

function bundledServer(): BundledFixture {
  const bundled = new BundledFixture()
  bundles.push(bundled)
  return bundled
}

/** Someone on `server` who starts a conversation with `user` and writes in it. */
async function writer(
  server: ServerFixture,
  userId: number,
): Promise<{
  peer: Peer
  conversation: Conversation
  send(text: string): Promise<Message>
}> {
  const peer = await registerPeer(server.url, freshName('jane'), 'Jane')
  const conversation = await peer.rest.createConversation({ member_ids: [userId] })
  return {
    peer,
    conversation,
    send: (text) =>
      peer.rest.sendMessage(conversation.id, { text, client_id: `${text}-${Math.random()}` }),
  }
}

describe('server list', () => {
  it('starts with the bundled server, which runs while it is listed', async () => {
    const bundled = bundledServer()
    const app = await launch(undefined, { bundled })
    expect(bundled.starts).toBe(1)
    expect(app.core.serverList()).toEqual({
      servers: [expect.objectContaining({ id: 'bundled', url: null, signed_in: false, unread: 0 })],
      active_id: 'bundled',
      can_change: true,
      can_add_bundled: false,
    })
    expect(app.core.sessionState()).toMatchObject({
      embedded: true,
      server_url: bundled.server.url,
    })
    // Its name comes from its branding, which needs no sign-in.
    await app.outputs.waitFor(
      () => app.lastList()?.servers[0]?.name === 'Tidings',
      'the bundled server named',
    )
  })

  it('adds a server only when it answers as a Tidings server, and shows it', async () => {
    const app = await launch(undefined, { bundled: bundledServer() })
    await expect(
      app.core.handle('servers/add', { url: 'ftp://example.com' }),
    ).rejects.toMatchObject({ code: 'invalid_request' })
    const silent = new ServerFixture()
    await silent.start()
    const gone = silent.url
    await silent.dispose()
    await expect(app.core.handle('servers/add', { url: gone })).rejects.toMatchObject({
      code: 'server_unreachable',
    })
    expect(app.core.serverList().servers).toHaveLength(1)

    const list = await app.core.handle('servers/add', { url: `${one.url}/` })
    expect(list.servers.map((s) => s.url)).toEqual([null, one.url])
    expect(list.active_id).toBe(serverIdOf(one.url))
    expect(list.can_add_bundled).toBe(false)
    // The windows were told the new server's session: they reload from it.
    expect(app.outputs.payloads('session/changed').at(-1)).toMatchObject({
      server_url: one.url,
      embedded: false,
      user: null,
    })
    // Adding it again shows it; nothing is added twice.
    await app.core.handle('servers/activate', { server_id: 'bundled' })
    expect((await app.core.handle('servers/add', { url: one.url })).servers).toHaveLength(2)
    expect(app.core.serverList().active_id).toBe(serverIdOf(one.url))
  })

  it('remembers the list and the server shown across a restart', async () => {
    const dir = userData()
    const first = await launch(dir, { bundled: bundledServer() })
    await first.core.add(one.url)
    await first.core.add(two.url)
    await first.core.activate(serverIdOf(one.url))
    await first.core.stop()
    const again = await launch(dir, { bundled: bundledServer() })
    expect(again.core.serverList()).toMatchObject({
      servers: [{ url: null }, { url: one.url }, { url: two.url }],
      active_id: serverIdOf(one.url),
    })
    expect(again.core.sessionState().server_url).toBe(one.url)
  })

  it('removes a server: signed out there, its store deleted; the last one stays', async () => {
    const bundled = bundledServer()
    const dir = userData()
    const app = await launch(dir, { bundled })
    await app.core.add(one.url)
    await app.register(freshName('ann'))
    const oneId = serverIdOf(one.url)
    const stored = new LocalStore(serverStoreDir(dir, oneId), app.secrets)
    const token = stored.getSecret(`session.token:${one.url}`)
    stored.close()
    expect(token).not.toBeNull()

    const list = await app.core.handle('servers/remove', { server_id: oneId })
    expect(list.servers.map((s) => s.id)).toEqual(['bundled'])
    expect(list.active_id).toBe('bundled')
    expect(existsSync(serverStoreDir(dir, oneId))).toBe(false)
    // The bundled server is shown now; the removed one's session was revoked on its server.
    expect(app.outputs.payloads('session/changed').at(-1)).toMatchObject({ embedded: true })
    const withOldToken = new RestClient({ baseUrl: one.url, getToken: () => token })
    await expect(withOldToken.me()).rejects.toMatchObject({ status: 401 })

    await expect(app.core.handle('servers/remove', { server_id: 'bundled' })).rejects.toMatchObject(
      { code: 'last_server' },
    )
    await expect(app.core.handle('servers/remove', { server_id: 'nope' })).rejects.toMatchObject({
      code: 'unknown_server',
    })

    // The bundled server stops when it leaves the list, and starts again when it comes back.
    await app.core.add(one.url)
    await app.core.handle('servers/remove', { server_id: 'bundled' })
    expect(bundled.stops).toBe(1)
    expect(app.core.serverList().can_add_bundled).toBe(true)
    await app.core.handle('servers/add', { url: null })
    expect(bundled.starts).toBe(2)
    expect(app.core.serverList().active_id).toBe('bundled')
  })

  it('a server given on the command line is the only one, and the list cannot change', async () => {
    const app = await launch(undefined, { fixedServerUrl: `${one.url}/` })
    expect(app.core.serverList()).toMatchObject({
      servers: [{ url: one.url }],
      can_change: false,
      can_add_bundled: false,
    })
    await expect(app.core.handle('servers/add', { url: two.url })).rejects.toMatchObject({
      code: 'servers_fixed',
    })
    await expect(
      app.core.handle('servers/remove', { server_id: serverIdOf(one.url) }),
    ).rejects.toMatchObject({ code: 'servers_fixed' })
  })
})

describe('two servers at once', () => {
  it('each has its own session; the badge sums their unread; only the shown one reaches the windows', async () => {
    const app = await launch(undefined, { bundled: bundledServer() })
    await app.core.add(one.url)
    const onOne = await app.register(freshName('ann'))
    await app.core.add(two.url)
    expect(app.core.sessionState()).toMatchObject({ server_url: two.url, user: null })
    const onTwo = await app.register(freshName('ann'))
    const oneId = serverIdOf(one.url)
    const twoId = serverIdOf(two.url)

    const janeOne = await writer(one, onOne.id)
    const janeTwo = await writer(two, onTwo.id)
    const pushedBefore = app.outputs.pushes.length
    await janeOne.send('from one')
    const lastOnOne = await janeOne.send('again from one')
    await janeTwo.send('from two')
    await app.outputs.waitFor(() => app.outputs.unreadCounts.at(-1) === 3, 'badge 3')
    expect(app.lastList()?.servers.find((s) => s.id === oneId)).toMatchObject({
      unread: 2,
      signed_in: true,
      status: 'connected',
    })
    expect(app.lastList()?.servers.find((s) => s.id === twoId)?.unread).toBe(1)
    // The windows show server two: server one's events stayed in main.
    const events = app.outputs.pushes
      .slice(pushedBefore)
      .filter((p) => p.channel === 'events/event')
      .map((p) => p.payload)
    expect(
      events.some((e) => e.type === 'message_received' && e.data.message.text === 'from two'),
    ).toBe(true)
    expect(
      events.some((e) => e.type === 'message_received' && e.data.message.text === 'from one'),
    ).toBe(false)

    // Each server's store is its own: the conversations answered are the shown server's.
    expect((await app.core.handle('conversations/list', undefined)).map((c) => c.id)).toEqual([
      janeTwo.conversation.id,
    ])
    await app.core.handle('servers/activate', { server_id: oneId })
    expect(app.outputs.payloads('session/changed').at(-1)).toMatchObject({
      server_url: one.url,
      user: { id: onOne.id },
    })
    expect((await app.core.handle('conversations/list', undefined)).map((c) => c.id)).toEqual([
      janeOne.conversation.id,
    ])
    await app.core.handle('messages/markRead', {
      conversation_id: janeOne.conversation.id,
      up_to_message_id: lastOnOne.id,
    })
    await app.outputs.waitFor(() => app.outputs.unreadCounts.at(-1) === 1, 'badge 1')
  })

  it('an inactive server still notifies; the click shows its server, then its conversation', async () => {
    const app = await launch(undefined, { bundled: bundledServer() })
    await app.core.add(one.url)
    const onOne = await app.register(freshName('bea'))
    await app.core.add(two.url)
    await app.register(freshName('bea'))
    // The window is focused and shows server two: server one's message is still news.
    app.windowFocused = true
    const janeOne = await writer(one, onOne.id)
    await janeOne.send('are you there?')
    await app.outputs.waitFor(() => app.outputs.notifications.length > 0, 'a notification')
    const [notification] = app.outputs.notifications
    const oneId = serverIdOf(one.url)
    expect(notification).toMatchObject({
      server_id: oneId,
      tag: `${oneId}/conversation:${janeOne.conversation.id}`,
      conversation_id: janeOne.conversation.id,
    })

    const seen = app.outputs.pushes.length
    await app.core.openNotification(notification!)
    const after = app.outputs.pushes.slice(seen).map((p) => p.channel)
    expect(after.indexOf('session/changed')).toBeLessThan(
      after.indexOf('navigation/openConversation'),
    )
    expect(app.core.serverList().active_id).toBe(oneId)
    expect(app.outputs.payloads('navigation/openConversation').at(-1)).toEqual({
      conversation_id: janeOne.conversation.id,
    })
  })

  it('keeps the device’s preferences shared and each server’s mutes and pins its own', async () => {
    const dir = userData()
    const app = await launch(dir, { bundled: bundledServer() })
    await app.core.add(one.url)
    await app.core.handle('settings/set', {
      clock: '24h',
      muted_conversation_ids: [7],
      pinned_conversation_ids: [7],
    })
    await app.core.handle('servers/activate', { server_id: 'bundled' })
    const onBundled = app.outputs.payloads('settings/changed').at(-1)
    expect(onBundled).toMatchObject({
      clock: '24h',
      muted_conversation_ids: [],
      pinned_conversation_ids: [],
    })
    await app.core.handle('conversations/setMuted', { conversation_id: 3, muted: true })
    await app.core.stop()

    const again = await launch(dir, { bundled: bundledServer() })
    expect(await again.core.handle('settings/get', undefined)).toMatchObject({
      clock: '24h',
      muted_conversation_ids: [3],
    })
    await again.core.activate(serverIdOf(one.url))
    expect(await again.core.handle('settings/get', undefined)).toMatchObject({
      clock: '24h',
      muted_conversation_ids: [7],
      pinned_conversation_ids: [7],
    })
  })

  it('keeps one language for every server: set while one is shown, the others speak it too', async () => {
    const app = await launch(undefined, { bundled: bundledServer() })
    await app.core.add(one.url)
    expect(await app.core.handle('locale/get', undefined)).toMatchObject({ locale: 'en' })
    await app.core.handle('settings/set', { language: 'de' })
    expect(app.outputs.payloads('locale/changed').at(-1)).toMatchObject({ locale: 'de' })
    await app.core.activate('bundled')
    expect(await app.core.handle('locale/get', undefined)).toMatchObject({
      preference: 'de',
      locale: 'de',
    })
  })
})

describe('app-wide channels', () => {
  it('answers the updater’s state and restart, and the invite a link left', async () => {
    const app = await launch(undefined, { fixedServerUrl: one.url })
    expect(await app.core.handle('updates/get', undefined)).toEqual({
      status: 'disabled',
      reason: 'unsupported',
    })
    let restarts = 0
    app.core.setUpdates({
      getState: () => ({ status: 'ready', version: '9.9.9' }),
      restartToUpdate: () => {
        restarts += 1
        return true
      },
    })
    expect(await app.core.handle('updates/get', undefined)).toEqual({
      status: 'ready',
      version: '9.9.9',
    })
    expect(await app.core.handle('updates/restart', undefined)).toEqual({ restarting: true })
    expect(restarts).toBe(1)
  })

  it('keeps a link’s form with the server it was offered on (links/takePrefill)', async () => {
    const app = await launch(undefined, { bundled: bundledServer() })
    await app.core.add(one.url)
    expect(await app.core.handle('links/takePrefill', undefined)).toBeNull()
    const prefill = { form: 'password_reset', server_url: one.url, code: 'abc' } as const
    app.core.offerLinkForm(prefill)
    expect(app.outputs.payloads('links/prefill')).toEqual([prefill])
    // Another server shown: its view has no form waiting; back on the first one, it has.
    await app.core.activate('bundled')
    expect(await app.core.handle('links/takePrefill', undefined)).toBeNull()
    await app.core.activate(serverIdOf(one.url))
    expect(await app.core.handle('links/takePrefill', undefined)).toEqual(prefill)
    expect(await app.core.handle('links/takePrefill', undefined)).toBeNull()
  })
})

describe('tidings:// invite and password reset links', () => {
  it('shows a listed server with its form filled in, and adds a new one only once confirmed', async () => {
    const app = await launch(undefined, { bundled: bundledServer() })
    await app.core.add(one.url)
    await app.core.activate('bundled')
    const links = new DeepLinkHandler()
    const asked: string[] = []
    let answer = false
    await links.ready(
      serverLinkHost(app.core, {
        showWindow: () => {},
        notice: () => {},
        translator: () => translatorFor('en'),
        confirmAddServer: async ({ to }) => {
          asked.push(to)
          return answer
        },
        log: () => {},
      }),
    )
    await links.receive(inviteLink(one.url, 'code1'))
    expect(asked).toEqual([])
    expect(app.core.serverList().active_id).toBe(serverIdOf(one.url))
    expect(app.outputs.payloads('links/prefill')).toEqual([
      { form: 'register', server_url: one.url, code: 'code1' },
    ])

    await links.receive(inviteLink(two.url, 'code2'))
    expect(asked).toEqual([two.url])
    expect(app.core.findServer(two.url)).toBeNull()
    answer = true
    await links.receive(inviteLink(two.url, 'code2'))
    expect(app.core.serverList().active_id).toBe(serverIdOf(two.url))
    const invited = { form: 'register', server_url: two.url, code: 'code2' }
    expect(app.outputs.payloads('links/prefill').at(-1)).toEqual(invited)
    // The form waits with that server's core, for its signed-out view.
    expect(await app.core.handle('links/takePrefill', undefined)).toEqual(invited)

    // A password reset link for a listed server shows it, then fills in its new password form.
    await links.receive(passwordResetLink(one.url, 'reset1'))
    expect(app.core.serverList().active_id).toBe(serverIdOf(one.url))
    const reset = { form: 'password_reset', server_url: one.url, code: 'reset1' }
    expect(app.outputs.payloads('links/prefill').at(-1)).toEqual(reset)
    expect(await app.core.handle('links/takePrefill', undefined)).toEqual(reset)
  })
})

describe('from the single-server versions', () => {
  it('keeps the one server, its session, outbox, drafts, mutes and pins', async () => {
    const dir = userData()
    // What a single-server version left in the user data folder.
    const outputs = new RecordingOutputs()
    const secrets = fakeSecretStore()
    const old = createAppCore({
      host: {
        userDataDir: dir,
        secretStore: secrets,
        isWindowFocused: () => false,
        chooseSavePath: () => Promise.resolve(null),
        systemLocales: ['en-US'],
      },
      outputs,
      serverUrl: one.url,
      embedded: false,
      tuning: FAST_TUNING,
    })
    await old.start()
    const username = freshName('cat')
    const { user } = await old.handle('session/register', {
      username,
      password: 'correct horse battery',
    })
    const jane = await writer(one, user!.id)
    const sent = await old.handle('messages/send', {
      conversation_id: jane.conversation.id,
      text: 'sent before the update',
    })
    await outputs.waitFor(
      () => outputs.payloads('outbox/changed').some((i) => i.status === 'sent'),
      'the send delivered',
    )
    await old.handle('drafts/set', {
      conversation_id: jane.conversation.id,
      text: 'half a thought',
    })
    await old.handle('settings/set', {
      clock: '24h',
      muted_conversation_ids: [jane.conversation.id],
      pinned_conversation_ids: [jane.conversation.id],
    })
    await old.stop()
    const root = new LocalStore(dir, secrets)
    root.setJson('preferences', { ...root.getJson<object>('preferences'), server_url: one.url })
    root.close()

    const app = new CoordinatorFixture(dir)
    apps.push(app)
    // The same keychain: the token is decrypted from the old file and encrypted into the new.
    Object.assign(app.secrets, secrets)
    await app.core.start()
    expect(app.core.serverList()).toMatchObject({
      servers: [{ url: one.url }],
      active_id: serverIdOf(one.url),
    })
    expect(app.core.sessionState().user).toMatchObject({ id: user!.id, username })
    expect(await app.core.handle('outbox/list', undefined)).toEqual([
      expect.objectContaining({ client_id: sent.client_id, status: 'sent' }),
    ])
    expect(await app.core.handle('drafts/list', undefined)).toEqual([
      { conversation_id: jane.conversation.id, text: 'half a thought' },
    ])
    expect(await app.core.handle('settings/get', undefined)).toMatchObject({
      clock: '24h',
      muted_conversation_ids: [jane.conversation.id],
      pinned_conversation_ids: [jane.conversation.id],
    })
    await app.waitForStatus('connected')
    // The shared file no longer holds the token; the server's own store does.
    await app.core.stop()
    const after = new LocalStore(dir, secrets)
    expect(after.getSecret(`session.token:${one.url}`)).toBeNull()
    expect(after.getJson('servers')).toEqual({
      servers: [{ url: one.url }],
      active_id: serverIdOf(one.url),
    })
    after.close()
    const own = new LocalStore(join(dir, 'servers', serverIdOf(one.url)), secrets)
    expect(own.getSecret(`session.token:${one.url}`)).not.toBeNull()
    own.close()
  })

  it('an earlier bundled-server user starts on the bundled server with their mutes', async () => {
    const dir = userData()
    const root = new LocalStore(dir, fakeSecretStore())
    root.setJson('preferences', { server_url: null, muted_conversation_ids: [4] })
    root.close()
    const app = await launch(dir, { bundled: bundledServer() })
    expect(app.core.serverList().servers.map((s) => s.id)).toEqual(['bundled'])
    expect(await app.core.handle('settings/get', undefined)).toMatchObject({
      muted_conversation_ids: [4],
    })
  })
})

describe('plain-http servers on another machine', () => {
  /** A real server reached by an address that is not this machine's name (::ffff:127.0.0.1). */
  async function remoteServer(): Promise<{ url: string; server: ServerFixture }> {
    const server = new ServerFixture({ publicUrls: ['http://[::ffff:7f00:1]'] })
    await server.start()
    const url = `http://[::ffff:7f00:1]:${server.port}`
    return { url, server }
  }

  it('are added only once the user confirms; this machine needs no word; the confirmation is kept', async () => {
    const { url, server } = await remoteServer()
    try {
      const dir = userData()
      const app = await launch(dir, { bundled: bundledServer() })
      for (const request of [{ url }, { url, unencrypted_confirmed: false }]) {
        await expect(app.core.handle('servers/add', request)).rejects.toMatchObject({
          code: 'unencrypted_server',
          message: expect.stringContaining('not encrypted') as unknown,
        })
      }
      expect(app.core.serverList().servers).toHaveLength(1)
      // This machine over http (the other tests' servers are all at http://127.0.0.1).
      await app.core.handle('servers/add', { url: one.url })
      const list = await app.core.handle('servers/add', { url, unencrypted_confirmed: true })
      expect(list.servers.map((s) => s.url)).toEqual([null, one.url, url])
      expect(list.active_id).toBe(serverIdOf(url))
      // Listed now: showing it again needs no new confirmation.
      await app.core.activate('bundled')
      expect((await app.core.handle('servers/add', { url })).active_id).toBe(serverIdOf(url))
      await app.core.stop()

      const again = await launch(dir, { bundled: bundledServer() })
      expect(again.core.serverList().servers.map((s) => s.url)).toEqual([null, one.url, url])
      expect(again.core.refusedAtStart()).toEqual([])
      await again.core.stop()
      const root = new LocalStore(dir, fakeSecretStore())
      expect(root.getJson('servers')).toMatchObject({
        servers: [{ url: null }, { url: one.url }, { url, unencrypted_confirmed: true }],
      })
      // An entry without the confirmation (not written by Tidings) is left out at start.
      root.setJson('servers', {
        servers: [{ url: null }, { url }],
        active_id: serverIdOf(url),
      })
      root.close()
      const edited = await launch(dir, { bundled: bundledServer() })
      expect(edited.core.serverList()).toMatchObject({
        servers: [{ url: null }],
        active_id: 'bundled',
      })
      expect(edited.core.refusedAtStart()).toEqual([url])
    } finally {
      await server.dispose()
    }
  })

  it('one an earlier version stored unconfirmed is not used: the bundled server runs instead, and main is told', async () => {
    const dir = userData()
    const root = new LocalStore(dir, fakeSecretStore())
    root.setJson('preferences', { server_url: 'http://chat.example.com:8000/' })
    root.close()
    const app = await launch(dir, { bundled: bundledServer() })
    expect(app.core.serverList().servers.map((s) => s.url)).toEqual([null])
    expect(app.core.sessionState().embedded).toBe(true)
    expect(app.core.refusedAtStart()).toEqual(['http://chat.example.com:8000'])
  })

  it('one an earlier version stored confirmed stays the server, confirmed', async () => {
    const { url, server } = await remoteServer()
    try {
      const dir = userData()
      const root = new LocalStore(dir, fakeSecretStore())
      root.setJson('preferences', { server_url: url, unencrypted_server_confirmed: url })
      root.close()
      const app = await launch(dir, { bundled: bundledServer() })
      expect(app.core.serverList()).toMatchObject({
        servers: [{ url }],
        active_id: serverIdOf(url),
      })
      expect(app.core.refusedAtStart()).toEqual([])
      expect(app.core.sessionState().server_url).toBe(url)
      await app.core.stop()
      const after = new LocalStore(dir, fakeSecretStore())
      expect(after.getJson('servers')).toEqual({
        servers: [{ url, unencrypted_confirmed: true }],
        active_id: serverIdOf(url),
      })
      after.close()
    } finally {
      await server.dispose()
    }
  })
})

describe('without a keyring', () => {
  it('keeps no server’s session on disk unless the user ticks it, then every server’s, until unticked', async () => {
    const dir = userData()
    const secrets = fakeSecretStore(false)
    const password = 'correct horse battery'
    const tokenOnDisk = (url: string): string | null => {
      const store = new LocalStore(serverStoreDir(dir, serverIdOf(url)), secrets)
      try {
        // Reading as if allowed: what is on the disk, whatever the preference.
        store.setPlainSecretsAllowed(true)
        return store.getSecret(`session.token:${url}`)
      } finally {
        store.close()
      }
    }
    // Two servers, no bundled one: the list starts from an earlier version's server.
    const root = new LocalStore(dir, secrets)
    root.setJson('preferences', { server_url: one.url })
    root.close()
    const first = await launch(dir, { secrets })
    const alice = await first.register(freshName('alice'))
    await first.core.add(two.url)
    const bob = await first.register(freshName('bob'))
    expect(first.core.sessionState().secure_storage).toBe(false)
    expect([tokenOnDisk(one.url), tokenOnDisk(two.url)]).toEqual([null, null])
    await first.core.stop()

    // The next start has neither: the user signs in again to each.
    const second = await launch(dir, { secrets })
    expect(second.core.serverList().servers.map((s) => s.signed_in)).toEqual([false, false])
    await second.core.handle('session/login', { username: bob.username, password })
    await second.core.activate(serverIdOf(one.url))
    await second.core.handle('session/login', { username: alice.username, password })
    // Ticked (in the settings of whichever server is shown): both sessions go to disk.
    await second.core.handle('settings/set', { unencrypted_sign_in: true })
    expect(tokenOnDisk(one.url)).not.toBeNull()
    expect(tokenOnDisk(two.url)).not.toBeNull()
    await second.core.stop()

    const third = await launch(dir, { secrets })
    await third.outputs.waitFor(
      () => third.core.serverList().servers.every((s) => s.signed_in),
      'both servers signed in from disk',
    )
    // Unticked: off the disk at once, still signed in for this run.
    await third.core.handle('settings/set', { unencrypted_sign_in: false })
    expect([tokenOnDisk(one.url), tokenOnDisk(two.url)]).toEqual([null, null])
    expect(third.core.sessionState().user?.id).toBe(alice.id)
  })
})
