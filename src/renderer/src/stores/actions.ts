import type { AnyTidingsEvent } from '../../../shared/events'
import type { OutboxItem, SessionState } from '../../../shared/ipc'
import { Limits } from '../../../shared/limits'
import type { Message, MessageSearchResult } from '../../../shared/models'
import { ipc } from '../ipcClient'
import { notificationSubject, suppressionReason } from '../../../shared/notificationPolicy'
import { burstOfOne, notificationWords } from '../../../shared/notificationText'
import { mentionsMe } from '../mentions'
import { useBranding } from './branding'
import { useConnection } from './connection'
import { conversationTitle, useConversations } from './conversations'
import { useDrafts } from './drafts'
import { useEventMonitor } from './eventMonitor'
import { coversFrom, isOwnMessage, useMessages } from './messages'
import { useNewMessages } from './newMessages'
import { usePreferences } from './preferences'
import { usePresence } from './presence'
import { useReplies } from './replies'
import { usePendingAttachments } from './pendingAttachments'
import { selfId, useSession, type RegisterInput } from './session'
import { useSearch } from './search'
import { JUMP_PAGE_SIZE, MAX_JUMP_PAGES } from './searchJump'
import { useToasts } from './toasts'
import { useTyping } from './typing'
import { useUi } from './ui'

/**
 * Cross-store actions: the one event dispatch, opening a conversation, read marking, resync and
 * the push wiring of each window. Stores stay independent; only this module coordinates them.
 */

/** Highest message id already reported read per conversation (avoids repeating markRead). */
const markedRead = new Map<number, number>()

/**
 * Ids of others' deleted messages already taken off an unread count or recounted by the server, so
 * a deletion delivered twice (a replay) is not taken off twice.
 */
const discounted = new Set<number>()

/** The user's read marker in a conversation: the server's, or a newer read reported from here. */
function readMarker(conversationId: number, me: number | null): number {
  const conversation = useConversations.getState().byId[conversationId]
  const own = conversation?.members.find((m) => m.user_id === me)?.last_read_message_id ?? 0
  return Math.max(own, markedRead.get(conversationId) ?? 0)
}

/**
 * The user read the conversation up to `upTo` on one of their devices. Main's dock badge drops on
 * this receipt; the list's count must too. The count is the messages from others after the
 * marker, deleted ones excluded (as the server counts). Read to the newest message, that is 0.
 * After a partial read the count can only be taken from the thread when it holds every message
 * after the marker; otherwise the list is reloaded for the server's count (no per-conversation
 * call exists, and partial reads from another device are rare).
 */
function applyOwnRead(conversationId: number, upTo: number, me: number | null): void {
  const conversation = useConversations.getState().byId[conversationId]
  if (!conversation || conversation.unread_count === 0) return
  if (upTo >= (conversation.last_message?.id ?? 0)) {
    useConversations.getState().setUnread(conversationId, 0)
    return
  }
  const marker = Math.max(upTo, readMarker(conversationId, me))
  const thread = useMessages.getState().threads[conversationId]
  if (!thread || !coversFrom(thread, marker + 1)) {
    reloadConversationsSoon()
    return
  }
  const unread = thread.messages.filter(
    (m) => m.id > marker && !m.deleted_at && !isOwnMessage(m, me),
  ).length
  // Only lower: a read never adds unread messages.
  useConversations.getState().setUnread(conversationId, Math.min(conversation.unread_count, unread))
}

/**
 * Someone else's message was deleted: the server's count excludes deleted messages, so one after
 * the user's read marker no longer counts (once, however often the deletion arrives).
 * Only a message counted here from its event is surely in the count: one above the list answer's
 * last message (ids grow, so it was sent after that count). One the answer knew may have been
 * deleted before the server counted it, as the event can reach this window after the answer
 * (late, or replayed after a restart). Only the server knows then, so the list is reloaded; the
 * reload is asked after the deletion, so its answer leaves the message out.
 */
