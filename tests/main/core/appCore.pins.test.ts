import { beforeEach, describe, expect, it } from 'vitest'
import { MAX_PINNED_CONVERSATIONS } from '../../../src/shared/preferences'
import {
  appPerTest,
  type CoreFixture,
  freshName,
  type Peer,
  registerPeer,
  serverPerFile,
} from './support/coreFixture'

const PASSWORD = 'correct horse battery'

/**
 * Pinned conversations in the core: a per-device preference changed from the main window
 * through conversations/setPinned, bounded, kept across a restart, and forgotten for a
 * conversation the user is no longer in.
 */
describe('app core: pinned conversations (real server, real local store)', () => {
  const server = serverPerFile()
  const apps = appPerTest(server)
  let app: CoreFixture
  let me: number
  let jane: Peer

  beforeEach(async () => {
    app = await apps.start()
    const username = freshName('alice')
    me = (await app.core.handle('session/register', { username, password: PASSWORD })).user!.id
    await app.waitForStatus('connected')
    jane = await registerPeer(server.url, freshName('jane'))
  })

  async function pinned(fixture = app): Promise<number[]> {
    return (await fixture.core.handle('settings/get', undefined)).pinned_conversation_ids
  }

  it('pins in pin order, keeps a pin’s place when pinned again, unpins, and pushes each change', async () => {
    expect(await pinned()).toEqual([])
    const pushed = app.outputs.payloads('settings/changed').length
    const first = await app.core.handle('conversations/setPinned', {
      conversation_id: 7,
      pinned: true,
    })
    expect(first.pinned_conversation_ids).toEqual([7])
    await app.core.handle('conversations/setPinned', { conversation_id: 3, pinned: true })
    await app.core.handle('conversations/setPinned', { conversation_id: 9, pinned: true })
    // The latest pin goes last (as Signal does); pinning again moves nothing.
    await app.core.handle('conversations/setPinned', { conversation_id: 7, pinned: true })
    expect(await pinned()).toEqual([7, 3, 9])
    const unpinned = await app.core.handle('conversations/setPinned', {
      conversation_id: 3,
      pinned: false,
    })
    expect(unpinned.pinned_conversation_ids).toEqual([7, 9])
    // Every window follows: the same push a settings change makes, once per change.
    expect(
      app.outputs
        .payloads('settings/changed')
        .slice(pushed)
        .map((p) => p.pinned_conversation_ids),
    ).toEqual([[7], [7, 3], [7, 3, 9], [7, 9]])
    // Unpinning what is not pinned is no change either.
    await app.core.handle('conversations/setPinned', { conversation_id: 3, pinned: false })
    expect(await pinned()).toEqual([7, 9])
    // Only the pins changed.
    expect((await app.core.handle('settings/get', undefined)).muted_conversation_ids).toEqual([])
  })

  it(`refuses a pin past ${MAX_PINNED_CONVERSATIONS} and changes nothing`, async () => {
    const ids = Array.from({ length: MAX_PINNED_CONVERSATIONS }, (_, i) => i + 1)
    for (const id of ids) {
      await app.core.handle('conversations/setPinned', { conversation_id: id, pinned: true })
    }
    const pushed = app.outputs.payloads('settings/changed').length
    await expect(
      app.core.handle('conversations/setPinned', { conversation_id: 99, pinned: true }),
    ).rejects.toMatchObject({
      code: 'pin_limit_reached',
      message: `You can pin up to ${MAX_PINNED_CONVERSATIONS} conversations. Unpin one first.`,
    })
    expect(await pinned()).toEqual(ids)
    expect(app.outputs.payloads('settings/changed').length).toBe(pushed)
    // Pinning one already pinned is still fine at the limit, and unpinning makes room.
    await app.core.handle('conversations/setPinned', { conversation_id: 1, pinned: true })
    await app.core.handle('conversations/setPinned', { conversation_id: 2, pinned: false })
    await app.core.handle('conversations/setPinned', { conversation_id: 99, pinned: true })
    expect(await pinned()).toEqual([1, 3, 4, 5, 99])
    // The settings window's full write is held to the same bound.
    await expect(
      app.core.handle('settings/set', { pinned_conversation_ids: [...ids, 99] }),
    ).rejects.toMatchObject({ code: 'invalid_request' })
  })

  it('keeps the pins across a restart of the core', async () => {
    await app.core.handle('conversations/setPinned', { conversation_id: 12, pinned: true })
    await app.core.handle('conversations/setPinned', { conversation_id: 4, pinned: true })
    await app.core.stop()
    const second = await apps.start()
    expect(await pinned(second)).toEqual([12, 4])
  })

  it('forgets the pin of a conversation the user leaves or is removed from', async () => {
    const left = await jane.rest.createConversation({ member_ids: [me], title: 'Left' })
    const removed = await jane.rest.createConversation({ member_ids: [me], title: 'Removed' })
    const kept = await jane.rest.createConversation({ member_ids: [me], title: 'Kept' })
    for (const c of [left, removed, kept]) {
      await app.core.handle('conversations/setPinned', { conversation_id: c.id, pinned: true })
    }

    const pushed = app.outputs.payloads('settings/changed').length
    await app.core.handle('conversations/removeMember', { conversation_id: left.id, user_id: me })
    expect(await pinned()).toEqual([removed.id, kept.id])
    // Every window is told, as for any pin change.
    expect(app.outputs.payloads('settings/changed').at(-1)?.pinned_conversation_ids).toEqual([
      removed.id,
      kept.id,
    ])
    expect(app.outputs.payloads('settings/changed').length).toBeGreaterThan(pushed)

    await jane.rest.removeMember(removed.id, me)
    await app.outputs.waitFor(
      () =>
        app
          .events()
          .some(
            (e) =>
              e.type === 'conversation_updated' &&
              e.data.removed === true &&
              e.data.conversation.id === removed.id,
          ),
      'removed',
    )
    expect(await pinned()).toEqual([kept.id])
  })

  it('refuses a malformed pin request and changes nothing', async () => {
    for (const request of [
      { conversation_id: 0, pinned: true },
      { conversation_id: -3, pinned: true },
      { conversation_id: 1.5, pinned: true },
      { conversation_id: 2 },
      { conversation_id: 2, pinned: 'yes' },
      { pinned: true },
      { conversation_id: 2, pinned: true, muted: true },
      null,
    ]) {
      await expect(
        app.core.handle('conversations/setPinned', request as never),
        JSON.stringify(request),
      ).rejects.toMatchObject({ code: 'invalid_request' })
    }
    expect(await pinned()).toEqual([])
  })
})
