import { beforeEach, describe, expect, it } from 'vitest'
import { EN } from './intl'
import type { EventDataMap } from '../../src/shared/events'
import type { Conversation, Message } from '../../src/shared/models'
import { DEFAULT_PREFERENCES } from '../../src/shared/preferences'
import { applyEvent } from '../../src/renderer/src/actions/applyEvent'
import { leaveConversation } from '../../src/renderer/src/actions/membership'
import { openConversation } from '../../src/renderer/src/actions/navigation'
import { markActiveRead } from '../../src/renderer/src/actions/readTracking'
import {
  applySession,
  register,
  resetUserData,
  signIn,
  signOut,
} from '../../src/renderer/src/actions/userData'
import { setWindowFocused } from '../../src/renderer/src/actions/windowWiring'
import { useBranding, DEFAULT_BRANDING } from '../../src/renderer/src/stores/branding'
import {
  conversationPermissions,
  conversationTitle,
  useConversations,
} from '../../src/renderer/src/stores/conversations'
import { useEventMonitor } from '../../src/renderer/src/stores/eventMonitor'
import { buildThread, useMessages } from '../../src/renderer/src/stores/messages'
import { usePreferences } from '../../src/renderer/src/stores/preferences'
import { usePresence } from '../../src/renderer/src/stores/presence'
import { useSession } from '../../src/renderer/src/stores/session'
import { useToasts } from '../../src/renderer/src/stores/toasts'
import { useTyping } from '../../src/renderer/src/stores/typing'
import { receiptText } from '../../src/renderer/src/components/Thread'
import {
  BOB,
  JANE,
  ME,
  SESSION,
  conversation,
  event,
  installFakeTidings,
  member,
  message,
  until,
  type FakeTidings,
} from './fakeTidings'

let fake: FakeTidings

async function startSignedIn(
  conversations = [
    conversation(10, [JANE], { updated_at: '2026-01-02T00:00:00Z' }),
    conversation(20, [JANE, BOB]),
  ],
) {
  fake.handlers['conversations/list'] = () => conversations
  fake.handlers['users/list'] = () => [
    { ...JANE, online: false },
    { ...BOB, online: true },
  ]
  fake.handlers['outbox/list'] = () => []
  fake.handlers['conversations/focus'] = () => undefined
  fake.handlers['messages/markRead'] = () => undefined
  fake.handlers['messages/history'] = () => ({ messages: [], next_before: null })
  await applySession(SESSION)
}

const received = (cid: number, m: ReturnType<typeof message>) =>
  event('message_received', {
    conversation_id: cid,
    conversation_title: null,
    sender_name: m.sender_name,
    message: m,
  })

const sent = (cid: number, m: ReturnType<typeof message>) =>
  event('message_sent', {
    conversation_id: cid,
    conversation_title: null,
    sender_name: m.sender_name,
    message: m,
  })

beforeEach(async () => {
  fake = installFakeTidings()
  useSession.setState({ session: null, busy: false, error: null })
  resetUserData()
  useBranding.setState({ branding: DEFAULT_BRANDING })
  usePreferences.setState({ prefs: DEFAULT_PREFERENCES })
  setWindowFocused(true)
  await startSignedIn()
})

describe('session', () => {
  it('loads conversations and people on sign-in and forgets them on sign-out', async () => {
    expect(useConversations.getState().order).toHaveLength(2)
    expect(usePresence.getState().people[BOB.id]?.online).toBe(true)
    fake.handlers['session/logout'] = () => ({ ...SESSION, user: null })
    await signOut()
    expect(useSession.getState().session?.user).toBeNull()
    expect(useConversations.getState().order).toEqual([])
    expect(usePresence.getState().people).toEqual({})
    // The push that follows changes nothing more.
    await applySession({ ...SESSION, user: null })
    fake.handlers['session/login'] = () => SESSION
    expect(await signIn('me', 'password1')).toBe(true)
    expect(useConversations.getState().order).toHaveLength(2)
  })

  it('drops answers the previous user asked for when they arrive after signing out', async () => {
    const answers: (() => void)[] = []
    const later = <T>(value: T) => new Promise<T>((resolve) => answers.push(() => resolve(value)))
    fake.handlers['conversations/list'] = () => later([conversation(10, [JANE])])
    fake.handlers['messages/history'] = () =>
      later({ messages: [message(5, 10, JANE, 'private')], next_before: null })
    const list = useConversations.getState().load()
    const history = useMessages.getState().loadLatest(10)
    fake.handlers['session/logout'] = () => ({ ...SESSION, user: null })
    await signOut()
    for (const answer of answers) answer()
    await Promise.all([list, history])
    expect(useConversations.getState().order).toEqual([])
    expect(useConversations.getState().loaded).toBe(false)
    expect(useMessages.getState().threads).toEqual({})
  })

  it('keeps the error message of a failed sign-in', async () => {
    fake.handlers['session/login'] = () => {
      throw new Error("Error invoking remote method 'session/login': Error: invalid_credentials")
    }
    expect(await signIn('me', 'wrong-password')).toBe(false)
    expect(useSession.getState().error).toBe('Error: invalid_credentials')
    expect(fake.callsTo('session/login')).toEqual([{ username: 'me', password: 'wrong-password' }])
  })

  it('registers with an invite code and without empty optional fields', async () => {
    fake.handlers['session/register'] = () => ({ ...SESSION, user: { ...ME, id: 5 } })
    expect(
      await register({
        username: 'new',
        password: 'password1',
        invite_code: 'X',
        display_name: '',
      }),
    ).toBe(true)
    expect(useSession.getState().session?.user?.id).toBe(5)
    expect(fake.callsTo('session/register')).toEqual([
      { username: 'new', password: 'password1', invite_code: 'X' },
    ])
  })
})