function applyDeletionToUnread(message: Message, me: number | null): void {
  const cid = message.conversation_id
  const conversations = useConversations.getState()
  const conversation = conversations.byId[cid]
  if (!conversation || conversation.unread_count === 0 || isOwnMessage(message, me)) return
  if (discounted.has(message.id) || message.id <= readMarker(cid, me)) return
  discounted.add(message.id)
  if (message.id <= (conversations.listedUpTo[cid] ?? 0)) reloadConversationsSoon()
  else conversations.setUnread(cid, conversation.unread_count - 1)
}

/**
 * Whether a message from someone else is news to this window, asked before it is applied. Not
 * once the user's read marker is past it (read on one of their devices), nor when the window's
 * state already holds it or something newer (a late or replayed copy: it predates what the window
 * loaded, and its conversation's count has it), nor while the window has not loaded its list yet
 * (the list brings it, counted as unread).
 */
function isNews(message: Message, me: number | null): boolean {
  const { byId, loaded } = useConversations.getState()
  const conversation = byId[message.conversation_id]
  if (!conversation) return loaded
  if (message.id <= (conversation.last_message?.id ?? 0)) return false
  return message.id > readMarker(message.conversation_id, me)
}

/**
 * A toast for a message from someone else that this window had not seen, unless the shared
 * policy silences it (src/shared/notificationPolicy.ts: a mute, but for a mention; the
 * conversation in view), worded as main words its notification (src/shared/notificationText.ts).
 * A group is named as the list names it, so an untitled group still reads "Jane in Jane, Bob".
 */
function toastIfNews(event: AnyTidingsEvent, me: string | null): void {
  const found = notificationSubject(event, me)
  if (found?.kind !== 'message') return
  const { prefs } = usePreferences.getState()
  const { activeId, byId } = useConversations.getState()
  const context = {
    preferences: prefs,
    focusedConversationId: activeId,
    windowFocused: useUi.getState().windowFocused,
    timezone: useBranding.getState().branding.timezone,
    now: Date.now(),
  }
  if (suppressionReason(found, context, 'in_app') !== null) return
  const conversation = byId[found.conversation_id]
  const group = conversation?.kind === 'group' || (found.conversation_title ?? '') !== ''
  const where = conversation
    ? conversationTitle(conversation, selfId(), usePresence.getState().people)
    : (found.conversation_title ?? 'a group')
  const subject = { ...found, conversation_title: group ? where : null }
  const { title, body } = notificationWords(burstOfOne(subject), prefs.notification_privacy)
  useToasts.getState().push({
    kind: 'message_received',
    title,
    body,
    conversation_id: subject.conversation_id,
    message_id: subject.message_id,
    timestamp: subject.timestamp,
  })
}

function isActiveAndFocused(conversationId: number): boolean {
  return useConversations.getState().activeId === conversationId && useUi.getState().windowFocused
}

let reloadQueued = false
/** Reloads the conversation list once for a burst of events about unknown conversations. */
function reloadConversationsSoon(): void {
  if (reloadQueued) return
  reloadQueued = true
  queueMicrotask(() => {
    reloadQueued = false
    void useConversations.getState().load()
  })
}

