import { create } from 'zustand'
import { ipc } from '../ipcClient'

/** Longest text the conversation list shows after "Draft:" (the row cuts it with an ellipsis). */
const PREVIEW_CHARS = 120

interface DraftsStore {
  /** Unsent composer text per conversation; a conversation without one has no key. */
  byConversation: Record<number, string>
  /** Loads the signed-in user's drafts from main (what was typed meanwhile wins). */
  load(): Promise<void>
  /**
   * The composer's text changed. Main gets every change at once (it writes to disk only now and
   * then): a page that is closing or reloading cannot be trusted to get a last save through.
   */
  change(conversationId: number, text: string): void
  /**
   * The draft is done with: its text was sent, or the conversation is gone. Main drops its own
   * copy on either (messages/send, the removal event), so only this one goes.
   */
  drop(conversationId: number): void
  /** Forgets everything (sign-out: main has cleared them). */
  reset(): void
}

/** Blank text is no draft: the composer was emptied. */
export function hasDraft(text: string | undefined): text is string {
  return text !== undefined && text.trim() !== ''
}

/** The list's preview of a draft: its words on one line, cut short. */
export function draftPreview(text: string): string {
  return text
    .slice(0, PREVIEW_CHARS * 2)
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, PREVIEW_CHARS)
}

export const useDrafts = create<DraftsStore>()((set, get) => {
  /** Conversations changed while a list request was in flight: their local text is newer. */
  const changedDuringLoad = new Set<number>()
  let loading = 0
  /** Bumped by reset(): a list asked for before it belongs to the previous user. */
  let generation = 0

  function without(conversationId: number): Record<number, string> {
    const byConversation = { ...get().byConversation }
    delete byConversation[conversationId]
    return byConversation
  }

  return {
    byConversation: {},
    load: async () => {
      const asked = generation
      loading += 1
      try {
        const drafts = await ipc()['drafts/list']()
        if (asked !== generation) return
        const byConversation: Record<number, string> = {}
        for (const draft of drafts) byConversation[draft.conversation_id] = draft.text
        for (const id of changedDuringLoad) {
          const local = get().byConversation[id]
          if (hasDraft(local)) byConversation[id] = local
          else delete byConversation[id]
        }
        set({ byConversation })
      } catch {
        // Not signed in any more, or main is going away: the composer simply starts empty.
      } finally {
        if (asked === generation && --loading === 0) changedDuringLoad.clear()
      }
    },
    change: (conversationId, text) => {
      const kept = hasDraft(text) ? text : ''
      if ((get().byConversation[conversationId] ?? '') === kept) return
      if (loading > 0) changedDuringLoad.add(conversationId)
      set({
        byConversation: kept
          ? { ...get().byConversation, [conversationId]: kept }
          : without(conversationId),
      })
      const tidings = ipc()
      tidings['drafts/set']({ conversation_id: conversationId, text: kept }).catch(() => undefined)
    },
    drop: (conversationId) => {
      if (conversationId in get().byConversation) set({ byConversation: without(conversationId) })
    },
    reset: () => {
      generation += 1
      loading = 0
      changedDuringLoad.clear()
      set({ byConversation: {} })
    },
  }
})