describe('messages and unread counts', () => {
  it('counts messages from others in inactive conversations and reorders the list', () => {
    expect(useConversations.getState().order[0]).not.toBe(20)
    applyEvent(
      event('message_received', {
        conversation_id: 20,
        conversation_title: null,
        sender_name: 'Bob',
        message: message(5, 20, BOB, 'hello group'),
      }),
    )
    const c = useConversations.getState().byId[20]
    expect(c?.unread_count).toBe(1)
    expect(c?.last_message?.text).toBe('hello group')
    expect(useConversations.getState().order[0]).toBe(20)
    expect(useMessages.getState().threads[20]?.messages.map((m) => m.id)).toEqual([5])
    // The same event again (e.g. a replay) is not counted twice.
    applyEvent(
      event('message_received', {
        conversation_id: 20,
        conversation_title: null,
        sender_name: 'Bob',
        message: message(5, 20, BOB, 'hello group'),
      }),
    )
    expect(useConversations.getState().byId[20]?.unread_count).toBe(1)
    expect(useMessages.getState().threads[20]?.messages).toHaveLength(1)
    expect(useToasts.getState().toasts).toHaveLength(1)
    expect(useToasts.getState().toasts[0]?.kind).toBe('message_received')
    expect(useToasts.getState().toasts[0]?.conversation_id).toBe(20)
  })

  it('marks the open conversation read instead of counting, only while focused', async () => {
    await openConversation(10)
    expect(fake.callsTo('conversations/focus')).toEqual([
      { conversation_id: 10, thread_root_id: null },
    ])
    applyEvent(
      event('message_received', {
        conversation_id: 10,
        conversation_title: null,
        sender_name: 'Jane',
        message: message(7, 10, JANE, 'hi'),
      }),
    )
    expect(useConversations.getState().byId[10]?.unread_count).toBe(0)
    expect(fake.callsTo('messages/markRead')).toEqual([
      { conversation_id: 10, up_to_message_id: 7 },
    ])
    expect(useToasts.getState().toasts).toHaveLength(0)

    setWindowFocused(false)
    applyEvent(
      event('message_received', {
        conversation_id: 10,
        conversation_title: null,
        sender_name: 'Jane',
        message: message(8, 10, JANE, 'are you there?'),
      }),
    )
    expect(useConversations.getState().byId[10]?.unread_count).toBe(1)
    expect(fake.callsTo('messages/markRead')).toHaveLength(1)
    setWindowFocused(true)
    expect(useConversations.getState().byId[10]?.unread_count).toBe(0)
    expect(fake.callsTo('messages/markRead')).toEqual([
      { conversation_id: 10, up_to_message_id: 7 },
      { conversation_id: 10, up_to_message_id: 8 },
    ])
    // Nothing new: no repeated call.
    markActiveRead()
    expect(fake.callsTo('messages/markRead')).toHaveLength(2)
  })

  it('does not count or toast own messages and muted conversations', () => {
    applyEvent(
      event('message_sent', {
        conversation_id: 10,
        conversation_title: null,
        sender_name: ME.display_name,
        message: message(9, 10, ME, 'from my phone'),
      }),
    )
    expect(useConversations.getState().byId[10]?.unread_count).toBe(0)
    expect(useConversations.getState().byId[10]?.last_message?.id).toBe(9)
    usePreferences.setState({ prefs: { ...DEFAULT_PREFERENCES, muted_conversation_ids: [10] } })
    applyEvent(
      event('message_received', {
        conversation_id: 10,
        conversation_title: null,
        sender_name: 'Jane',
        message: message(11, 10, JANE, 'muted'),
      }),
    )
    expect(useConversations.getState().byId[10]?.unread_count).toBe(1)
    expect(useToasts.getState().toasts).toHaveLength(0)
  })

  it('treats a message from a connected platform as received, not own', () => {
    const email = {
      ...message(13, 10, ME, 'Invoice attached'),
      sender_name: 'Acme Billing',
      external_sender: { handle: 'billing@acme.test', name: 'Acme Billing' },
    }
    applyEvent(
      event('message_received', {
        conversation_id: 10,
        conversation_title: null,
        sender_name: 'Acme Billing',
        message: email,
      }),
    )
    expect(useConversations.getState().byId[10]?.unread_count).toBe(1)
    const rows = buildThread(
      useMessages.getState().threads[10],
      useMessages.getState().outbox,
      10,
      ME.id,
    )
    expect(rows[0]?.own).toBe(false)
    expect(rows[0]?.sender_name).toBe('Acme Billing')
  })

  it('hides message text in toasts according to notification privacy', () => {
    usePreferences.setState({ prefs: { ...DEFAULT_PREFERENCES, notification_privacy: 'hidden' } })
    applyEvent(
      event('message_received', {
        conversation_id: 10,
        conversation_title: null,
        sender_name: 'Jane',
        message: message(12, 10, JANE, 'secret'),
      }),
    )
    // Main's notification and the toast are worded alike (src/shared/notificationText.ts): the
    // app's name over "New message", neither who nor what.
    const toast = useToasts.getState().toasts[0]
    expect(toast?.title).toBe('Tidings')
    expect(toast?.body).toBe('New message')
    usePreferences.setState({
      prefs: { ...DEFAULT_PREFERENCES, notification_privacy: 'sender_only' },
    })
    applyEvent(
      event('message_received', {
        conversation_id: 20,
        conversation_title: null,
        sender_name: 'Jane',
        message: message(13, 20, JANE, 'secret too'),
      }),
    )
    const second = useToasts.getState().toasts[1]
    expect(second?.title).toBe(
      `Jane in ${conversationTitle(useConversations.getState().byId[20]!, ME.id, usePresence.getState().people)}`,
    )
    expect(second?.body).toBe('New message')
  })

  it('toasts no message read on another device or already in the loaded list', async () => {
    // Read up to 60 elsewhere before this window loaded; copies of 30-60 arrive late (a replay,
    // or pushes queued before a reload).
    await applySession({ ...SESSION, user: null })
    await startSignedIn([
      conversation(10, [JANE], {
        last_message: message(60, 10, JANE, 'Filler 60'),
        members: [{ ...member(ME), last_read_message_id: 60 }, member(JANE)],
      }),
    ])
    for (let id = 30; id <= 60; id++)
      applyEvent(received(10, message(id, 10, JANE, `Filler ${id}`)))
    expect(useToasts.getState().toasts).toHaveLength(0)
    expect(useConversations.getState().byId[10]?.unread_count).toBe(0)
    // What is sent now is news, until it is read on another device or deleted.
    applyEvent(received(10, message(61, 10, JANE, 'news')))
    applyEvent(received(10, message(62, 10, JANE, 'oops wrong chat')))
    expect(useToasts.getState().toasts.map((t) => t.body)).toEqual(['news', 'oops wrong chat'])
    applyEvent(
      event('message_deleted', {
        conversation_id: 10,
        message_id: 62,
        message: { ...message(62, 10, JANE, ''), deleted_at: '2026-01-15T15:45:00Z' },
      }),
    )
    expect(useToasts.getState().toasts.map((t) => t.body)).toEqual(['news'])
    applyEvent(
      event('message_updated', {
        conversation_id: 10,
        receipt: { user_id: ME.id, kind: 'read', up_to_message_id: 61 },
      }),
    )
    expect(useToasts.getState().toasts).toHaveLength(0)
  })

  it('toasts no message that arrives before the window has loaded its list', async () => {
    resetUserData()
    let answer: (list: Conversation[]) => void = () => undefined
    fake.handlers['conversations/list'] = () => new Promise((resolve) => (answer = resolve))
    const loading = useConversations.getState().load()
    applyEvent(received(10, message(5, 10, JANE, 'from before')))
    answer([conversation(10, [JANE], { last_message: message(5, 10, JANE, 'from before') })])
    await loading
    expect(useToasts.getState().toasts).toHaveLength(0)
    applyEvent(received(10, message(6, 10, JANE, 'news')))
    expect(useToasts.getState().toasts.map((t) => t.body)).toEqual(['news'])
  })

  it('applies edits, deletions and receipts', () => {
    applyEvent(
      event('message_sent', {
        conversation_id: 10,
        conversation_title: null,
        sender_name: ME.display_name,
        message: message(30, 10, ME, 'original'),
      }),
    )
    const edited = { ...message(30, 10, ME, 'edited'), edited_at: '2026-01-15T15:40:00Z' }
    applyEvent(event('message_updated', { conversation_id: 10, message: edited }))
    expect(useMessages.getState().threads[10]?.messages[0]?.text).toBe('edited')
    expect(useConversations.getState().byId[10]?.last_message?.text).toBe('edited')

    const c = () => useConversations.getState().byId[10]!
    expect(receiptText(c(), 30, ME.id, EN)).toBe('Sent')
    applyEvent(
      event('message_updated', {
        conversation_id: 10,
        receipt: { user_id: JANE.id, kind: 'delivered', up_to_message_id: 30 },
      }),
    )
    expect(receiptText(c(), 30, ME.id, EN)).toBe('Delivered')
    applyEvent(
      event('message_updated', {
        conversation_id: 10,
        receipt: { user_id: JANE.id, kind: 'read', up_to_message_id: 30 },
      }),
    )
    expect(receiptText(c(), 30, ME.id, EN)).toBe('Read by Jane')
    // Markers never move backwards.
    applyEvent(
      event('message_updated', {
        conversation_id: 10,
        receipt: { user_id: JANE.id, kind: 'read', up_to_message_id: 3 },
      }),
    )
    expect(c().members.find((m) => m.user_id === JANE.id)?.last_read_message_id).toBe(30)

    const deleted = { ...edited, text: '', deleted_at: '2026-01-15T15:45:00Z' }
    applyEvent(event('message_deleted', { conversation_id: 10, message_id: 30, message: deleted }))
    expect(useMessages.getState().threads[10]?.messages[0]?.deleted_at).not.toBeNull()
    expect(useConversations.getState().byId[10]?.last_message?.deleted_at).not.toBeNull()
    // A late copy of the edit does not resurrect the deleted message.
    applyEvent(event('message_updated', { conversation_id: 10, message: edited }))
    expect(useMessages.getState().threads[10]?.messages[0]?.deleted_at).not.toBeNull()
  })

  it('clears the unread count when the user reads the conversation on another device', async () => {
    fake.handlers['conversations/list'] = () => [
      conversation(10, [JANE], { last_message: message(5, 10, JANE, 'hi'), unread_count: 1 }),
    ]
    await useConversations.getState().load()
    applyEvent(received(10, message(6, 10, JANE, 'still there?')))
    expect(useConversations.getState().byId[10]?.unread_count).toBe(2)
    // Own read receipt from another device (a phone) up to the newest message.
    applyEvent(
      event('message_updated', {
        conversation_id: 10,
        receipt: { user_id: ME.id, kind: 'read', up_to_message_id: 6 },
      }),
    )
    // Main's badge drops to 0 on this receipt (UnreadCounts.readUpTo); the list agrees.
    expect(useConversations.getState().byId[10]?.unread_count).toBe(0)
  })

  it('after a partial read elsewhere, counts what is left in the loaded thread, else reloads', async () => {
    const ownRead = (cid: number, upTo: number) =>
      event('message_updated', {
        conversation_id: cid,
        receipt: { user_id: ME.id, kind: 'read', up_to_message_id: upTo },
      })
    // Conversation 10's whole history is loaded: 41 and 43 from Jane, 42 own.
    await openConversation(10)
    await openConversation(null)
    applyEvent(received(10, message(41, 10, JANE, 'a')))
    applyEvent(sent(10, message(42, 10, ME, 'b')))
    applyEvent(received(10, message(43, 10, JANE, 'c')))
    expect(useConversations.getState().byId[10]?.unread_count).toBe(2)
    applyEvent(ownRead(10, 41))
    expect(useConversations.getState().byId[10]?.unread_count).toBe(1)
    expect(fake.callsTo('conversations/list')).toHaveLength(1)

    // Conversation 20's thread is not loaded: only the server knows what is left.
    applyEvent(received(20, message(51, 20, BOB, 'd')))
    applyEvent(received(20, message(52, 20, BOB, 'e')))
    fake.handlers['conversations/list'] = () => [
      conversation(10, [JANE], { last_message: message(43, 10, JANE, 'c'), unread_count: 1 }),
      conversation(20, [JANE, BOB], { last_message: message(52, 20, BOB, 'e'), unread_count: 1 }),
    ]
    applyEvent(ownRead(20, 51))
    await until(() => useConversations.getState().byId[20]?.unread_count === 1)
    expect(fake.callsTo('conversations/list')).toHaveLength(2)
  })

  it('stops counting an unread message that its sender deleted, once', () => {
    const m = message(7, 10, JANE, 'oops wrong chat')
    applyEvent(received(10, message(6, 10, JANE, 'hello')))
    applyEvent(received(10, m))
    expect(useConversations.getState().byId[10]?.unread_count).toBe(2)
    const tombstone = { ...m, text: '', deleted_at: '2026-01-15T15:50:00Z' }
    const deleted = event('message_deleted', {
      conversation_id: 10,
      message_id: 7,
      message: tombstone,
    })
    applyEvent(deleted)
    // The server's unread_count excludes deleted messages.
    expect(useConversations.getState().byId[10]?.unread_count).toBe(1)
    // The same deletion again (a replay) is not taken off twice.
    applyEvent(deleted)
    expect(useConversations.getState().byId[10]?.unread_count).toBe(1)
    // Nor are own messages, or messages already read.
    const own = { ...message(8, 10, ME, 'mine'), deleted_at: '2026-01-15T15:51:00Z' }
    applyEvent(event('message_deleted', { conversation_id: 10, message_id: 8, message: own }))
    expect(useConversations.getState().byId[10]?.unread_count).toBe(1)
    useConversations
      .getState()
      .applyReceipt(10, { user_id: ME.id, kind: 'read', up_to_message_id: 5 })
    const read = { ...message(5, 10, JANE, 'old'), deleted_at: '2026-01-15T15:52:00Z' }
    applyEvent(event('message_deleted', { conversation_id: 10, message_id: 5, message: read }))
    expect(useConversations.getState().byId[10]?.unread_count).toBe(1)
  })

  it('does not take a deletion off again when the loaded count already leaves it out', async () => {
    // Lets every queued microtask run (the queued list reload, its request and answer): what has
    // not happened then was not asked for.
    const settled = () => new Promise((resolve) => setTimeout(resolve, 0))
    const unread = (cid: number) => useConversations.getState().byId[cid]?.unread_count
    const listCalls = () => fake.callsTo('conversations/list').length
    const tombstone = (m: Message): Message => ({
      ...m,
      text: '',
      deleted_at: '2026-01-15T15:58:00Z',
    })
    const deletion = (m: Message) =>
      event('message_deleted', {
        conversation_id: m.conversation_id,
        message_id: m.id,
        message: tombstone(m),
      })
    // On the server Jane sent 6 and 7 and deleted 6, Bob sent 16 and 17 and deleted 16: the list
    // counts 7 and 17 only.
    let server = [
      conversation(10, [JANE], { last_message: message(7, 10, JANE, 'b'), unread_count: 1 }),
      conversation(20, [JANE, BOB], { last_message: message(17, 20, BOB, 'd'), unread_count: 1 }),
    ]
    fake.handlers['conversations/list'] = () => server
    await useConversations.getState().load()
    expect(unread(10)).toBe(1)
    // The deletion of 6 reaches the window after the list answer (late, or replayed after a
    // restart).
    applyEvent(deletion(message(6, 10, JANE, 'a')))
    await settled()
    expect(unread(10)).toBe(1)

    // The deletion of 16 arrives while a reload is in flight whose answer already leaves it out.
    // (Only that answer is held; any later request is answered at once.)
    let answer: (value: Conversation[]) => void = () => undefined
    fake.handlers['conversations/list'] = () =>
      new Promise<Conversation[]>((resolve) => {
        answer = resolve
        fake.handlers['conversations/list'] = () => server
      })
    const reload = useConversations.getState().load()
    applyEvent(deletion(message(16, 20, BOB, 'c')))
    answer(server)
    await reload
    await settled()
    expect(unread(20)).toBe(1)

    // A deletion the loaded count may predate still lowers it, to the server's count: Jane
    // deletes 7 too. Once: a replay of it asks no more.
    const seven = message(7, 10, JANE, 'b')
    server = [
      conversation(10, [JANE], { last_message: tombstone(seven), unread_count: 0 }),
      server[1]!,
    ]
    const calls = listCalls()
    applyEvent(deletion(seven))
    await until(() => unread(10) === 0)
    applyEvent(deletion(seven))
    await settled()
    expect(listCalls()).toBe(calls + 1)
    expect(unread(10)).toBe(0)
    expect(unread(20)).toBe(1)

    // A message counted here from its event, above the list answer, is taken off directly.
    applyEvent(received(20, message(18, 20, BOB, 'e')))
    expect(unread(20)).toBe(2)
    applyEvent(deletion(message(18, 20, BOB, 'e')))
    await settled()
    expect(unread(20)).toBe(1)
    expect(listCalls()).toBe(calls + 1)
  })

  it('ignores edits for threads that were never loaded', () => {
    const edited = { ...message(40, 20, BOB, 'x'), edited_at: '2026-01-15T15:40:00Z' }
    applyEvent(event('message_updated', { conversation_id: 20, message: edited }))
    expect(useMessages.getState().threads[20]).toBeUndefined()
  })
})