/** Applies one stream event to every store it concerns. */
export function applyEvent(event: AnyTidingsEvent): void {
  useEventMonitor.getState().add(event)
  const me = selfId()
  const conversations = useConversations.getState()
  const messages = useMessages.getState()
  switch (event.type) {
    case 'message_sent':
    case 'message_received': {
      const { message } = event.data
      const cid = message.conversation_id
      const own = isOwnMessage(message, me)
      const active = isActiveAndFocused(cid)
      const user = useSession.getState().session?.user ?? null
      const forMe = mentionsMe(message, user)
      const news = !own && isNews(message, me)
      messages.upsert(message)
      if (!(cid in conversations.byId)) reloadConversationsSoon()
      conversations.applyMessage(message, { countUnread: !own && !active, mentionsMe: forMe })
      if (own) break
      useTyping.getState().clear(cid, message.sender_id)
      if (active) markActiveRead()
      else if (news) toastIfNews(event, user?.username ?? null)
      break
    }
    case 'message_updated': {
      const { message, receipt, conversation_id } = event.data
      if (message) {
        messages.upsert(message, false)
        conversations.applyMessageChange(message)
        if (!mentionsMe(message, useSession.getState().session?.user ?? null)) {
          conversations.forgetMention(conversation_id, message.id)
        }
        useSearch.getState().applyMessage(message)
      }
      if (receipt) {
        conversations.applyReceipt(conversation_id, receipt)
        if (receipt.kind === 'read' && receipt.user_id === me) {
          applyOwnRead(conversation_id, receipt.up_to_message_id, me)
          useToasts
            .getState()
            .dismissMessages(conversation_id, (id) => id <= receipt.up_to_message_id)
        }
      }
      break
    }
    case 'message_deleted': {
      applyDeletionToUnread(event.data.message, me)
      const deletedId = event.data.message.id
      useToasts.getState().dismissMessages(event.data.conversation_id, (id) => id === deletedId)
      messages.upsert(event.data.message, false)
      conversations.applyMessageChange(event.data.message)
      conversations.forgetMention(event.data.message.conversation_id, event.data.message.id)
      useSearch.getState().applyMessage(event.data.message)
      break
    }
    case 'conversation_created':
    case 'conversation_updated': {
      const { conversation, removed, change } = event.data
      const known = conversation.id in conversations.byId
      const title = conversationTitle(conversation, me, usePresence.getState().people)
      if (removed) {
        // Leaving from this window says so itself; no "removed" toast for it.
        const left = leaving.delete(conversation.id)
        forgetConversation(conversation.id)
        if (left) break
        useToasts.getState().push({
          kind: 'conversation_updated',
          title: 'Removed from conversation',
          body: `You are no longer a member of ${title}.`,
          conversation_id: null,
          timestamp: event.timestamp,
        })
        break
      }
      conversations.upsert(conversation)
      const addedByOther =
        !known &&
        (event.type === 'conversation_created' || change === 'members_added') &&
        conversation.created_by !== me
      if (addedByOther) {
        useToasts.getState().push({
          kind: event.type,
          title: 'New conversation',
          body: `You were added to ${title}.`,
          conversation_id: conversation.id,
          timestamp: event.timestamp,
        })
      }
      break
    }
    case 'user_online':
    case 'user_offline':
      usePresence.getState().setOnline(event.data.user, event.type === 'user_online')
      break
    case 'typing_indicator': {
      const { conversation_id, user_id, display_name, is_typing } = event.data
      if (user_id !== me)
        useTyping.getState().set(conversation_id, user_id, display_name, is_typing)
      break
    }
    case 'system_notification': {
      const { kind, timezone, title, body, level } = event.data
      if (kind === 'timezone_changed' && timezone) useBranding.getState().setTimezone(timezone)
      useToasts.getState().push({
        kind: 'system_notification',
        title,
        body,
        level,
        conversation_id: null,
        timestamp: event.timestamp,
      })
      break
    }
    default:
      // contact, account and email events are only listed in the event monitor for now.
      break
  }
}

/** An own send changed state in main's outbox. */
export function applyOutboxChange(item: OutboxItem): void {
  const previous = useMessages.getState().outbox[item.client_id]
  useMessages.getState().applyOutbox(item)
  if (item.message) {
    useConversations.getState().applyMessage(item.message, { countUnread: false })
  }
  if (item.status === 'failed' && previous?.status !== 'failed') {
    useToasts.getState().push({
      kind: 'send_failed',
      title: 'Message not sent',
      body: item.error ?? 'The message could not be delivered. Open the conversation to retry.',
      conversation_id: item.conversation_id,
      timestamp: new Date().toISOString(),
      level: 'warning',
    })
  }
}

