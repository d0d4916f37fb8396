import { afterEach, describe, expect, it } from 'vitest'
import type { InvokeChannel } from '../../../src/shared/ipc'
import {
  CoreFixture,
  freshName,
  registerPeer,
  removeDir,
  serverPerFile,
  tempDir,
} from './support/coreFixture'

describe('app core: reactions (real server)', () => {
  const server = serverPerFile()
  const dirs: string[] = []
  const cores: CoreFixture[] = []

  let aliceId = 0

  async function signedIn(username: string): Promise<CoreFixture> {
    const dir = tempDir('tidings-user-')
    dirs.push(dir)
    const app = new CoreFixture(dir, server.url)
    cores.push(app)
    await app.core.start()
    const session = await app.core.handle('session/register', {
      username: freshName(username),
      password: 'correct horse battery',
    })
    aliceId = session.user!.id
    await app.waitForStatus('connected')
    return app
  }

  afterEach(async () => {
    for (const fixture of cores.splice(0)) await fixture.core.stop()
    for (const dir of dirs.splice(0)) removeDir(dir)
  })

  it('adds and takes back reactions over REST, several per user; each change comes back as an event', async () => {
    const alice = await signedIn('alice')
    const bob = await registerPeer(server.url, freshName('bob'))
    const direct = await alice.core.handle('conversations/create', { member_ids: [bob.user.id] })
    const message = await bob.rest.sendMessage(direct.id, { text: 'Lunch?', client_id: 'b-1' })
    const target = { conversation_id: direct.id, message_id: message.id }
    // The message itself notifies once its burst closes: that one is counted before the
    // reactions, whatever the machine's pace.
    await alice.outputs.waitFor(() => alice.outputs.notifications.length === 1, 'Lunch?')

    const set = await alice.core.handle('messages/react', { ...target, emoji: '👍', add: true })
    expect(set.reactions).toEqual([{ emoji: '👍', user_ids: [aliceId] }])
    await alice.outputs.waitFor(() => alice.updatesOf(message.id).length === 1, 'first update')
    expect(alice.updatesOf(message.id)[0]).toEqual(set)

    // Bob's reaction reaches Alice's app live, with no notification (reactions never notify).
    // His message's own notification is shown first (after its burst closes), so it is not
    // counted as one.
    await alice.outputs.waitFor(
      () => alice.outputs.notifications.some((n) => n.body.includes('Lunch?')),
      "the message's notification",
    )
    const notificationsBefore = alice.outputs.notifications.length
    await bob.rest.addReaction(direct.id, message.id, '👍')
    await alice.outputs.waitFor(
      () => alice.updatesOf(message.id).at(-1)?.reactions?.[0]?.user_ids.length === 2,
      "bob's reaction",
    )

    // A second emoji joins the first.
    const second = await alice.core.handle('messages/react', { ...target, emoji: '❤️', add: true })
    expect(second.reactions).toEqual([
      { emoji: '👍', user_ids: [aliceId, bob.user.id] },
      { emoji: '❤️', user_ids: [aliceId] },
    ])
    // Taking one back leaves the other; an emoji with characters a URL escapes goes through.
    const removed = await alice.core.handle('messages/react', {
      ...target,
      emoji: '👍',
      add: false,
    })
    expect(removed.reactions).toEqual([
      { emoji: '👍', user_ids: [bob.user.id] },
      { emoji: '❤️', user_ids: [aliceId] },
    ])
    const family = '👨‍👩‍👧‍👦'
    await alice.core.handle('messages/react', { ...target, emoji: family, add: true })
    const withoutFamily = await alice.core.handle('messages/react', {
      ...target,
      emoji: family,
      add: false,
    })
    expect(withoutFamily).toEqual(removed)
    await alice.outputs.waitFor(
      () => alice.updatesOf(message.id).length === 6,
      'the second emoji, the removal and the family added and taken back',
    )
    expect(alice.updatesOf(message.id).at(-1)).toEqual(removed)
    expect(alice.outputs.notifications.length).toBe(notificationsBefore)
  })

  it('refuses malformed requests before the server, and passes on the server’s refusals', async () => {
    const alice = await signedIn('alice')
    const bob = await registerPeer(server.url, freshName('bob'))
    const direct = await alice.core.handle('conversations/create', { member_ids: [bob.user.id] })
    const message = await bob.rest.sendMessage(direct.id, { text: 'Hi', client_id: 'b-2' })
    const target = { conversation_id: direct.id, message_id: message.id }
    const rejects = async (request: unknown, expected: { code: string; message?: unknown }) => {
      await expect(
        alice.core.handle('messages/react' as InvokeChannel, request as never),
      ).rejects.toMatchObject(expected)
    }
    // Refused by main itself: the message names the channel and the field.
    const byMain = (field: string) => ({
      code: 'invalid_request',
      message: expect.stringContaining(`Invalid messages/react request at ${field}`) as unknown,
    })
    await rejects({ ...target, emoji: '', add: true }, byMain('/emoji'))
    await rejects({ ...target, emoji: 7, add: true }, byMain('/emoji'))
    await rejects({ ...target, emoji: '👍'.repeat(40), add: true }, byMain('/emoji'))
    await rejects({ ...target, emoji: null, add: false }, byMain('/emoji'))
    await rejects({ ...target, emoji: '👍' }, byMain('/'))
    await rejects({ ...target, emoji: '👍', add: 'yes' }, byMain('/add'))
    await rejects({ message_id: message.id, emoji: '👍', add: true }, byMain('/'))
    await rejects({ ...target, emoji: '👍', add: true, extra: true }, byMain('/'))
    // Well-formed, but not one emoji: the server's answer, with its code and message.
    for (const add of [true, false]) {
      await rejects(
        { ...target, emoji: 'yes', add },
        { code: 'invalid_request', message: expect.stringMatching(/^emoji must be exactly one/) },
      )
    }
    await rejects({ ...target, message_id: 999_999, emoji: '👍', add: true }, { code: 'not_found' })
    expect(alice.updatesOf(message.id)).toEqual([])
  })
})
