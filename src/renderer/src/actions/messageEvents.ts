import { defineMessages } from '../../../shared/i18n/defineMessages'
import type { TidingsEvent } from '../../../shared/events'
import type { OutboxItem } from '../../../shared/ipc'
import { notificationSubject, suppressionReason } from '../../../shared/notificationPolicy'
import { burstOfOne, notificationWords } from '../../../shared/notificationText'
import { isThreadOnly } from '../../../shared/threads'
import { mentionsMe } from '../mentions'
import { useBranding } from '../stores/branding'
import { conversationTitle, useConversations } from '../stores/conversations'
import { useFollowedThreads } from '../stores/followedThreads'
import { isOwnMessage, useMessages } from '../stores/messages'
import { currentTranslator, translate } from '../stores/locale'
import { usePreferences } from '../stores/preferences'
import { usePresence } from '../stores/presence'
import { useSearch } from '../stores/search'
import { selfId, useSession } from '../stores/session'
import { useThreadPanel } from '../stores/threadPanel'
import { useToasts } from '../stores/toasts'
import { useTyping } from '../stores/typing'
import { useUi } from '../stores/ui'
import { applyDeletionToUnread, applyOwnRead, isNews, markActiveRead } from './readTracking'

/** The reducers of message events, and of the user's own sends as main's outbox reports them. */

const messages = defineMessages({
  aGroup: {
    id: 'toast.message.aGroup',
    defaultMessage: 'a group',
    description: 'Where a message was sent when the group’s name is not known yet',
  },
  notSentTitle: { id: 'toast.notSent.title', defaultMessage: 'Message not sent' },
  notSentBody: {
    id: 'toast.notSent.body',
    defaultMessage: 'The message could not be delivered. Open the conversation to retry.',
  },
})

/** A new message: the thread, the list (last message, unread, mentions), typing, a toast. */
export function onMessage(event: TidingsEvent<'message_sent' | 'message_received'>): void {
  const { message } = event.data
  const me = selfId()
  const cid = message.conversation_id
  const conversations = useConversations.getState()
  const own = isOwnMessage(message, me)
  const active = conversations.activeId === cid && useUi.getState().windowFocused
  const user = useSession.getState().session?.user ?? null
  const forMe = mentionsMe(message, user)
  if (message.thread_root_id !== undefined) onThreadReply(event, own)
  if (isThreadOnly(message)) {
    // In its thread only: the channel, its last message and unread count stay as they are.
    const panel = useThreadPanel.getState()
    const seen = panel.byRoot[message.thread_root_id ?? 0]?.lastReadId ?? 0
    if (!own && message.id > seen) toastIfNews(event, user?.username ?? null)
    return
  }
  const news = !own && isNews(message, me)
  useMessages.getState().upsert(message)
  if (!(cid in conversations.byId)) conversations.reloadSoon()
  conversations.applyMessage(message, { countUnread: !own && !active, mentionsMe: forMe })
  if (own) return
  useTyping.getState().clear(cid, message.sender_id)
  if (active) markActiveRead()
  else if (news) toastIfNews(event, user?.username ?? null)
}

/**
 * A reply in a thread: the thread's panel takes it (and reports it read when it is open in the
 * focused window), and the Threads view counts again when the user follows the thread.
 */
function onThreadReply(
  event: TidingsEvent<'message_sent' | 'message_received'>,
  own: boolean,
): void {
  const { message, thread_follower_ids: followers } = event.data
  const panel = useThreadPanel.getState()
  panel.applyMessage(message)
  if (panel.open?.rootId === message.thread_root_id && useUi.getState().windowFocused) {
    void panel.markRead()
  }
  const me = selfId()
  if (me === null || followers === undefined || message.thread_root_id === undefined) return
  // Who follows after this reply (the server's word): the panel's Follow button shows it, and
  // a reply of one's own is read as far as it goes.
  const following = followers.includes(me)
  panel.applyFollow(message.conversation_id, {
    root_id: message.thread_root_id,
    following,
    last_read_id: own ? message.id : 0,
  })
  if (following) useFollowedThreads.getState().reloadSoon()
}

/**
 * A toast for a message from someone else that this window had not seen, unless the shared
 * policy silences it (src/shared/notificationPolicy.ts: a mute, but for a mention; the
 * conversation in view), worded as main words its notification (src/shared/notificationText.ts).
 * A group is named as the list names it, so an untitled group still reads "Jane in Jane, Bob".
 */
