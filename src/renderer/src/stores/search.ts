import { create } from 'zustand'
import type { Message, MessageSearchResult } from '../../../shared/models'
import { ipc, errorMessage } from '../ipcClient'
import { editedSnippet } from './searchSnippet'

/** idle: no query; searching: the first page is on its way; done and error: the answer. */
export type SearchStatus = 'idle' | 'searching' | 'done' | 'error'

/** A message to bring into view once its conversation's thread is shown. */
export interface SearchTarget {
  conversationId: number
  messageId: number
  /** True once it was scrolled into view: it stays highlighted for a moment. */
  shown: boolean
}

interface SearchStore {
  /** What the field holds; the results are for `searched`, which trails it while debounced. */
  query: string
  searched: string
  status: SearchStatus
  results: MessageSearchResult[]
  /** Pass as `before` for the next older page; null when there is none. */
  nextBefore: number | null
  loadingMore: boolean
  error: string | null
  target: SearchTarget | null
  setQuery(query: string): void
  /**
   * Searches for the current query (the field calls it debounced); the query of the results shown
   * is searched again only when `again` (Enter in the field: new messages may match by now).
   */
  run(again?: boolean): Promise<void>
  loadMore(): Promise<void>
  /**
   * A new state of a message (an event): a result showing it takes its new text, or leaves the
   * results once it is deleted.
   */
  applyMessage(message: Message): void
  /** Empties the field and the results (back to the conversation list). */
  clear(): void
  setTarget(target: SearchTarget | null): void
  reset(): void
}

const CLEARED = {
  query: '',
  searched: '',
  status: 'idle' as SearchStatus,
  results: [],
  nextBefore: null,
  loadingMore: false,
  error: null,
}

export const useSearch = create<SearchStore>()((set, get) => {
  /** Bumped by every new search and by clear(): an answer to an older one is dropped. */
  let generation = 0
  return {
    ...CLEARED,
    target: null,
    setQuery: (query) => {
      set({ query })
      if (query.trim() === '') {
        generation += 1
        set({ ...CLEARED })
      }
    },
    run: async (again = false) => {
      const q = get().query.trim()
      if (q === '' || (q === get().searched && get().status !== 'error' && !again)) return
      const asked = ++generation
      set({ searched: q, status: 'searching', results: [], nextBefore: null, error: null })
      try {
        const page = await ipc()['messages/search']({ q })
        if (asked !== generation) return
        set({ status: 'done', results: page.results, nextBefore: page.next_before })
      } catch (error) {
        if (asked !== generation) return
        set({ status: 'error', error: errorMessage(error) })
      }
    },
    loadMore: async () => {
      const { searched, nextBefore, loadingMore, status } = get()
      if (status !== 'done' || nextBefore === null || loadingMore) return
      const asked = generation
      set({ loadingMore: true })
      try {
        const page = await ipc()['messages/search']({ q: searched, before: nextBefore })
        if (asked !== generation) return
        set({
          results: get().results.concat(page.results),
          nextBefore: page.next_before,
          loadingMore: false,
        })
      } catch (error) {
        if (asked !== generation) return
        set({ loadingMore: false, error: errorMessage(error) })
      }
    },
    applyMessage: (message) => {
      const { results, searched } = get()
      const index = results.findIndex((r) => r.message.id === message.id)
      const shown = results[index]
      if (!shown) return
      if (message.deleted_at !== null) {
        set({ results: results.filter((r) => r !== shown) })
        return
      }
      // A reaction changes the message but not the words the snippet was made of.
      const snippet =
        message.text === shown.message.text ? shown.snippet : editedSnippet(message.text, searched)
      const next = results.slice()
      next[index] = { ...shown, message, snippet }
      set({ results: next })
    },
    clear: () => {
      generation += 1
      set({ ...CLEARED })
    },
    setTarget: (target) => set({ target }),
    reset: () => {
      generation += 1
      set({ ...CLEARED, target: null })
    },
  }
})