/**
 * Reports the open conversation read up to its newest message, when the window has focus.
 * Skips the call when nothing new arrived since the last report.
 */
export function markActiveRead(): void {
  const { activeId, byId } = useConversations.getState()
  if (activeId === null || !useUi.getState().windowFocused) return
  const conversation = byId[activeId]
  const thread = useMessages.getState().threads[activeId]
  const newestLoaded = thread?.messages[thread.messages.length - 1]?.id ?? 0
  const upTo = Math.max(conversation?.last_message?.id ?? 0, newestLoaded)
  if (upTo <= 0) return
  useConversations.getState().setUnread(activeId, 0)
  const me = selfId()
  const ownMarker = conversation?.members.find((m) => m.user_id === me)?.last_read_message_id ?? 0
  if ((markedRead.get(activeId) ?? 0) >= upTo || ownMarker >= upTo) return
  markedRead.set(activeId, upTo)
  const tidings = ipc()
  tidings['messages/markRead']({ conversation_id: activeId, up_to_message_id: upTo }).catch(() => {
    if (markedRead.get(activeId) === upTo) markedRead.delete(activeId)
  })
}

/**
 * Conversations this window is leaving, until the server's removal event arrives (before or after
 * the answer): that removal is no news to show.
 */
const leaving = new Set<number>()

/** Takes a conversation the user is no longer in off the list, its thread and the screen. */
function forgetConversation(id: number): void {
  const wasActive = useConversations.getState().activeId === id
  useConversations.getState().remove(id)
  useMessages.getState().dropConversation(id)
  useDrafts.getState().drop(id)
  if (wasActive) void openConversation(null)
}

/**
 * The user leaves a conversation: the server removes them, and it goes from the list at once
 * (the server's `conversation_updated` with `removed: true` would also take it off). Throws the
 * server's refusal.
 */
export async function leaveConversation(id: number): Promise<void> {
  const me = selfId()
  if (me === null) return
  leaving.add(id)
  try {
    await ipc()['conversations/removeMember']({ conversation_id: id, user_id: me })
  } catch (error) {
    leaving.delete(id)
    throw error
  }
  forgetConversation(id)
}

/**
 * Takes the read marker of a conversation being opened, for its "New messages" divider: before
 * the thread marks it read. Opening the conversation already open keeps the divider where it is.
 */
function noteReadMarkerAtOpening(id: number | null): void {
  if (id === null) {
    useNewMessages.getState().reset()
    return
  }
  const conversation = useConversations.getState().byId[id]
  if (!conversation) return
  useNewMessages.getState().open(id, readMarker(id, selfId()), conversation.unread_count)
}

/** Slack in the first page for one's own messages among the unread ones. */
const FIRST_PAGE_SLACK = 20

/**
 * How many messages to load on opening a conversation: the usual page, or enough to reach its
 * first unread message (within the largest page), so the thread can open at the "New messages"
 * divider instead of paging back for it.
 */
function firstPageSize(id: number): number {
  const unread =
    useNewMessages.getState().opened?.conversationId === id
      ? (useConversations.getState().byId[id]?.unread_count ?? 0)
      : 0
  return Math.min(
    Limits.historyMaxPageSize,
    Math.max(Limits.historyPageSize, unread + FIRST_PAGE_SLACK),
  )
}