describe('outbox merge', () => {
  it('shows a pending send once and keeps its row key when it becomes a stored message', async () => {
    fake.handlers['messages/send'] = (request) => ({
      client_id: 'cid-1',
      conversation_id: (request as { conversation_id: number }).conversation_id,
      text: (request as { text: string }).text,
      status: 'pending',
      error: null,
      created_at: '2026-01-15T15:50:00Z',
      reply_to_id: null,
      attachment_ids: [],
      thread_root_id: null,
      also_to_channel: false,
      message: null,
    })
    await useMessages.getState().send(10, 'on its way')
    const rows = () =>
      buildThread(useMessages.getState().threads[10], useMessages.getState().outbox, 10, ME.id)
    expect(rows()).toHaveLength(1)
    expect(rows()[0]?.status).toBe('pending')
    const key = rows()[0]?.key

    const stored = message(50, 10, ME, 'on its way', '2026-01-15T15:50:01Z', 'cid-1')
    // The stream copy can arrive before the outbox update; neither duplicates the row.
    applyEvent(
      event('message_sent', {
        conversation_id: 10,
        conversation_title: null,
        sender_name: ME.display_name,
        message: stored,
      }),
    )
    // The stream copy arrived before the outbox update: the stored message replaces the row.
    expect(rows()).toHaveLength(1)
    expect(rows()[0]?.key).toBe(key)
    expect(rows()[0]?.id).toBe(50)
    useMessages.getState().applyOutbox({
      ...useMessages.getState().outbox['cid-1']!,
      status: 'sent',
      message: stored,
    })
    const after = rows()
    expect(after).toHaveLength(1)
    expect(after[0]?.status).toBe('sent')
    expect(after[0]?.id).toBe(50)
    expect(after[0]?.key).toBe(key)
  })

  it('keeps failed sends after stored messages and retries them', async () => {
    useMessages.getState().upsert(message(60, 10, JANE, 'earlier'))
    useMessages.getState().applyOutbox({
      client_id: 'cid-f',
      conversation_id: 10,
      text: 'did not go',
      status: 'failed',
      error: 'offline',
      created_at: '2026-01-15T15:55:00Z',
      reply_to_id: null,
      attachment_ids: [],
      thread_root_id: null,
      also_to_channel: false,
      message: null,
    })
    const rows = buildThread(
      useMessages.getState().threads[10],
      useMessages.getState().outbox,
      10,
      ME.id,
    )
    expect(rows.map((r) => [r.text, r.status])).toEqual([
      ['earlier', null],
      ['did not go', 'failed'],
    ])
    fake.handlers['messages/retry'] = () => ({
      ...useMessages.getState().outbox['cid-f']!,
      status: 'pending',
      error: null,
    })
    await useMessages.getState().retry('cid-f')
    expect(fake.callsTo('messages/retry')).toEqual([{ client_id: 'cid-f' }])
    expect(useMessages.getState().outbox['cid-f']?.status).toBe('pending')
  })
})

