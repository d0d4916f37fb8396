import { create } from 'zustand'
import { api } from '../api'

/**
 * How long typing must pause before a draft is saved. Main writes each save to disk, so saving on
 * every keystroke would write that often; leaving the conversation or closing the window saves
 * at once (flush), so at most this much typing is lost if the app is killed.
 */
export const DRAFT_SAVE_DELAY_MS = 500

/** Longest text the conversation list shows after "Draft:" (the row cuts it with an ellipsis). */
const PREVIEW_CHARS = 120

interface DraftsStore {
  /** Unsent composer text per conversation; a conversation without one has no key. */
  byConversation: Record<number, string>
  /** Loads the signed-in user's drafts from main (the composer's text wins where newer). */
  load(): Promise<void>
  /** The composer's text changed: kept here at once, saved to main after a pause in typing. */
  change(conversationId: number, text: string): void
  /** Saves a conversation's pending change now (leaving it), or every pending one (closing). */
  flush(conversationId?: number): void
  /** The text was sent: main dropped the draft with the send, so only this copy goes. */
  sent(conversationId: number): void
  /** The conversation is gone (left, removed): nothing of it is saved any more. */
  forget(conversationId: number): void
  /** Forgets everything, pending saves included (sign-out: main has cleared them). */
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
  /** Conversations changed here and not saved yet, with the timer that will save them. */
  const pending = new Map<number, ReturnType<typeof setTimeout>>()
  /** Bumped by reset(): a list asked for before it belongs to the previous user. */
  let generation = 0

  function save(conversationId: number): void {
    const timer = pending.get(conversationId)
    if (timer === undefined) return
    clearTimeout(timer)
    pending.delete(conversationId)
    const text = get().byConversation[conversationId] ?? ''
    const tidings = api()
    tidings['drafts/set']({ conversation_id: conversationId, text }).catch(() => undefined)
  }

  function cancel(conversationId: number): void {
    const timer = pending.get(conversationId)
    if (timer !== undefined) clearTimeout(timer)
    pending.delete(conversationId)
  }

  function without(conversationId: number): Record<number, string> {
    const byConversation = { ...get().byConversation }
    delete byConversation[conversationId]
    return byConversation
  }

  return {
    byConversation: {},
    load: async () => {
      const asked = generation
      try {
        const drafts = await api()['drafts/list']()
        if (asked !== generation) return
        const byConversation: Record<number, string> = {}
        for (const draft of drafts) byConversation[draft.conversation_id] = draft.text
        // Typed while the list was on its way: newer than what main had.
        for (const id of pending.keys()) {
          const local = get().byConversation[id]
          if (hasDraft(local)) byConversation[id] = local
          else delete byConversation[id]
        }
        set({ byConversation })
      } catch {
        // Not signed in any more, or main is going away: the composer simply starts empty.
      }
    },
    change: (conversationId, text) => {
      const stored = hasDraft(text) ? text : ''
      if ((get().byConversation[conversationId] ?? '') === stored) return
      set({
        byConversation: stored
          ? { ...get().byConversation, [conversationId]: stored }
          : without(conversationId),
      })
      cancel(conversationId)
      pending.set(
        conversationId,
        setTimeout(() => save(conversationId), DRAFT_SAVE_DELAY_MS),
      )
    },
    flush: (conversationId) => {
      if (conversationId !== undefined) save(conversationId)
      else for (const id of [...pending.keys()]) save(id)
    },
    sent: (conversationId) => {
      cancel(conversationId)
      if (conversationId in get().byConversation) set({ byConversation: without(conversationId) })
    },
    forget: (conversationId) => get().sent(conversationId),
    reset: () => {
      generation += 1
      for (const timer of pending.values()) clearTimeout(timer)
      pending.clear()
      set({ byConversation: {} })
    },
  }
})
