import { create } from 'zustand'

/**
 * What this window did about reads and unread counts that the server does not echo at once:
 * the reads it reported (so markRead is not asked twice for the same messages) and the
 * deletions it already took off an unread count (so a deletion delivered twice, by a replay, is
 * not taken off twice). Bookkeeping for actions/readTracking.ts; nothing renders from it.
 */
interface ReadMarksStore {
  /** Highest message id reported read, per conversation. */
  reported: Record<number, number>
  /** Ids of others' deleted messages already taken off a count or recounted by the server. */
  discounted: Record<number, true>
  report(conversationId: number, upTo: number): void
  /** A report that failed: forgotten, unless a newer one was made meanwhile. */
  withdraw(conversationId: number, upTo: number): void
  /** True the first time a deleted message is discounted, false after. */
  discount(messageId: number): boolean
  /** A resync: the reports are asked again as the reloaded state needs. */
  forgetReports(): void
  reset(): void
}

export const useReadMarks = create<ReadMarksStore>()((set, get) => ({
  reported: {},
  discounted: {},
  report: (conversationId, upTo) =>
    set({ reported: { ...get().reported, [conversationId]: upTo } }),
  withdraw: (conversationId, upTo) => {
    if (get().reported[conversationId] !== upTo) return
    const reported = { ...get().reported }
    delete reported[conversationId]
    set({ reported })
  },
  discount: (messageId) => {
    if (get().discounted[messageId]) return false
    set({ discounted: { ...get().discounted, [messageId]: true } })
    return true
  },
  forgetReports: () => set({ reported: {} }),
  reset: () => set({ reported: {}, discounted: {} }),
}))
