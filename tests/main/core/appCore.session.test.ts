import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { LocalStore } from '../../../src/main/core/localStore'
import type { InvokeChannel } from '../../../src/shared/ipc'
import { CoreFixture, ServerFixture, registerPeer, removeDir, tempDir } from './support/coreFixture'
import { fakeSecretStore } from './support/fakeSecretStore'

describe('app core: session and requests (real server)', () => {
  let server: ServerFixture
  let userDataDir: string
  const cores: CoreFixture[] = []

  function newCore(): CoreFixture {
    const fixture = new CoreFixture(userDataDir, server.url)
    cores.push(fixture)
    return fixture
  }

  beforeEach(async () => {
    server = new ServerFixture()
    await server.start()
    userDataDir = tempDir('tidings-user-')
  })

  afterEach(async () => {
    for (const fixture of cores.splice(0)) await fixture.core.stop()
    await server.dispose()
    removeDir(userDataDir)
  })

  it('offers the first account, registers it, connects and stores the token encrypted', async () => {
    const app = newCore()
    await app.core.start()
    expect(await app.core.handle('session/get', undefined)).toMatchObject({
      user: null,
      needs_first_account: true,
      secure_storage: true,
      server_url: server.url,
    })
    const session = await app.core.handle('session/register', {
      username: 'alice',
      password: 'correct horse battery',
      display_name: 'Alice',
    })
    expect(session.user).toMatchObject({ username: 'alice', role: 'admin' })
    expect(session.needs_first_account).toBe(false)
    await app.waitForStatus('connected')
    expect(app.secrets.calls).toBeGreaterThan(0)
    expect((await app.core.handle('connection/get', undefined)).status).toBe('connected')
  })

  it('restores the session from the stored token at start, and logout revokes it', async () => {
    const first = newCore()
    await first.core.start()
    await first.core.handle('session/register', {
      username: 'alice',
      password: 'correct horse battery',
    })
    await first.waitForStatus('connected')
    await first.core.stop()

    const second = newCore()
    await second.core.start()
    expect(second.core.sessionState().user?.username).toBe('alice')
    await second.waitForStatus('connected')
    const token = readToken(userDataDir, server.url)
    expect(token).toBeTruthy()

    const after = await second.core.handle('session/logout', undefined)
    expect(after.user).toBeNull()
    expect(second.core.connectionState().status).toBe('signed_out')
    expect(readToken(userDataDir, server.url)).toBeNull()
    // The server no longer accepts the old token.
    const response = await fetch(`${server.url}/users/me`, {
      headers: { authorization: `Bearer ${token}` },
    })
    expect(response.status).toBe(401)
  })

  it('validates every request before using it', async () => {
    const app = newCore()
    await app.core.start()
    const rejects = async (channel: string, request: unknown, code: string) => {
      await expect(
        app.core.handle(channel as InvokeChannel, request as never),
      ).rejects.toMatchObject({ code })
    }
    await rejects('nope/never', undefined, 'unknown_channel')
    await rejects('messages/send', { conversation_id: 'x', text: 'hi' }, 'invalid_request')
    await rejects('messages/send', { conversation_id: 1, text: '' }, 'invalid_request')
    await rejects('messages/send', { conversation_id: 1, text: 'hi', extra: 1 }, 'invalid_request')
    await rejects(
      'messages/send',
      { conversation_id: 1, text: 'hi', reply_to_id: 0 },
      'invalid_request',
    )
    await rejects(
      'messages/send',
      { conversation_id: 1, text: 'hi', reply_to_id: '7' },
      'invalid_request',
    )
    await rejects('conversations/focus', { conversation_id: -1 }, 'invalid_request')
    await rejects('messages/history', { conversation_id: 1, limit: 100_000 }, 'invalid_request')
    await rejects('session/login', { username: 'a' }, 'invalid_request')
    await rejects('settings/set', { clock: 'sundial' }, 'invalid_request')
    await rejects('settings/set', 'everything', 'invalid_request')
    await rejects('window/openSettings', undefined, 'not_handled_by_core')
    // Valid, but needs a session.
    await rejects('messages/send', { conversation_id: 1, text: 'hi' }, 'not_signed_in')
    await rejects('users/list', undefined, 'not_signed_in')
    // Server errors arrive as ApiRequestError with the server's status and code.
    await expect(
      app.core.handle('session/login', { username: 'ghost', password: 'whatever12' }),
    ).rejects.toMatchObject({ status: 401, code: expect.any(String) })
  })

  it('serves the request channels against the server', async () => {
    const app = newCore()
    await app.core.start()
    await app.core.handle('session/register', {
      username: 'alice',
      password: 'correct horse battery',
    })
    const jane = await registerPeer(server.url, 'jane')
    const people = await app.core.handle('users/list', undefined)
    expect(people.map((p) => p.username).sort()).toEqual(['alice', 'jane'])

    // Titled, so a group: a direct conversation cannot be renamed.
    const conversation = await app.core.handle('conversations/create', {
      member_ids: [jane.user.id],
      title: 'Draft',
    })
    const renamed = await app.core.handle('conversations/rename', {
      conversation_id: conversation.id,
      title: 'Plans',
    })
    expect(renamed.title).toBe('Plans')

    const sent = await app.core.handle('messages/send', {
      conversation_id: conversation.id,
      text: 'first draft',
    })
    await app.outputs.waitFor(
      () =>
        app.outputs
          .payloads('outbox/changed')
          .some((i) => i.client_id === sent.client_id && i.status === 'sent'),
      'send delivered',
    )
    const [delivered] = (await app.core.handle('outbox/list', undefined)).filter(
      (i) => i.client_id === sent.client_id,
    )
    const messageId = delivered!.message!.id
    expect(
      (await app.core.handle('messages/edit', { message_id: messageId, text: 'final' })).text,
    ).toBe('final')
    const page = await app.core.handle('messages/history', { conversation_id: conversation.id })
    expect(page.messages.map((m) => m.text)).toEqual(['final'])
    expect(
      (await app.core.handle('messages/delete', { message_id: messageId })).deleted_at,
    ).not.toBeNull()

    const invite = await app.core.handle('admin/createInvite', {})
    expect(invite.code).toEqual(expect.any(String))

    const branding = await app.core.handle('branding/set', { timezone: 'Asia/Kolkata' })
    expect(branding.timezone).toBe('Asia/Kolkata')
    expect(app.outputs.payloads('branding/changed').at(-1)?.timezone).toBe('Asia/Kolkata')
    await expect(app.core.handle('branding/set', { timezone: 'Not/AZone' })).rejects.toMatchObject({
      status: 400,
    })

    const preferences = await app.core.handle('settings/set', { clock: '24h' })
    expect(preferences.clock).toBe('24h')
    expect(app.outputs.payloads('settings/changed').at(-1)?.clock).toBe('24h')
    expect((await app.core.handle('settings/get', undefined)).clock).toBe('24h')
  })
})

function readToken(userDataDir: string, serverUrl: string): string | null {
  const store = new LocalStore(userDataDir, fakeSecretStore())
  try {
    return store.getSecret(`session.token:${serverUrl}`)
  } finally {
    store.close()
  }
}
