import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { NativeNotificationRequest } from '../../../src/main/core/coreHost'
import type { Conversation, Message } from '../../../src/shared/models'
import {
  CoreFixture,
  FAST_TUNING,
  freshName,
  registerPeer,
  removeDir,
  serverPerFile,
  tempDir,
  type Peer,
} from './support/coreFixture'
import { ManualClock } from './support/manualClock'

const WINDOW_MS = 1_000

/**
 * Threads through the whole core: sends in a thread through the outbox, the thread and Threads
 * view channels, following and reading, and which thread replies notify and count as unread.
 */
describe('app core: threads (real server)', () => {
  const server = serverPerFile()
  let dir: string
  let clock: ManualClock
  let app: CoreFixture
  let aliceId: number
  let jane: Peer
  let team: Conversation

  beforeEach(async () => {
    dir = tempDir('tidings-user-')
    clock = new ManualClock()
    app = new CoreFixture(dir, server.url, { ...FAST_TUNING, coalesceWindowMs: WINDOW_MS, clock })
    await app.core.start()
    const session = await app.core.handle('session/register', {
      username: freshName('alice'),
      password: 'correct horse battery',
    })
    aliceId = session.user!.id
    await app.waitForStatus('connected')
    jane = await registerPeer(server.url, freshName('jane'), 'jane')
    team = await jane.rest.createConversation({ member_ids: [aliceId], title: 'Team' })
    await app.outputs.waitFor(
      () => app.events().some((e) => e.type === 'conversation_created'),
      'the conversation',
    )
  })

  afterEach(async () => {
    await app.core.stop()
    removeDir(dir)
  })

  function janeSends(text: string, threadRootId?: number, alsoToChannel?: boolean) {
    return jane.rest.sendMessage(team.id, {
      text,
      client_id: `${text}-${Math.random()}`,
      ...(threadRootId === undefined ? {} : { thread_root_id: threadRootId }),
      ...(alsoToChannel === undefined ? {} : { also_to_channel: alsoToChannel }),
    })
  }

  function arrived(message: Message): Promise<void> {
    return app.outputs.waitFor(
      () => app.received().some((e) => e.data.message.id === message.id),
      `message ${message.text}`,
    )
  }

  /** Closes every gathering burst; returns the notifications shown then. */
  function closeWindow(): NativeNotificationRequest[] {
    const seen = app.outputs.notifications.length
    clock.advance(WINDOW_MS)
    return app.outputs.notifications.slice(seen)
  }

  it('sends a thread reply through the outbox, reads the thread and the Threads view, reads and unfollows', async () => {
    const root = await janeSends('Release on Friday?')
    await arrived(root)
    const item = await app.core.handle('messages/send', {
      conversation_id: team.id,
      text: 'Works for me',
      thread_root_id: root.id,
    })
    expect(item).toMatchObject({ thread_root_id: root.id, also_to_channel: false })
    await app.outputs.waitFor(
      () =>
        app.outputs
          .payloads('outbox/changed')
          .some((i) => i.client_id === item.client_id && i.status === 'sent'),
      'the reply sent',
    )
    const [sent] = (await app.core.handle('outbox/list', undefined)).filter(
      (i) => i.client_id === item.client_id,
    )
    expect(sent?.message?.thread_root_id).toBe(root.id)

    const thread = await app.core.handle('threads/get', {
      conversation_id: team.id,
      root_id: root.id,
    })
    expect(thread.replies.map((m) => m.text)).toEqual(['Works for me'])
    expect(thread.root.thread?.reply_count).toBe(1)
    expect(thread.following).toBe(true)

    const reply = await janeSends('Great', root.id)
    await arrived(reply)
    const listed = await app.core.handle('threads/list', undefined)
    expect(listed.threads.map((t) => [t.root.id, t.unread_count])).toEqual([[root.id, 1]])

    const read = await app.core.handle('threads/markRead', {
      conversation_id: team.id,
      root_id: root.id,
      up_to_message_id: reply.id,
    })
    expect(read.moved).toBe(true)
    await app.outputs.waitFor(
      () =>
        app
          .events()
          .some(
            (e) => e.type === 'message_updated' && e.data.thread_follow?.last_read_id === reply.id,
          ),
      'the read marker event',
    )
    expect((await app.core.handle('threads/list', undefined)).threads[0]?.unread_count).toBe(0)

    const unfollowed = await app.core.handle('threads/follow', {
      conversation_id: team.id,
      root_id: root.id,
      following: false,
    })
    expect(unfollowed.following).toBe(false)
    expect((await app.core.handle('threads/list', undefined)).threads).toEqual([])
  })

  it('sends a reply to the channel too, and refuses also_to_channel without a thread', async () => {
    const root = await janeSends('Lunch?')
    await arrived(root)
    const item = await app.core.handle('messages/send', {
      conversation_id: team.id,
      text: 'Noon',
      thread_root_id: root.id,
      also_to_channel: true,
    })
    await app.outputs.waitFor(
      () =>
        app.outputs
          .payloads('outbox/changed')
          .some((i) => i.client_id === item.client_id && i.message?.in_channel === true),
      'the reply sent to the channel too',
    )
    const history = await app.core.handle('messages/history', { conversation_id: team.id })
    expect(history.messages.map((m) => m.text)).toEqual(['Lunch?', 'Noon'])
    await expect(
      app.core.handle('messages/send', {
        conversation_id: team.id,
        text: 'x',
        also_to_channel: true,
      }),
    ).rejects.toMatchObject({ code: 'invalid_request' })
  })

  it('notifies replies of followed threads, not of others, and keeps them off the badge', async () => {
    const mine = (await app.core.handle('messages/send', {
      conversation_id: team.id,
      text: 'My question',
    })) as { client_id: string }
    await app.outputs.waitFor(
      () => app.events().some((e) => e.type === 'message_sent'),
      'my question sent',
    )
    const myRoot = app
      .events()
      .flatMap((e) =>
        e.type === 'message_sent' && e.data.message.client_id === mine.client_id
          ? [e.data.message]
          : [],
      )[0]!
    const janesRoot = await janeSends('Jane’s own topic')
    await arrived(janesRoot)
    await app.core.handle('conversations/list', undefined)
    const badge = app.outputs.unreadCounts.at(-1)
    closeWindow()

    // A reply in the thread Alice started: news. One in Jane's thread, which Alice does not
    // follow: not news. Neither counts on the badge.
    await arrived(await janeSends('An answer', myRoot.id))
    await arrived(await janeSends('Talking to myself', janesRoot.id))
    const shown = closeWindow()
    expect(shown.map((n) => n.body)).toEqual([expect.stringContaining('An answer')])
    expect(app.outputs.unreadCounts.at(-1)).toBe(badge)

    // With that thread's panel open in the focused window, its replies are in view.
    await app.core.handle('conversations/focus', {
      conversation_id: team.id,
      thread_root_id: myRoot.id,
    })
    app.windowFocused = true
    await arrived(await janeSends('Seen in the panel', myRoot.id))
    expect(closeWindow()).toEqual([])
    // The channel alone in view does not show a reply in a thread.
    await app.core.handle('conversations/focus', { conversation_id: team.id })
    await arrived(await janeSends('Not seen in the channel', myRoot.id))
    expect(closeWindow().map((n) => n.body)).toEqual([
      expect.stringContaining('Not seen in the channel'),
    ])
  })
})
