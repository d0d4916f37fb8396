import { create } from 'zustand'
import {
  DEFAULT_PREFERENCES,
  MAX_PINNED_CONVERSATIONS,
  type Preferences,
  type SkinTone,
} from '../../../shared/preferences'
import { ipc, errorMessage } from '../ipcClient'

interface PreferencesStore {
  prefs: Preferences
  loaded: boolean
  error: string | null
  set(prefs: Preferences): void
  load(): Promise<void>
  /** Persists a change through main; the store shows it at once and reverts on failure. */
  update(change: Partial<Preferences>): Promise<boolean>
  /**
   * Mutes or unmutes one conversation (the main window's one preference change, through its own
   * channel); shown at once, reverted on failure.
   */
  setMuted(conversationId: number, muted: boolean): Promise<boolean>
  /**
   * Pins (last) or unpins one conversation through its own channel, like setMuted; a pin past
   * the limit is not shown first, only main's refusal (in `error`).
   */
  setPinned(conversationId: number, pinned: boolean): Promise<boolean>
  /** An emoji chosen in the picker goes first among the recently used (main keeps the list). */
  emojiUsed(emoji: string): Promise<boolean>
  /** The skin tone the picker gives emoji, shown at once, reverted on failure. */
  setSkinTone(tone: SkinTone): Promise<boolean>
}

export const usePreferences = create<PreferencesStore>()((set, get) => ({
  prefs: DEFAULT_PREFERENCES,
  loaded: false,
  error: null,
  set: (prefs) => set({ prefs, loaded: true }),
  load: async () => {
    try {
      set({ prefs: await ipc()['settings/get'](), loaded: true })
    } catch (error) {
      set({ error: errorMessage(error) })
    }
  },
  update: async (change) => {
    const before = get().prefs
    set({ prefs: { ...before, ...change }, error: null })
    try {
      set({ prefs: await ipc()['settings/set'](change) })
      return true
    } catch (error) {
      set({ prefs: before, error: errorMessage(error) })
      return false
    }
  },
  setMuted: async (conversationId, muted) => {
    const before = get().prefs
    const others = before.muted_conversation_ids.filter((id) => id !== conversationId)
    const optimistic = muted ? [...others, conversationId] : others
    set({ prefs: { ...before, muted_conversation_ids: optimistic }, error: null })
    try {
      set({
        prefs: await ipc()['conversations/setMuted']({ conversation_id: conversationId, muted }),
      })
      return true
    } catch (error) {
      set({ prefs: before, error: errorMessage(error) })
      return false
    }
  },
  setPinned: async (conversationId, pinned) => {
    const before = get().prefs
    const current = before.pinned_conversation_ids
    // A pin main would refuse is not shown first: it would jump to the top and back.
    const optimistic = !pinned
      ? current.filter((id) => id !== conversationId)
      : current.includes(conversationId) || current.length >= MAX_PINNED_CONVERSATIONS
        ? current
        : [...current, conversationId]
    set({ prefs: { ...before, pinned_conversation_ids: optimistic }, error: null })
    try {
      set({
        prefs: await ipc()['conversations/setPinned']({ conversation_id: conversationId, pinned }),
      })
      return true
    } catch (error) {
      set({ prefs: before, error: errorMessage(error) })
      return false
    }
  },
  emojiUsed: async (emoji) => {
    try {
      set({ prefs: await ipc()['emoji/used']({ emoji }) })
      return true
    } catch (error) {
      set({ error: errorMessage(error) })
      return false
    }
  },
  setSkinTone: async (tone) => {
    const before = get().prefs
    set({ prefs: { ...before, emoji_skin_tone: tone }, error: null })
    try {
      set({ prefs: await ipc()['emoji/setSkinTone']({ tone }) })
      return true
    } catch (error) {
      set({ prefs: before, error: errorMessage(error) })
      return false
    }
  },
}))

export function useIsMuted(conversationId: number): boolean {
  return usePreferences((s) => s.prefs.muted_conversation_ids.includes(conversationId))
}

export function useIsPinned(conversationId: number): boolean {
  return usePreferences((s) => s.prefs.pinned_conversation_ids.includes(conversationId))
}

export function useClock(): Preferences['clock'] {
  return usePreferences((s) => s.prefs.clock)
}