/** A history handler that serves `all` newest first, page by page, as the server does. */
function pagedHistory(all: Message[]) {
  return (request: unknown) => {
    const { before, limit = 50 } = request as { before?: number; limit?: number }
    const older = all.filter((m) => before === undefined || m.id < before)
    const page = older.slice(-limit)
    return { messages: page, next_before: older.length > limit ? page[0]!.id : null }
  }
}

describe('history paging', () => {
  it('loads the newest page, then older pages ascending without duplicates', async () => {
    const all = Array.from({ length: 120 }, (_, i) => message(i + 1, 10, JANE, `m${i + 1}`))
    fake.handlers['messages/history'] = pagedHistory(all)
    // A live message arrives before the first page.
    useMessages.getState().upsert(message(120, 10, JANE, 'm120'))
    await openConversation(10)
    const ids = () => useMessages.getState().threads[10]!.messages.map((m) => m.id)
    expect(ids()).toEqual(all.slice(70).map((m) => m.id))
    expect(fake.callsTo('messages/markRead')).toEqual([
      { conversation_id: 10, up_to_message_id: 120 },
    ])
    // Two scroll events at once fetch one page.
    await Promise.all([useMessages.getState().loadOlder(10), useMessages.getState().loadOlder(10)])
    expect(ids()).toEqual(all.slice(20).map((m) => m.id))
    await useMessages.getState().loadOlder(10)
    expect(ids()).toEqual(all.map((m) => m.id))
    expect(useMessages.getState().threads[10]?.nextBefore).toBeNull()
    await useMessages.getState().loadOlder(10)
    expect(fake.callsTo('messages/history')).toHaveLength(3)
  })

  it('does not splice an edit or a deletion of a message above the loaded pages into them', async () => {
    const all = Array.from({ length: 120 }, (_, i) => message(i + 1, 10, JANE, `m${i + 1}`))
    fake.handlers['messages/history'] = pagedHistory(all)
    await openConversation(10)
    const ids = () => useMessages.getState().threads[10]!.messages.map((m) => m.id)
    expect(ids()[0]).toBe(71)
    // Jane edits message 3 and deletes message 10, far above the loaded page (71..120).
    const edited = { ...all[2]!, text: 'm3 (edited)', edited_at: '2026-01-15T16:00:00Z' }
    applyEvent(event('message_updated', { conversation_id: 10, message: edited }))
    const tomb = { ...all[9]!, text: '', deleted_at: '2026-01-15T16:00:00Z' }
    applyEvent(event('message_deleted', { conversation_id: 10, message_id: 10, message: tomb }))
    // They show once that part of history is loaded, not right above message 71 with 60-odd
    // messages missing in between.
    const rows = buildThread(
      useMessages.getState().threads[10],
      useMessages.getState().outbox,
      10,
      ME.id,
    )
    expect(rows[0]?.id).toBe(71)
    expect(ids()).toEqual(all.slice(70).map((m) => m.id))
    // An edit inside the loaded range still applies.
    const inRange = { ...all[99]!, text: 'm100 (edited)', edited_at: '2026-01-15T16:01:00Z' }
    applyEvent(event('message_updated', { conversation_id: 10, message: inRange }))
    expect(useMessages.getState().threads[10]!.messages[29]?.text).toBe('m100 (edited)')
  })
  it('does not splice the late event of an old message above the loaded pages into them', async () => {
    const all = Array.from({ length: 120 }, (_, i) => message(i + 1, 10, JANE, `m${i + 1}`))
    fake.handlers['messages/history'] = pagedHistory(all)
    const ids = () => useMessages.getState().threads[10]!.messages.map((m) => m.id)
    // Events still on their way to a window that reloaded (or replayed after a reconnect): some
    // come before the newest page, some after it, all of messages that page reaches or not.
    applyEvent(received(10, all[4]!))
    applyEvent(received(10, all[99]!))
    await openConversation(10)
    expect(ids()).toEqual(all.slice(70).map((m) => m.id))
    applyEvent(received(10, all[29]!))
    applyEvent(received(10, all[69]!))
    // Not right above message 71 with the messages in between missing: the pages bring them,
    // in order, and the thread stays one stretch of history.
    expect(ids()).toEqual(all.slice(70).map((m) => m.id))
    await useMessages.getState().loadOlder(10)
    expect(ids()).toEqual(all.slice(20).map((m) => m.id))
    // One inside the loaded range is the same message again, once.
    applyEvent(received(10, all[49]!))
    expect(ids()).toEqual(all.slice(20).map((m) => m.id))
  })
})

