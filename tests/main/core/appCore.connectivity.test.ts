import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { CoreTuning } from '../../../src/main/core/appCore'
import type { Conversation } from '../../../src/shared/models'
import {
  CoreFixture,
  FAST_TUNING,
  ServerFixture,
  registerPeer,
  removeDir,
  tempDir,
  type Peer,
} from './support/coreFixture'

/**
 * The connection guarantees of the core against the real server: reconnects, wake-from-sleep,
 * resume across restarts of either side, and the outbox's delivery after offline periods.
 */
describe('app core: connection, resume and outbox (real server)', () => {
  let server: ServerFixture
  let userDataDir: string
  const cores: CoreFixture[] = []

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

  function newCore(tuning: CoreTuning = FAST_TUNING): CoreFixture {
    const fixture = new CoreFixture(userDataDir, server.url, tuning)
    cores.push(fixture)
    return fixture
  }

  /** Alice signs in through the core; Jane (over REST) opens a conversation with her. */
  async function aliceAndJane(tuning?: CoreTuning): Promise<{
    app: CoreFixture
    jane: Peer
    conversation: Conversation
  }> {
    const app = newCore(tuning)
    await app.core.start()
    const session = await app.core.handle('session/register', {
      username: 'alice',
      password: 'correct horse battery',
    })
    await app.waitForStatus('connected')
    const jane = await registerPeer(server.url, 'jane')
    const conversation = await jane.rest.createConversation({ member_ids: [session.user!.id] })
    await app.outputs.waitFor(
      () => app.events().some((e) => e.type === 'conversation_created'),
      'conversation_created',
    )
    return { app, jane, conversation }
  }

  async function janeSends(jane: Peer, conversationId: number, texts: string[]): Promise<void> {
    for (const text of texts) {
      await jane.rest.sendMessage(conversationId, { text, client_id: `jane-${text}` })
    }
  }

  function texts(app: CoreFixture): string[] {
    return app.received().map((e) => e.data.message.text)
  }

  function expectStrictlyIncreasingIds(app: CoreFixture): void {
    const ids = app.events().flatMap((e) => (e.id === null ? [] : [e.id]))
    for (let i = 1; i < ids.length; i++) expect(ids[i]).toBeGreaterThan(ids[i - 1]!)
  }

  it('reconnects after the server is closed and restarted on the same port', async () => {
    const { app, jane, conversation } = await aliceAndJane()
    await janeSends(jane, conversation.id, ['before'])
    await app.outputs.waitFor(() => texts(app).length === 1, 'first message')

    const mark = app.pushCount
    await server.stop()
    await app.waitForStatus('reconnecting', mark)
    const reconnecting = app.outputs
      .payloads('connection/state')
      .find((s) => s.status === 'reconnecting')
    expect(reconnecting?.next_attempt_at).toEqual(expect.any(String))

    await server.start()
    await app.waitForStatus('connected', mark)
    await janeSends(jane, conversation.id, ['after'])
    await app.outputs.waitFor(() => texts(app).length === 2, 'message after restart')
    expect(texts(app)).toEqual(['before', 'after'])
    expectStrictlyIncreasingIds(app)
  })

  it('reconnects at once on reconnectNow (wake from sleep) and replays what was missed', async () => {
    // A backoff so long that only reconnectNow can bring the socket back within the test.
    const { app, jane, conversation } = await aliceAndJane({
      ...FAST_TUNING,
      backoff: { baseMs: 120_000, capMs: 120_000 },
      random: () => 0.99,
    })
    await janeSends(jane, conversation.id, ['m0'])
    await app.outputs.waitFor(() => texts(app).length === 1, 'first message')

    const mark = app.pushCount
    await server.stop()
    await app.waitForStatus('reconnecting', mark)
    const waiting = app.core.connectionState()
    expect(Date.parse(waiting.next_attempt_at!) - Date.now()).toBeGreaterThan(60_000)

    await server.start()
    const missed = Array.from({ length: 20 }, (_, i) => `missed-${i}`)
    await janeSends(jane, conversation.id, missed)
    app.core.reconnectNow()
    await app.waitForStatus('connected', mark, 5_000)
    await app.outputs.waitFor(() => texts(app).length === 21, 'replayed messages', 5_000)
    expect(texts(app)).toEqual(['m0', ...missed])
    expectStrictlyIncreasingIds(app)
  })

  it('waits while the OS reports no network and reconnects when it is back', async () => {
    const { app, jane, conversation } = await aliceAndJane()
    const mark = app.pushCount
    app.core.setNetworkOnline(false)
    await app.waitForStatus('offline', mark)
    expect(app.core.connectionState()).toMatchObject({ status: 'offline', next_attempt_at: null })
    await janeSends(jane, conversation.id, ['sent while offline'])

    app.core.setNetworkOnline(true)
    await app.waitForStatus('connected', mark)
    await app.outputs.waitFor(() => texts(app).length === 1, 'missed message replayed')
    expect(texts(app)).toEqual(['sent while offline'])
  })

  it('resumes across a client restart with nothing lost or doubled', async () => {
    const { app, jane, conversation } = await aliceAndJane()
    const early = ['e0', 'e1', 'e2', 'e3', 'e4']
    await janeSends(jane, conversation.id, early)
    await app.outputs.waitFor(() => texts(app).length === 5, 'early messages')
    await app.core.stop()

    // Hundreds of messages while the app is closed.
    const missed = Array.from({ length: 300 }, (_, i) => `while-closed-${i}`)
    await janeSends(jane, conversation.id, missed)

    const restarted = newCore()
    await restarted.core.start()
    expect(restarted.core.sessionState().user?.username).toBe('alice')
    await restarted.outputs.waitFor(
      () => texts(restarted).length >= 300,
      'all missed messages replayed',
      20_000,
    )
    await janeSends(jane, conversation.id, ['live'])
    await restarted.outputs.waitFor(() => texts(restarted).includes('live'), 'live message')

    // Exactly the missed messages and the live one, in order: the five processed before the
    // restart are not delivered again.
    expect(texts(restarted)).toEqual([...missed, 'live'])
    expectStrictlyIncreasingIds(restarted)
    // The unread badge counts each message once, whether it came from REST or the replay.
    await restarted.outputs.waitFor(
      () => restarted.outputs.unreadCounts.at(-1) === 306,
      'unread count 306',
    )
  })

  it('delivers sends made offline, in order, once the server is back', async () => {
    const { app, jane, conversation } = await aliceAndJane()
    const mark = app.pushCount
    await server.stop()
    await app.waitForStatus('reconnecting', mark)

    const queued = ['q1', 'q2', 'q3', 'q4', 'q5']
    const items = []
    for (const text of queued) {
      items.push(await app.core.handle('messages/send', { conversation_id: conversation.id, text }))
    }
    expect(items.every((i) => i.status === 'pending')).toBe(true)
    expect(new Set(items.map((i) => i.client_id)).size).toBe(5)
    // While the server is down the sends stay pending (network errors never fail a send).
    const listed = await app.core.handle('outbox/list', undefined)
    expect(listed.map((i) => [i.text, i.status])).toEqual(queued.map((t) => [t, 'pending']))

    await server.start()
    await app.outputs.waitFor(() => sentTexts(app).length === 5, 'all five sends delivered')
    expect(sentTexts(app)).toEqual(queued)
    expect(app.outputs.payloads('outbox/changed').some((i) => i.status === 'failed')).toBe(false)
    const history = await jane.rest.history(conversation.id)
    expect(history.messages.map((m) => m.text)).toEqual(queued)
  })

  it('keeps offline sends across an app restart and sends each exactly once', async () => {
    const { app, jane, conversation } = await aliceAndJane()
    await app.core.handle('messages/send', { conversation_id: conversation.id, text: 'online' })
    await app.outputs.waitFor(() => sentTexts(app).length === 1, 'online send')

    const mark = app.pushCount
    await server.stop()
    await app.waitForStatus('reconnecting', mark)
    for (const text of ['n1', 'n2', 'n3']) {
      await app.core.handle('messages/send', { conversation_id: conversation.id, text })
    }
    await app.core.stop()
    await server.start()

    const restarted = newCore()
    await restarted.core.start()
    await restarted.outputs.waitFor(() => sentTexts(restarted).length === 3, 'queued sends')
    expect(sentTexts(restarted)).toEqual(['n1', 'n2', 'n3'])
    const history = await jane.rest.history(conversation.id)
    expect(history.messages.map((m) => m.text)).toEqual(['online', 'n1', 'n2', 'n3'])
  })

  it('keeps a reply queued offline a reply across an app restart', async () => {
    const { app, jane, conversation } = await aliceAndJane()
    await janeSends(jane, conversation.id, ['Dinner on Friday?'])
    const [original] = (await jane.rest.history(conversation.id)).messages
    const mark = app.pushCount
    await server.stop()
    await app.waitForStatus('reconnecting', mark)
    const queued = await app.core.handle('messages/send', {
      conversation_id: conversation.id,
      text: 'Friday is good',
      reply_to_id: original!.id,
    })
    expect(queued).toMatchObject({ status: 'pending', reply_to_id: original!.id })
    await app.core.stop()
    await server.start()

    const restarted = newCore()
    await restarted.core.start()
    await restarted.outputs.waitFor(() => sentTexts(restarted).length === 1, 'queued reply')
    const sent = restarted.outputs.payloads('outbox/changed').find((i) => i.status === 'sent')
    expect(sent?.reply_to_id).toBe(original!.id)
    const quote = {
      id: original!.id,
      sender_id: jane.user.id,
      sender_name: original!.sender_name,
      text: 'Dinner on Friday?',
      deleted: false,
    }
    expect(sent?.message?.reply_to).toEqual(quote)
    const history = await jane.rest.history(conversation.id)
    expect(history.messages.map((m) => [m.text, m.reply_to])).toEqual([
      ['Dinner on Friday?', null],
      ['Friday is good', quote],
    ])
  })

  it('fails a send the server refuses, moves on, and retries it on request', async () => {
    const { app, jane, conversation } = await aliceAndJane()
    const refused = await app.core.handle('messages/send', {
      conversation_id: 999_999,
      text: 'lost',
    })
    await app.core.handle('messages/send', { conversation_id: conversation.id, text: 'fine' })
    await app.outputs.waitFor(
      () =>
        app.outputs
          .payloads('outbox/changed')
          .some((i) => i.client_id === refused.client_id && i.status === 'failed') &&
        sentTexts(app).includes('fine'),
      'refused send failed, next one sent',
    )
    const failed = (await app.core.handle('outbox/list', undefined)).find(
      (i) => i.client_id === refused.client_id,
    )
    expect(failed?.error).toEqual(expect.any(String))
    expect(failed?.error?.length).toBeGreaterThan(0)

    const mark = app.pushCount
    const retried = await app.core.handle('messages/retry', { client_id: refused.client_id })
    expect(retried.status).toBe('pending')
    await app.outputs.waitFor(
      () =>
        app.outputs.pushes
          .slice(mark)
          .some(
            (p) =>
              p.channel === 'outbox/changed' &&
              p.payload.client_id === refused.client_id &&
              p.payload.status === 'failed',
          ),
      'retry failed again',
    )
    await expect(
      app.core.handle('messages/retry', { client_id: 'no-such-send' }),
    ).rejects.toMatchObject({ code: 'not_found' })
    expect((await jane.rest.history(conversation.id)).messages.map((m) => m.text)).toEqual(['fine'])
  })

  it('signs out instead of retrying when the token is revoked', async () => {
    const { app } = await aliceAndJane()
    const other = await registerPeer(server.url, 'mallory')
    expect(other.user.id).toBeGreaterThan(0)
    const token = readStoredToken(app)
    const mark = app.pushCount
    // Signing out elsewhere with the same token revokes it; the server closes with 4001.
    const response = await fetch(`${server.url}/auth/logout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    })
    expect(response.status).toBeLessThan(300)
    await app.waitForStatus('signed_out', mark)
    await app.outputs.waitFor(
      () => app.outputs.payloads('session/changed').at(-1)?.user === null,
      'session cleared',
    )
    app.core.reconnectNow()
    // A REST round trip gives any (wrong) retry time to show up in the recorded states.
    await fetch(`${server.url}/healthz`)
    const after = app.outputs.pushes
      .slice(mark)
      .filter((p) => p.channel === 'connection/state')
      .map((p) => p.payload.status)
    expect(after.at(-1)).toBe('signed_out')
    expect(after.slice(after.indexOf('signed_out'))).not.toContain('connecting')
    expect(after.slice(after.indexOf('signed_out'))).not.toContain('reconnecting')
    expect(app.core.connectionState().status).toBe('signed_out')
  })

  it('starts afresh after an explicit sign-out instead of replaying from the old position', async () => {
    const { app, jane, conversation } = await aliceAndJane()
    await app.core.handle('session/logout', undefined)
    await janeSends(jane, conversation.id, ['while signed out'])
    const mark = app.pushCount
    await app.core.handle('session/login', { username: 'alice', password: 'correct horse battery' })
    await app.waitForStatus('connected', mark)
    await janeSends(jane, conversation.id, ['after sign-in'])
    await app.outputs.waitFor(() => texts(app).includes('after sign-in'), 'live message')
    // The message from the signed-out period is in history (and the unread count), not replayed.
    expect(texts(app)).toEqual(['after sign-in'])
    await app.outputs.waitFor(() => app.outputs.unreadCounts.at(-1) === 2, 'unread count 2')
  })

  function sentTexts(app: CoreFixture): string[] {
    return app.outputs
      .payloads('outbox/changed')
      .filter((i) => i.status === 'sent')
      .map((i) => i.text)
  }

  function readStoredToken(app: CoreFixture): string {
    // The test reads the same store the core writes (the user data folder is the platform's).
    const url = server.url
    const token = tokenFrom(app, url)
    if (!token) throw new Error('no stored token')
    return token
  }
})

import { LocalStore } from '../../../src/main/core/localStore'

function tokenFrom(app: CoreFixture, serverUrl: string): string | null {
  const store = new LocalStore(app.userDataDir, app.secrets)
  try {
    return store.getSecret(`session.token:${serverUrl}`)
  } finally {
    store.close()
  }
}
