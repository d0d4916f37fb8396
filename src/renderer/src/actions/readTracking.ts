import type { Message } from '../../../shared/models'
import { ipc } from '../ipcClient'
import { useConversations } from '../stores/conversations'
import { coversFrom, isOwnMessage, useMessages } from '../stores/messages'
import { useReadMarks } from '../stores/readMarks'
import { selfId } from '../stores/session'
import { useUi } from '../stores/ui'

/**
 * Reads and unread counts in this window: the user's read marker, reporting the open
 * conversation read, what the user's reads on other devices and deletions do to a count, and
 * which arriving messages are news to this window.
 */

/** The user's read marker in a conversation: the server's, or a newer read reported from here. */
export function readMarker(conversationId: number, me: number | null): number {
  const conversation = useConversations.getState().byId[conversationId]
  const own = conversation?.members.find((m) => m.user_id === me)?.last_read_message_id ?? 0
  return Math.max(own, useReadMarks.getState().reported[conversationId] ?? 0)
}

/**
 * The user read the conversation up to `upTo` on one of their devices. Main's dock badge drops on
 * this receipt; the list's count must too. The count is the messages from others after the
 * marker, deleted ones excluded (as the server counts). Read to the newest message, that is 0.
 * After a partial read the count can only be taken from the thread when it holds every message
 * after the marker; otherwise the list is reloaded for the server's count (no per-conversation
 * call exists, and partial reads from another device are rare).
 */
export function applyOwnRead(conversationId: number, upTo: number, me: number | null): void {
  const conversation = useConversations.getState().byId[conversationId]
  if (!conversation || conversation.unread_count === 0) return
  if (upTo >= (conversation.last_message?.id ?? 0)) {
    useConversations.getState().setUnread(conversationId, 0)
    return
  }
  const marker = Math.max(upTo, readMarker(conversationId, me))
  const thread = useMessages.getState().threads[conversationId]
  if (!thread || !coversFrom(thread, marker + 1)) {
    useConversations.getState().reloadSoon()
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
export function applyDeletionToUnread(message: Message, me: number | null): void {
  const cid = message.conversation_id
  const conversations = useConversations.getState()
  const conversation = conversations.byId[cid]
  if (!conversation || conversation.unread_count === 0 || isOwnMessage(message, me)) return
  if (useReadMarks.getState().discounted[message.id] || message.id <= readMarker(cid, me)) return
  useReadMarks.getState().discount(message.id)
  if (message.id <= (conversations.listedUpTo[cid] ?? 0)) conversations.reloadSoon()
  else conversations.setUnread(cid, conversation.unread_count - 1)
}

/**
 * Whether a message from someone else is news to this window, asked before it is applied. Not
 * once the user's read marker is past it (read on one of their devices), nor when the window's
 * state already holds it or something newer (a late or replayed copy: it predates what the window
 * loaded, and its conversation's count has it), nor while the window has not loaded its list yet
 * (the list brings it, counted as unread). Whether news is shown is the shared policy's to say
 * (src/shared/notificationPolicy.ts).
 */
export function isNews(message: Message, me: number | null): boolean {
  const { byId, loaded } = useConversations.getState()
  const conversation = byId[message.conversation_id]
  if (!conversation) return loaded
  if (message.id <= (conversation.last_message?.id ?? 0)) return false
  return message.id > readMarker(message.conversation_id, me)
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
  const marks = useReadMarks.getState()
  if ((marks.reported[activeId] ?? 0) >= upTo || ownMarker >= upTo) return
  marks.report(activeId, upTo)
  const tidings = ipc()
  tidings['messages/markRead']({ conversation_id: activeId, up_to_message_id: upTo }).catch(() => {
    useReadMarks.getState().withdraw(activeId, upTo)
  })
}
