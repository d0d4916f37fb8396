import { defineMessages } from '../../../shared/i18n/defineMessages'
import { Limits } from '../../../shared/limits'
import type { MessageSearchResult } from '../../../shared/models'
import { ipc } from '../ipcClient'
import { useConversations } from '../stores/conversations'
import { useFollowedThreads } from '../stores/followedThreads'
import { useMessages } from '../stores/messages'
import { useNewMessages } from '../stores/newMessages'
import { useReplies } from '../stores/replies'
import { useSearch } from '../stores/search'
import { JUMP_PAGE_SIZE, MAX_JUMP_PAGES } from '../stores/searchJump'
import { translate } from '../stores/locale'
import { selfId } from '../stores/session'
import { useThreadPanel } from '../stores/threadPanel'
import { useToasts } from '../stores/toasts'
import { markActiveRead, readMarker } from './readTracking'

/**
 * Moving around the window: opening a conversation (its "New messages" divider, its first page,
 * reporting it read), a search result, or the original of a reply.
 */

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

const messages = defineMessages({
  goneTitle: { id: 'toast.jump.gone.title', defaultMessage: 'Message not found' },
  goneBody: {
    id: 'toast.jump.gone.body',
    defaultMessage: 'That message is no longer in this conversation.',
  },
  tooFarTitle: { id: 'toast.jump.tooFar.title', defaultMessage: 'Message too far back' },
  tooFarBody: {
    id: 'toast.jump.tooFar.body',
    defaultMessage: 'It is more than {reach, number} messages back; scroll up to reach it.',
  },
})

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
  // The Threads view and a thread panel of another conversation give way to it.
  useFollowedThreads.getState().hideView()
  const panel = useThreadPanel.getState().open
  if (panel && panel.conversationId !== id) useThreadPanel.getState().close()
  const tidings = ipc()
  const threadRootId = useThreadPanel.getState().open?.rootId ?? null
  tidings['conversations/focus']({ conversation_id: id, thread_root_id: threadRootId }).catch(
    () => undefined,
  )
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
  const reach = MAX_JUMP_PAGES * JUMP_PAGE_SIZE
  useToasts.getState().push({
    kind: 'search',
    title: translate(why === 'gone' ? messages.goneTitle : messages.tooFarTitle),
    body: why === 'gone' ? translate(messages.goneBody) : translate(messages.tooFarBody, { reach }),
    conversation_id: conversationId,
    timestamp: new Date().toISOString(),
    level: 'info',
  })
}

/** Opens a thread: its conversation, with the thread's panel beside it. */
export async function openThread(conversationId: number, rootId: number): Promise<void> {
  const panel = useThreadPanel.getState()
  if (panel.open?.rootId !== rootId) void panel.openThread(conversationId, rootId)
  await openConversation(conversationId)
}
