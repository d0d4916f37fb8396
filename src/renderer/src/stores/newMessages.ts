import { create } from 'zustand'
import { coversFrom, type ThreadEntry, type ThreadState } from './messages'

/**
 * Where the "New messages" divider of the open conversation goes. The user's read marker is taken
 * once, when the conversation is opened (the thread then marks everything read, which must not
 * move the divider), and dropped when another conversation is opened: coming back after reading
 * shows no divider.
 */
interface NewMessagesStore {
  /** The open conversation's read marker at opening; null when it had nothing unread then. */
  opened: { conversationId: number; readUpTo: number } | null
  /** A conversation was opened with `unread` messages after the user's marker `readUpTo`. */
  open(conversationId: number, readUpTo: number, unread: number): void
  reset(): void
}

export const useNewMessages = create<NewMessagesStore>()((set) => ({
  opened: null,
  open: (conversationId, readUpTo, unread) =>
    set({ opened: unread > 0 ? { conversationId, readUpTo } : null }),
  reset: () => set({ opened: null }),
}))

/**
 * The key of the entry the divider goes above: the first message from someone else after the
 * marker (one's own messages are never news; a deleted one shows no text to read). Null while
 * the loaded pages do not reach back to the marker, since the first unread message may be older
 * than the oldest loaded one; paging back brings it.
 */
export function firstUnreadKey(
  thread: ThreadState | undefined,
  entries: ThreadEntry[],
  readUpTo: number,
): string | null {
  if (!coversFrom(thread, readUpTo + 1)) return null
  for (const entry of entries) {
    if (entry.id !== null && entry.id > readUpTo && !entry.own && !entry.deleted_at) {
      return entry.key
    }
  }
  return null
}
