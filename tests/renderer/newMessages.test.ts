import { beforeEach, describe, expect, it } from 'vitest'
import type { Conversation, Message } from '../../src/shared/models'
import { DEFAULT_PREFERENCES } from '../../src/shared/preferences'
import { applyEvent } from '../../src/renderer/src/actions/applyEvent'
import { openConversation } from '../../src/renderer/src/actions/navigation'
import { applySession, resetUserData } from '../../src/renderer/src/actions/userData'
import { setWindowFocused } from '../../src/renderer/src/actions/windowWiring'
import { buildRows } from '../../src/renderer/src/components/Thread'
import { useConversations } from '../../src/renderer/src/stores/conversations'
import { buildThread, useMessages, type ThreadState } from '../../src/renderer/src/stores/messages'
import { firstUnreadKey, useNewMessages } from '../../src/renderer/src/stores/newMessages'
import { usePreferences } from '../../src/renderer/src/stores/preferences'
import { useSession } from '../../src/renderer/src/stores/session'
import {
  JANE,
  ME,
  SESSION,
  conversation,
  event,
  installFakeTidings,
  member,
  message,
  type FakeTidings,
} from './fakeTidings'

let fake: FakeTidings

/** Conversation 7 with Jane: the user read up to 11; Jane wrote 12 and 14, the user 13. */
const HISTORY: Message[] = [
  message(10, 7, JANE, 'old news'),
  message(11, 7, ME, 'read already'),
  message(12, 7, JANE, 'first unread'),
  message(13, 7, ME, 'my own reply'),
  message(14, 7, JANE, 'second unread'),
]

function withMarker(c: Conversation, readUpTo: number): Conversation {
  return {
    ...c,
    members: [{ ...member(ME), last_read_message_id: readUpTo }, member(JANE)],
  }
}

function thread(messages: Message[], nextBefore: number | null = null): ThreadState {
  return { messages, nextBefore, loaded: true, loadingOlder: false, error: null }
}

/** Where the divider of conversation 7 goes now, as the thread pane computes it. */
function dividerKey(): string | null {
  const opened = useNewMessages.getState().opened
  if (opened?.conversationId !== 7) return null
  const t = useMessages.getState().threads[7]
  const entries = buildThread(t, {}, 7, ME.id)
  return firstUnreadKey(t, entries, opened.readUpTo)
}

beforeEach(async () => {
  fake = installFakeTidings()
  fake.handlers['conversations/list'] = () => [
    withMarker(conversation(7, [JANE], { last_message: HISTORY[4]!, unread_count: 2 }), 11),
    conversation(8, [JANE]),
  ]
  fake.handlers['users/list'] = () => []
  fake.handlers['outbox/list'] = () => []
  fake.handlers['drafts/list'] = () => []
  fake.handlers['conversations/focus'] = () => undefined
  fake.handlers['messages/markRead'] = () => undefined
  fake.handlers['messages/history'] = (request) =>
    (request as { conversation_id: number }).conversation_id === 7
      ? { messages: HISTORY, next_before: null }
      : { messages: [], next_before: null }
  useSession.setState({ session: null, busy: false, error: null })
  resetUserData()
  usePreferences.setState({ prefs: DEFAULT_PREFERENCES })
  setWindowFocused(true)
  await applySession(SESSION)
})