describe('conversations, presence, typing and system events', () => {
  it('adds conversations created by others with a toast, and removes on removal', async () => {
    const created = conversation(30, [JANE], { created_by: JANE.id, title: 'Plans' })
    applyEvent(event('conversation_created', { conversation: created, change: 'created' }))
    expect(useConversations.getState().byId[30]?.title).toBe('Plans')
    expect(useToasts.getState().toasts.at(-1)?.kind).toBe('conversation_created')

    // Events carry unread_count 0: the local count survives a rename.
    useConversations.getState().setUnread(30, 4)
    applyEvent(
      event('conversation_updated', {
        conversation: { ...created, title: 'Better plans' },
        change: 'renamed',
      }),
    )
    expect(useConversations.getState().byId[30]?.unread_count).toBe(4)
    expect(useConversations.getState().byId[30]?.title).toBe('Better plans')

    await openConversation(30)
    applyEvent(
      event('conversation_updated', {
        conversation: created,
        change: 'members_removed',
        removed: true,
      }),
    )
    expect(useConversations.getState().byId[30]).toBeUndefined()
    expect(useConversations.getState().activeId).toBeNull()
    expect(fake.callsTo('conversations/focus').at(-1)).toEqual({
      conversation_id: null,
      thread_root_id: null,
    })
  })

  it('leaving takes the conversation off the list at once, without a "removed" toast', async () => {
    await openConversation(20)
    const group = useConversations.getState().byId[20]!
    fake.handlers['conversations/removeMember'] = () => ({
      ...group,
      members: group.members.filter((m) => m.user_id !== ME.id),
    })
    await leaveConversation(20)
    expect(fake.callsTo('conversations/removeMember')).toEqual([
      { conversation_id: 20, user_id: ME.id },
    ])
    expect(useConversations.getState().byId[20]).toBeUndefined()
    expect(useConversations.getState().activeId).toBeNull()
    // The server's removal event follows: nothing more to show.
    applyEvent(
      event('conversation_updated', {
        conversation: group,
        change: 'members_removed',
        removed: true,
      }),
    )
    expect(useToasts.getState().toasts).toHaveLength(0)
    // Added back later and then removed by someone else: that removal is news again.
    applyEvent(event('conversation_created', { conversation: group, change: 'created' }))
    applyEvent(
      event('conversation_updated', {
        conversation: group,
        change: 'members_removed',
        removed: true,
      }),
    )
    expect(useToasts.getState().toasts.map((t) => t.title)).toContain('Removed from conversation')
  })

  it('keeps the conversation when leaving is refused', async () => {
    fake.handlers['conversations/removeMember'] = () => {
      throw Object.assign(new Error('No'), { code: 'forbidden' })
    }
    await expect(leaveConversation(20)).rejects.toMatchObject({ code: 'forbidden' })
    expect(useConversations.getState().byId[20]).toBeDefined()
  })

  it("offers only what the server allows: the creator's and an admin's removals, groups' adds", () => {
    const group = conversation(40, [JANE, BOB], { created_by: JANE.id })
    const direct = conversation(41, [JANE], { created_by: JANE.id })
    const bob = { id: BOB.id, role: 'member' }
    const jane = { id: JANE.id, role: 'member' }
    const admin = { id: ME.id, role: 'admin' }
    expect(conversationPermissions(group, bob)).toEqual({
      rename: true,
      addMembers: true,
      leave: true,
      removeOthers: false,
    })
    expect(conversationPermissions(group, jane).removeOthers).toBe(true)
    expect(conversationPermissions(group, admin).removeOthers).toBe(true)
    // A direct conversation keeps its shape: no title, nobody removed, even by its creator or an
    // admin; each member may still leave (delete) it.
    for (const viewer of [jane, admin, { id: ME.id, role: 'member' }]) {
      expect(conversationPermissions(direct, viewer)).toEqual({
        rename: false,
        addMembers: false,
        leave: true,
        removeOthers: false,
      })
    }
    const email = conversation(42, [BOB], { kind: 'group', platform: 'email' })
    expect(conversationPermissions(email, admin).addMembers).toBe(false)
    // Not a member (any more): nothing.
    expect(conversationPermissions(group, { id: 99, role: 'admin' })).toEqual({
      rename: false,
      addMembers: false,
      leave: false,
      removeOthers: false,
    })
  })

  it('does not toast conversations the user created', () => {
    applyEvent(
      event('conversation_created', { conversation: conversation(31, [BOB]), change: 'created' }),
    )
    expect(useConversations.getState().byId[31]).toBeDefined()
    expect(useToasts.getState().toasts).toHaveLength(0)
  })

  it('tracks presence', () => {
    applyEvent(event('user_online', { user: { ...JANE, online: true } }))
    expect(usePresence.getState().people[JANE.id]?.online).toBe(true)
    applyEvent(event('user_offline', { user: { ...JANE, online: false } }))
    expect(usePresence.getState().people[JANE.id]?.online).toBe(false)
  })

  it('tracks typing of others and clears it when their message arrives', () => {
    applyEvent(
      event('typing_indicator', {
        conversation_id: 10,
        user_id: JANE.id,
        display_name: 'Jane',
        is_typing: true,
      }),
    )
    applyEvent(
      event('typing_indicator', {
        conversation_id: 10,
        user_id: ME.id,
        display_name: 'Me',
        is_typing: true,
      }),
    )
    expect(Object.keys(useTyping.getState().byConversation[10] ?? {})).toEqual([String(JANE.id)])
    applyEvent(
      event('message_received', {
        conversation_id: 10,
        conversation_title: null,
        sender_name: 'Jane',
        message: message(70, 10, JANE, 'done typing'),
      }),
    )
    expect(useTyping.getState().byConversation[10]).toBeUndefined()
  })

  it('switches the timezone on timezone_changed and logs every event', () => {
    applyEvent(
      event('system_notification', {
        kind: 'timezone_changed',
        title: 'Time zone changed',
        body: 'Now Asia/Kolkata',
        level: 'info',
        timezone: 'Asia/Kolkata',
      }),
    )
    expect(useBranding.getState().branding.timezone).toBe('Asia/Kolkata')
    expect(useToasts.getState().toasts.at(-1)?.kind).toBe('system_notification')
    // Types the renderer does not act on are still listed in the monitor.
    applyEvent(event('email_received', {} as EventDataMap['email_received']))
    expect(useEventMonitor.getState().entries.map((e) => e.event.type)).toEqual([
      'email_received',
      'system_notification',
    ])
  })

  it('titles conversations by title or by the other members', () => {
    expect(conversationTitle(conversation(1, [JANE, BOB]), ME.id)).toBe('Jane, Bob')
    expect(conversationTitle(conversation(1, [JANE], { title: 'T' }), ME.id)).toBe('T')
    expect(conversationTitle(conversation(1, []), ME.id)).toBe('Just you')
  })

  it('keeps what events changed while a list reload was in flight', async () => {
    // The next answer is a snapshot taken before the events below.
    let answer: (value: Conversation[]) => void = () => undefined
    fake.handlers['conversations/list'] = () =>
      new Promise<Conversation[]>((resolve) => {
        answer = resolve
      })
    const reload = useConversations.getState().load()
    applyEvent(received(10, message(50, 10, JANE, 'newest')))
    const created = conversation(30, [BOB], { created_by: BOB.id })
    applyEvent(event('conversation_created', { conversation: created, change: 'created' }))
    answer([conversation(10, [JANE], { unread_count: 2 }), conversation(20, [JANE, BOB])])
    await reload
    const c = useConversations.getState().byId[10]
    expect(c?.last_message?.id).toBe(50)
    // The snapshot's count plus the message it predates.
    expect(c?.unread_count).toBe(3)
    expect(useConversations.getState().byId[30]).toBeDefined()

    // A snapshot that already has the message does not count it again.
    fake.handlers['conversations/list'] = () =>
      new Promise<Conversation[]>((resolve) => {
        answer = resolve
      })
    const again = useConversations.getState().load()
    applyEvent(received(10, message(51, 10, JANE, 'newer')))
    answer([
      conversation(10, [JANE], { last_message: message(51, 10, JANE, 'newer'), unread_count: 4 }),
    ])
    await again
    expect(useConversations.getState().byId[10]?.unread_count).toBe(4)
    expect(useConversations.getState().byId[20]).toBeUndefined()
  })

  it('reloads the list for a message in an unknown conversation', async () => {
    const fresh = conversation(99, [BOB], { created_by: BOB.id })
    fake.handlers['conversations/list'] = () => [fresh]
    applyEvent(
      event('message_received', {
        conversation_id: 99,
        conversation_title: null,
        sender_name: 'Bob',
        message: message(80, 99, BOB, 'hey'),
      }),
    )
    await until(() => useConversations.getState().byId[99] !== undefined)
  })
})

describe("editing and deleting one's own messages", () => {
  it('keeps why an edit or a delete failed, and clears it on the next success', async () => {
    await openConversation(10)
    fake.handlers['messages/edit'] = () => {
      throw new Error(
        "Error invoking remote method 'messages/edit': Error: The message was deleted.",
      )
    }
    expect(await useMessages.getState().edit(1, 'new text')).toBe(false)
    expect(useMessages.getState().actionError).toBe(
      'The message was not edited: Error: The message was deleted.',
    )
    fake.handlers['messages/delete'] = () => ({
      ...message(1, 10, ME, ''),
      deleted_at: '2026-01-03T00:00:00Z',
    })
    expect(await useMessages.getState().remove(1)).toBe(true)
    expect(useMessages.getState().actionError).toBeNull()
  })
})
