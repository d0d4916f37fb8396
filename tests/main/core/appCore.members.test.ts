import { afterEach, describe, expect, it } from 'vitest'
import type { AnyTidingsEvent } from '../../../src/shared/events'
import {
  CoreFixture,
  namesPerTest,
  registerPeer,
  removeDir,
  serverPerFile,
  tempDir,
} from './support/coreFixture'

type ConversationEvent = Extract<
  AnyTidingsEvent,
  { type: 'conversation_updated' | 'conversation_created' }
>

function conversationEvents(app: CoreFixture, id: number): ConversationEvent[] {
  return app
    .events()
    .filter(
      (e): e is ConversationEvent =>
        (e.type === 'conversation_updated' || e.type === 'conversation_created') &&
        e.data.conversation.id === id,
    )
}

describe('app core: renaming a group and changing its members (real server)', () => {
  const server = serverPerFile()
  const name = namesPerTest()
  const dirs: string[] = []
  const cores: CoreFixture[] = []

  /** An app signed in as this test's `person` (registered by it, or before it). */
  async function signedIn(person: string, register: boolean): Promise<CoreFixture> {
    const dir = tempDir('tidings-user-')
    dirs.push(dir)
    const app = new CoreFixture(dir, server.url)
    cores.push(app)
    await app.core.start()
    const credentials = { username: name(person), password: 'correct horse battery' }
    await app.core.handle(register ? 'session/register' : 'session/login', credentials)
    await app.waitForStatus('connected')
    return app
  }

  afterEach(async () => {
    for (const fixture of cores.splice(0)) await fixture.core.stop()
    for (const dir of dirs.splice(0)) removeDir(dir)
  })

  it('adds members to a group, renames it, and the creator removes one', async () => {
    const alice = await signedIn('alice', true)
    const bob = await registerPeer(server.url, name('bob'))
    const carol = await registerPeer(server.url, name('carol'))
    const group = await alice.core.handle('conversations/create', {
      member_ids: [bob.user.id],
      title: 'Team',
    })
    expect(group.kind).toBe('group')

    const added = await alice.core.handle('conversations/addMembers', {
      conversation_id: group.id,
      user_ids: [carol.user.id],
    })
    expect(added.members.map((m) => m.username)).toEqual([
      name('alice'),
      name('bob'),
      name('carol'),
    ])
    // Carol is a member on the server: she can read it.
    expect((await carol.rest.conversation(group.id)).title).toBe('Team')
    // Alice's app hears of it on the stream.
    await alice.outputs.waitFor(
      () =>
        conversationEvents(alice, group.id).some(
          (e) => e.data.change === 'members_added' && e.data.conversation.members.length === 3,
        ),
      'members_added',
    )

    const renamed = await alice.core.handle('conversations/rename', {
      conversation_id: group.id,
      title: 'Launch team',
    })
    expect(renamed.title).toBe('Launch team')

    const after = await alice.core.handle('conversations/removeMember', {
      conversation_id: group.id,
      user_id: carol.user.id,
    })
    expect(after.members.map((m) => m.username)).toEqual([name('alice'), name('bob')])
    await expect(carol.rest.conversation(group.id)).rejects.toMatchObject({
      status: 403,
      code: 'forbidden',
    })
  })

  it('a member leaves: the conversation leaves their list and unread count', async () => {
    const alice = await signedIn('alice', true)
    await registerPeer(server.url, name('bob'))
    const carol = await registerPeer(server.url, name('carol'))
    const bob = await signedIn('bob', false)
    const bobId = bob.core.sessionState().user!.id
    const group = await alice.core.handle('conversations/create', {
      member_ids: [bobId, carol.user.id],
      title: 'Team',
    })
    await bob.outputs.waitFor(
      () => conversationEvents(bob, group.id).length > 0,
      'bob hears of the group',
    )
    await carol.rest.sendMessage(group.id, { text: 'unread for bob', client_id: 'c-1' })
    await bob.outputs.waitFor(() => bob.outputs.unreadCounts.at(-1) === 1, 'bob has one unread')

    const left = await bob.core.handle('conversations/removeMember', {
      conversation_id: group.id,
      user_id: bobId,
    })
    expect(left.members.map((m) => m.username)).toEqual([name('alice'), name('carol')])
    expect(bob.outputs.unreadCounts.at(-1)).toBe(0)
    await bob.outputs.waitFor(
      () => conversationEvents(bob, group.id).some((e) => e.data.removed === true),
      'bob is told he was removed',
    )
    const bobsList = await bob.core.handle('conversations/list', undefined)
    expect(bobsList.map((c) => c.id)).not.toContain(group.id)
    // The others hear that the members changed.
    await alice.outputs.waitFor(
      () =>
        conversationEvents(alice, group.id).some(
          (e) => e.data.change === 'members_removed' && e.data.conversation.members.length === 2,
        ),
      'alice hears bob left',
    )
  })

  it("returns the server's refusals with their codes", async () => {
    const alice = await signedIn('alice', true)
    await registerPeer(server.url, name('bob'))
    const carol = await registerPeer(server.url, name('carol'))
    const dave = await registerPeer(server.url, name('dave'))
    const bob = await signedIn('bob', false)
    const bobId = bob.core.sessionState().user!.id

    // A direct conversation has exactly two members.
    const direct = await alice.core.handle('conversations/create', { member_ids: [bobId] })
    expect(direct.kind).toBe('direct')
    await expect(
      alice.core.handle('conversations/addMembers', {
        conversation_id: direct.id,
        user_ids: [carol.user.id],
      }),
    ).rejects.toMatchObject({ status: 400, code: 'invalid_request' })

    // Only the creator or an admin removes others; a member may only leave.
    const group = await alice.core.handle('conversations/create', {
      member_ids: [bobId, carol.user.id],
      title: 'Team',
    })
    await expect(
      bob.core.handle('conversations/removeMember', {
        conversation_id: group.id,
        user_id: carol.user.id,
      }),
    ).rejects.toMatchObject({ status: 403, code: 'forbidden' })

    // Not a member: nothing may be changed.
    const theirs = await carol.rest.createConversation({
      member_ids: [dave.user.id],
      title: 'Private',
    })
    await expect(
      bob.core.handle('conversations/addMembers', {
        conversation_id: theirs.id,
        user_ids: [bobId],
      }),
    ).rejects.toMatchObject({ status: 403, code: 'forbidden' })
    await expect(
      bob.core.handle('conversations/removeMember', {
        conversation_id: theirs.id,
        user_id: dave.user.id,
      }),
    ).rejects.toMatchObject({ status: 403, code: 'forbidden' })

    // The requests are checked before they leave the app.
    await expect(
      alice.core.handle('conversations/addMembers', { conversation_id: group.id, user_ids: [] }),
    ).rejects.toMatchObject({ code: 'invalid_request' })
    await expect(
      alice.core.handle('conversations/removeMember', {
        conversation_id: group.id,
        user_id: 0,
      }),
    ).rejects.toMatchObject({ code: 'invalid_request' })
    // Nothing changed.
    const [still] = (await alice.core.handle('conversations/list', undefined)).filter(
      (c) => c.id === group.id,
    )
    expect(still!.members.map((m) => m.username)).toEqual([
      name('alice'),
      name('bob'),
      name('carol'),
    ])
  })
})