function toastIfNews(
  event: TidingsEvent<'message_sent' | 'message_received'>,
  me: string | null,
): void {
  const found = notificationSubject(event, me, selfId())
  if (found?.kind !== 'message') return
  const { prefs } = usePreferences.getState()
  const { activeId, byId } = useConversations.getState()
  const context = {
    preferences: prefs,
    focusedConversationId: activeId,
    focusedThreadRootId: useThreadPanel.getState().open?.rootId ?? null,
    windowFocused: useUi.getState().windowFocused,
    timezone: useBranding.getState().branding.timezone,
    now: Date.now(),
  }
  if (suppressionReason(found, context, 'in_app') !== null) return
  const conversation = byId[found.conversation_id]
  const group = conversation?.kind === 'group' || (found.conversation_title ?? '') !== ''
  const where = conversation
    ? conversationTitle(conversation, selfId(), usePresence.getState().people)
    : (found.conversation_title ?? translate(messages.aGroup))
  const subject = { ...found, conversation_title: group ? where : null }
  const { title, body } = notificationWords(
    burstOfOne(subject),
    prefs.notification_privacy,
    currentTranslator(),
  )
  useToasts.getState().push({
    kind: 'message_received',
    title,
    body,
    conversation_id: subject.conversation_id,
    message_id: subject.message_id,
    ...(subject.thread_root_id !== null ? { thread_root_id: subject.thread_root_id } : {}),
    timestamp: subject.timestamp,
  })
}

/** An edit, a reaction or a receipt (a read takes away the toasts of what it covers). */
export function onMessageUpdated(event: TidingsEvent<'message_updated'>): void {
  const { message, receipt, conversation_id, thread_follow } = event.data
  const conversations = useConversations.getState()
  if (thread_follow) {
    useThreadPanel.getState().applyFollow(conversation_id, thread_follow)
    useFollowedThreads.getState().reloadSoon()
  }
  if (message) {
    useThreadPanel.getState().applyMessage(message)
    if (message.thread && followsThread(message.id)) useFollowedThreads.getState().reloadSoon()
    useMessages.getState().upsert(message, false)
    conversations.applyMessageChange(message)
    if (!mentionsMe(message, useSession.getState().session?.user ?? null)) {
      conversations.forgetMention(conversation_id, message.id)
    }
    useSearch.getState().applyMessage(message)
  }
  if (receipt) {
    conversations.applyReceipt(conversation_id, receipt)
    const me = selfId()
    if (receipt.kind === 'read' && receipt.user_id === me) {
      applyOwnRead(conversation_id, receipt.up_to_message_id, me)
      useToasts.getState().dismissMessages(conversation_id, (id) => id <= receipt.up_to_message_id)
    }
  }
}

/** A deletion: the unread count, its toast, the thread, the list's preview and search results. */
export function onMessageDeleted(event: TidingsEvent<'message_deleted'>): void {
  const { message, conversation_id } = event.data
  const conversations = useConversations.getState()
  applyDeletionToUnread(message, selfId())
  useToasts.getState().dismissMessages(conversation_id, (id) => id === message.id)
  useMessages.getState().upsert(message, false)
  useThreadPanel.getState().applyMessage(message)
  conversations.applyMessageChange(message)
  conversations.forgetMention(message.conversation_id, message.id)
  useSearch.getState().applyMessage(message)
}

/** An own send changed state in main's outbox. */
export function applyOutboxChange(item: OutboxItem): void {
  const previous = useMessages.getState().outbox[item.client_id]
  useMessages.getState().applyOutbox(item)
  if (item.message) {
    useThreadPanel.getState().applyMessage(item.message)
    if (!isThreadOnly(item.message)) {
      useConversations.getState().applyMessage(item.message, { countUnread: false })
    }
  }
  if (item.status === 'failed' && previous?.status !== 'failed') {
    useToasts.getState().push({
      kind: 'send_failed',
      title: translate(messages.notSentTitle),
      body: item.error ?? translate(messages.notSentBody),
      conversation_id: item.conversation_id,
      timestamp: new Date().toISOString(),
      level: 'warning',
    })
  }
}

/** Whether the Threads view lists this root (a change of its summary changes the view). */
function followsThread(rootId: number): boolean {
  return useFollowedThreads.getState().threads.some((t) => t.root.id === rootId)
}
