import { create } from 'zustand'
import type { Message, ThreadFollow } from '../../../shared/models'
import { ipc, errorMessage } from '../ipcClient'
import { mergeMessages, useMessages } from './messages'

/** One thread as the panel shows it: its root, its replies (ascending by id) and the following. */
export interface ThreadView {
  conversationId: number
  rootId: number
  root: Message | null
  replies: Message[]
  loaded: boolean
  following: boolean
  lastReadId: number
  error: string | null
}

interface ThreadPanelStore {
  /** The thread whose panel is open, or null. */
  open: { conversationId: number; rootId: number } | null
  /** Threads loaded in this window, by root id. */
  byRoot: Record<number, ThreadView>
  /** Opens a thread's panel and loads it (the root and its newest replies). */
  openThread(conversationId: number, rootId: number): Promise<void>
  close(): void
  /** A new state of a message: a reply of a loaded thread, or a loaded thread's root. */
  applyMessage(message: Message): void
  /** The user's following of a thread changed (on this or another device). */
  applyFollow(conversationId: number, follow: ThreadFollow): void
  setFollowing(following: boolean): Promise<void>
  /** Reports the open thread read up to its newest reply, when there is one not read yet. */
  markRead(): Promise<void>
  /** Sends a reply in the open thread; `alsoToChannel` shows it in the channel too. */
  send(text: string, alsoToChannel: boolean): Promise<boolean>
  reset(): void
}

function emptyView(conversationId: number, rootId: number): ThreadView {
  return {
    conversationId,
    rootId,
    root: null,
    replies: [],
    loaded: false,
    following: false,
    lastReadId: 0,
    error: null,
  }
}

/** Tells main which conversation and thread the window shows (notifications about them are moot). */
function reportFocus(conversationId: number, rootId: number | null): void {
  const focus = ipc()['conversations/focus']
  focus({ conversation_id: conversationId, thread_root_id: rootId }).catch(() => undefined)
}

/**
 * The thread panel beside a conversation: the root and replies of the thread it shows, loaded
 * over `threads/get` and kept current by the stream (a reply's message event, its root's
 * message_updated, the user's own thread_follow changes).
 */
export const useThreadPanel = create<ThreadPanelStore>()((set, get) => {
  function patch(rootId: number, change: (view: ThreadView) => ThreadView): void {
    const current = get().byRoot[rootId]
    if (!current) return
    set({ byRoot: { ...get().byRoot, [rootId]: change(current) } })
  }
  return {
    open: null,
    byRoot: {},
    openThread: async (conversationId, rootId) => {
      set({
        open: { conversationId, rootId },
        byRoot: {
          ...get().byRoot,
          [rootId]: get().byRoot[rootId] ?? emptyView(conversationId, rootId),
        },
      })
      reportFocus(conversationId, rootId)
      try {
        const page = await ipc()['threads/get']({
          conversation_id: conversationId,
          root_id: rootId,
        })
        patch(rootId, (view) => ({
          ...view,
          root: page.root,
          replies: mergeMessages(view.replies, page.replies),
          loaded: true,
          following: page.following,
          lastReadId: Math.max(view.lastReadId, page.last_read_id),
          error: null,
        }))
      } catch (error) {
        patch(rootId, (view) => ({ ...view, error: errorMessage(error) }))
        return
      }
      await get().markRead()
    },
    close: () => {
      const open = get().open
      if (!open) return
      set({ open: null })
      reportFocus(open.conversationId, null)
    },
    applyMessage: (message) => {
      const rootId = message.thread_root_id
      if (rootId === undefined) {
        if (get().byRoot[message.id]) patch(message.id, (view) => ({ ...view, root: message }))
        return
      }
      patch(rootId, (view) => ({ ...view, replies: mergeMessages(view.replies, [message]) }))
    },
    applyFollow: (_conversationId, follow) => {
      patch(follow.root_id, (view) => ({
        ...view,
        following: follow.following,
        lastReadId: Math.max(view.lastReadId, follow.last_read_id),
      }))
    },
    setFollowing: async (following) => {
      const open = get().open
      if (!open) return
      try {
        const follow = await ipc()['threads/follow']({
          conversation_id: open.conversationId,
          root_id: open.rootId,
          following,
        })
        get().applyFollow(open.conversationId, follow)
      } catch (error) {
        patch(open.rootId, (view) => ({ ...view, error: errorMessage(error) }))
      }
    },
    markRead: async () => {
      const open = get().open
      const view = open ? get().byRoot[open.rootId] : undefined
      if (!open || !view?.loaded || !view.following) return
      const newest = view.replies.at(-1)
      if (!newest || newest.id <= view.lastReadId) return
      // Noted at once, so the replies that follow do not ask again for the same ones.
      patch(open.rootId, (v) => ({ ...v, lastReadId: newest.id }))
      const markRead = ipc()['threads/markRead']
      await markRead({
        conversation_id: open.conversationId,
        root_id: open.rootId,
        up_to_message_id: newest.id,
      }).catch(() => undefined)
    },
    send: async (text, alsoToChannel) => {
      const open = get().open
      if (!open) return false
      try {
        const item = await ipc()['messages/send']({
          conversation_id: open.conversationId,
          text,
          thread_root_id: open.rootId,
          ...(alsoToChannel ? { also_to_channel: true } : {}),
        })
        // The outbox reports it like any send (pending, then sent): see applyOutboxChange.
        useMessages.getState().applyOutbox(item)
        return true
      } catch (error) {
        patch(open.rootId, (view) => ({ ...view, error: errorMessage(error) }))
        return false
      }
    },
    reset: () => set({ open: null, byRoot: {} }),
  }
})
