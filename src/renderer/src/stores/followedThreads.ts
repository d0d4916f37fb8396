import { create } from 'zustand'
import type { FollowedThread } from '../../../shared/models'
import { ipc, errorMessage } from '../ipcClient'

/** How long stream events about followed threads gather before the list is asked for again. */
const RELOAD_DELAY_MS = 300

interface FollowedThreadsStore {
  /** The Threads view is shown in place of a conversation. */
  viewOpen: boolean
  /** Most recent reply first (GET /threads). */
  threads: FollowedThread[]
  loaded: boolean
  error: string | null
  showView(): void
  hideView(): void
  load(): Promise<void>
  /** Asks for the list again shortly: a followed thread changed (a reply, a read, a follow). */
  reloadSoon(): void
  reset(): void
}

/**
 * The Threads view: the threads the user follows, with how many replies from others they have not
 * read. The server counts them (it knows every reply since the user's read marker); the window asks
 * again when the stream says a followed thread changed, rather than counting events itself.
 */
export const useFollowedThreads = create<FollowedThreadsStore>()((set, get) => {
  let timer: ReturnType<typeof setTimeout> | null = null
  let generation = 0
  return {
    viewOpen: false,
    threads: [],
    loaded: false,
    error: null,
    showView: () => {
      set({ viewOpen: true })
      // No conversation is in view meanwhile: its messages are news again.
      const focus = ipc()['conversations/focus']
      focus({ conversation_id: null }).catch(() => undefined)
      void get().load()
    },
    hideView: () => set({ viewOpen: false }),
    load: async () => {
      const asked = generation
      try {
        const list = await ipc()['threads/list']()
        if (asked === generation) set({ threads: list.threads, loaded: true, error: null })
      } catch (error) {
        if (asked === generation) set({ error: errorMessage(error) })
      }
    },
    reloadSoon: () => {
      if (timer !== null) return
      timer = setTimeout(() => {
        timer = null
        void get().load()
      }, RELOAD_DELAY_MS)
    },
    reset: () => {
      generation += 1
      if (timer !== null) clearTimeout(timer)
      timer = null
      set({ viewOpen: false, threads: [], loaded: false, error: null })
    },
  }
})

/** Followed threads with replies the user has not read: the Threads button's count. */
export function unreadThreadCount(threads: readonly FollowedThread[]): number {
  return threads.filter((t) => t.unread_count > 0).length
}