describe('"New messages" divider', () => {
  it('goes above the first message from someone else after the read marker', () => {
    const t = thread(HISTORY)
    const entries = buildThread(t, {}, 7, ME.id)
    expect(firstUnreadKey(t, entries, 11)).toBe(entries[2]!.key)
    // One's own messages never get it, nor does a deleted one (nothing to read).
    expect(firstUnreadKey(t, entries, 12)).toBe(entries[4]!.key)
    const deleted = HISTORY.map((m) => (m.id === 12 ? { ...m, deleted_at: m.created_at } : m))
    const t2 = thread(deleted)
    expect(firstUnreadKey(t2, buildThread(t2, {}, 7, ME.id), 11)).toBe(entries[4]!.key)
    // Read to the end: none.
    expect(firstUnreadKey(t, entries, 14)).toBeNull()
  })

  it('waits while the loaded pages do not reach back to the marker', () => {
    // Only 13 and 14 loaded, older pages remain: 12 (the first unread) may be further up.
    const partial = thread(HISTORY.slice(3), 13)
    expect(firstUnreadKey(partial, buildThread(partial, {}, 7, ME.id), 11)).toBeNull()
    // Paged back past the marker: it shows.
    const paged = thread(HISTORY.slice(1), 11)
    const entries = buildThread(paged, {}, 7, ME.id)
    expect(firstUnreadKey(paged, entries, 11)).toBe(entries[1]!.key)
  })

  it('sits as its own row right above that message', () => {
    const t = thread(HISTORY)
    const entries = buildThread(t, {}, 7, ME.id)
    const rows = buildRows(entries, 'UTC', true, entries[2]!.key)
    const at = rows.findIndex((r) => r.type === 'new')
    expect(rows.filter((r) => r.type === 'new')).toHaveLength(1)
    expect(rows[at + 1]).toMatchObject({ type: 'message', key: entries[2]!.key })
    expect(rows[at - 1]).toMatchObject({ type: 'message', key: entries[1]!.key })
    expect(buildRows(entries, 'UTC', true).some((r) => r.type === 'new')).toBe(false)
  })

  it('stays put while the conversation is open, and is gone after switching away and back', async () => {
    await openConversation(7)
    const firstUnread = buildThread(useMessages.getState().threads[7], {}, 7, ME.id)[2]!.key
    expect(dividerKey()).toBe(firstUnread)
    // Opening marked it read, and the user's read receipt came back: the divider stays.
    expect(fake.callsTo('messages/markRead')).toEqual([
      { conversation_id: 7, up_to_message_id: 14 },
    ])
    applyEvent(
      event('message_updated', {
        conversation_id: 7,
        receipt: { user_id: ME.id, kind: 'read', up_to_message_id: 14 },
      }),
    )
    // Newer messages, read at once while open, do not move it either.
    applyEvent(
      event('message_received', {
        conversation_id: 7,
        conversation_title: null,
        sender_name: JANE.display_name,
        message: message(15, 7, JANE, 'while open'),
      }),
    )
    expect(dividerKey()).toBe(firstUnread)
    // Choosing the open conversation again changes nothing.
    await openConversation(7)
    expect(dividerKey()).toBe(firstUnread)

    await openConversation(8)
    expect(useNewMessages.getState().opened).toBeNull()
    await openConversation(7)
    expect(dividerKey()).toBeNull()
  })

  it('loads enough on opening to reach the first unread message, within the largest page', async () => {
    const limits: number[] = []
    fake.handlers['messages/history'] = (request) => {
      limits.push((request as { limit: number }).limit)
      return { messages: [], next_before: null }
    }
    for (const [id, unread] of [
      [31, 0],
      [32, 10],
      [33, 120],
      [34, 5_000],
    ] as const) {
      fake.handlers['conversations/list'] = () => [
        conversation(id, [JANE], {
          last_message: message(900, id, JANE, 'x'),
          unread_count: unread,
        }),
      ]
      await useConversations.getState().load()
      await openConversation(id)
    }
    expect(limits).toEqual([50, 50, 140, 200])
  })

  it('marks nothing new in a conversation opened with nothing unread', async () => {
    fake.handlers['conversations/list'] = () => [
      withMarker(conversation(7, [JANE], { last_message: HISTORY[4]!, unread_count: 0 }), 11),
    ]
    await useConversations.getState().load()
    await openConversation(7)
    expect(useNewMessages.getState().opened).toBeNull()
    expect(dividerKey()).toBeNull()
  })
})