/** Shows a conversation in the thread pane (null closes it) and tells main which one is open. */
export async function openConversation(id: number | null): Promise<void> {
  const conversations = useConversations.getState()
  const reopened = id !== null && conversations.activeId === id
  const known = id === null || id in conversations.byId
  if (!reopened && known) noteReadMarkerAtOpening(id)
  conversations.setActive(id)
  // A search result of another conversation no longer waits to be shown.
  if (useSearch.getState().target?.conversationId !== id) useSearch.getState().setTarget(null)
  // A reply being written belongs to the conversation it was started in.
  if (useReplies.getState().draft?.conversationId !== id) useReplies.getState().cancel()
  const tidings = ipc()
  tidings['conversations/focus']({ conversation_id: id }).catch(() => undefined)
  if (id === null) return
  if (!known) {
    useNewMessages.getState().reset()
    await useConversations.getState().load()
  }
  if (useConversations.getState().activeId !== id) return
  if (!known) noteReadMarkerAtOpening(id)
  const thread = useMessages.getState().threads[id]
  if (!thread?.loaded) await useMessages.getState().loadLatest(id, firstPageSize(id))
  markActiveRead()
}

/** Opens a search result's conversation; its thread then brings the message into view. */
export async function openSearchResult(result: MessageSearchResult): Promise<void> {
  useSearch.getState().setTarget({
    conversationId: result.conversation_id,
    messageId: result.message.id,
    shown: false,
  })
  await openConversation(result.conversation_id)
}

/**
 * Brings a message of the open thread into view and highlights it (a reply's quote was chosen),
 * the way a search result is: older pages are loaded until it is there.
 */
export function showMessage(conversationId: number, messageId: number): void {
  useSearch.getState().setTarget({ conversationId, messageId, shown: false })
}

/**
 * A search result's message could not be brought into view (see nextJumpStep): say so, instead
 * of leaving the user at the newest messages wondering.
 */
export function jumpNotShown(conversationId: number, why: 'gone' | 'too_far'): void {
  const reach = (MAX_JUMP_PAGES * JUMP_PAGE_SIZE).toLocaleString('en-US')
  useToasts.getState().push({
    kind: 'search',
    title: why === 'gone' ? 'Message not found' : 'Message too far back',
    body:
      why === 'gone'
        ? 'That message is no longer in this conversation.'
        : `It is more than ${reach} messages back; scroll up to reach it.`,
    conversation_id: conversationId,
    timestamp: new Date().toISOString(),
    level: 'info',
  })
}

/** The window gained or lost focus. */
export function setWindowFocused(focused: boolean): void {
  useUi.getState().setWindowFocused(focused)
  if (focused) markActiveRead()
}

/** Events were missed beyond replay: reload everything from the server. */
export async function resync(): Promise<void> {
  markedRead.clear()
  useMessages.getState().clearThreads()
  const activeId = useConversations.getState().activeId
  await Promise.all([
    useConversations.getState().load(),
    usePresence.getState().load(),
    activeId !== null ? useMessages.getState().loadLatest(activeId) : Promise.resolve(),
  ])
  if (activeId !== null && !(activeId in useConversations.getState().byId)) {
    await openConversation(null)
  }
}

/** Loads what a signed-in window shows. */
export async function loadSignedIn(): Promise<void> {
  const tidings = ipc()
  await Promise.all([
    useConversations.getState().load(),
    usePresence.getState().load(),
    useDrafts.getState().load(),
    tidings['outbox/list']()
      .then((items) => useMessages.getState().setOutbox(items))
      .catch(() => undefined),
  ])
}

/** Forgets everything of the previous user. */
export function resetUserData(): void {
  markedRead.clear()
  discounted.clear()
  useConversations.getState().reset()
  useMessages.getState().reset()
  useDrafts.getState().reset()
  useNewMessages.getState().reset()
  usePresence.getState().reset()
  useTyping.getState().reset()
  useSearch.getState().reset()
  useReplies.getState().cancel()
  usePendingAttachments.getState().reset()
  useToasts.getState().reset()
  useEventMonitor.getState().clear()
}

/** A new session state: resets on sign-out or user switch, loads on sign-in. */
export async function applySession(session: SessionState): Promise<void> {
  const before = useSession.getState().session?.user?.id ?? null
  useSession.getState().set(session)
  const after = session.user?.id ?? null
  if (before !== after) {
    resetUserData()
    if (after !== null) await loadSignedIn()
  }
}

/** Signs in; on success the new session is applied (stores reset and reload). */
export async function signIn(username: string, password: string): Promise<boolean> {
  const session = await useSession.getState().signIn(username, password)
  if (session) await applySession(session)
  return session !== null
}

/** Registers (first admin, invite code, or open registration) and applies the session. */
export async function register(input: RegisterInput): Promise<boolean> {
  const session = await useSession.getState().register(input)
  if (session) await applySession(session)
  return session !== null
}

/** Signs out and forgets the user's data in this window. */
export async function signOut(): Promise<void> {
  const session = await useSession.getState().signOut()
  if (session) await applySession(session)
}

/** Wires the main window: initial loads and every push. Returns the unsubscribe. */
export function initMainWindow(): () => void {
  const tidings = ipc()
  const unsubscribe = [
    tidings.on('*', applyEvent),
    tidings.subscribe('events/resync', () => void resync()),
    tidings.subscribe('outbox/changed', applyOutboxChange),
    tidings.subscribe('connection/state', (state) => useConnection.getState().set(state)),
    tidings.subscribe('settings/changed', (prefs) => usePreferences.getState().set(prefs)),
    tidings.subscribe('branding/changed', (branding) => useBranding.getState().set(branding)),
    tidings.subscribe('session/changed', (session) => void applySession(session)),
    tidings.subscribe(
      'navigation/openConversation',
      ({ conversation_id }) => void openConversation(conversation_id),
    ),
  ]
  void (async () => {
    const loads = [
      useConnection.getState().load(),
      useBranding.getState().load(),
      usePreferences.getState().load(),
    ]
    const session = await tidings['session/get']().catch(() => null)
    if (session) await applySession(session)
    await Promise.all(loads)
  })()
  return () => {
    for (const off of unsubscribe) off()
  }
}

/** Wires the settings window: it shows session, branding, preferences and the conversations. */
export function initSettingsWindow(): () => void {
  const tidings = ipc()
  const unsubscribe = [
    tidings.subscribe('settings/changed', (prefs) => usePreferences.getState().set(prefs)),
    tidings.subscribe('branding/changed', (branding) => useBranding.getState().set(branding)),
    tidings.subscribe('session/changed', (session) => {
      useSession.getState().set(session)
      void useConversations.getState().load()
    }),
    tidings.on('system_notification', (event) => {
      if (event.data.kind === 'timezone_changed' && event.data.timezone) {
        useBranding.getState().setTimezone(event.data.timezone)
      }
    }),
    tidings.on('conversation_created', (event) =>
      useConversations.getState().upsert(event.data.conversation),
    ),
    tidings.on('conversation_updated', (event) =>
      event.data.removed
        ? useConversations.getState().remove(event.data.conversation.id)
        : useConversations.getState().upsert(event.data.conversation),
    ),
  ]
  void Promise.all([
    useSession.getState().load(),
    useBranding.getState().load(),
    usePreferences.getState().load(),
    useConversations.getState().load(),
  ])
  return () => {
    for (const off of unsubscribe) off()
  }
}

/** Last time a "typing" notice went to main, per conversation (throttled like the server). */
const typingSentAt = new Map<number, number>()

/**
 * Tells main the user is (or stopped) typing. "Typing" is sent at most once per
 * `Limits.typingThrottleMs`; "stopped" only after a "typing" was sent.
 */
export function notifyTyping(conversationId: number, isTyping: boolean, now = Date.now()): void {
  const last = typingSentAt.get(conversationId)
  if (isTyping) {
    if (last !== undefined && now - last < Limits.typingThrottleMs) return
    typingSentAt.set(conversationId, now)
  } else {
    if (last === undefined) return
    typingSentAt.delete(conversationId)
  }
  const tidings = ipc()
  tidings['typing/set']({ conversation_id: conversationId, is_typing: isTyping }).catch(() => {})
}
