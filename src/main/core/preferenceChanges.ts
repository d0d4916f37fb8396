import {
  MAX_PINNED_CONVERSATIONS,
  MAX_RECENT_EMOJI,
  type Preferences,
  type SkinTone,
} from '../../shared/preferences'
import { reactionEmoji } from '../../shared/reactions'
import { CoreError, CoreErrorCode } from './coreError'
import type { CoreOutputs } from './coreHost'
import type { PreferenceSource } from './serverPreferences'

/**
 * Every preference change, from the settings window (settings/set) or from the main window's
 * mute and pin toggles and emoji picker, stored and pushed (`settings/changed`) the same way, so each open window
 * follows it live. Pins keep the order of pinning, within MAX_PINNED_CONVERSATIONS.
 */
export class PreferenceChanges {
  constructor(
    private readonly store: PreferenceSource,
    private readonly outputs: CoreOutputs,
    /** Told of every change after the windows are (the language follows it). */
    private readonly changed: (preferences: Preferences) => void = () => {},
  ) {}

  get(): Preferences {
    return this.store.get()
  }

  /** Applies a patch the store checks with its own rules (invalid_request otherwise). */
  set(patch: unknown): Preferences {
    const preferences = this.store.set(patch)
    this.outputs.push('settings/changed', preferences)
    this.changed(preferences)
    return preferences
  }

  setMuted(conversationId: number, muted: boolean): Preferences {
    const others = this.get().muted_conversation_ids.filter((id) => id !== conversationId)
    return this.set({ muted_conversation_ids: muted ? [...others, conversationId] : others })
  }

  /**
   * A new pin goes last and an existing one keeps its place; one past the limit changes nothing
   * and says why, so the renderer can tell the user to unpin one first.
   */
  setPinned(conversationId: number, pinned: boolean): Preferences {
    const current = this.get().pinned_conversation_ids
    if (pinned === current.includes(conversationId)) return this.get()
    if (!pinned) {
      return this.set({ pinned_conversation_ids: current.filter((id) => id !== conversationId) })
    }
    if (current.length >= MAX_PINNED_CONVERSATIONS) {
      throw new CoreError(
        CoreErrorCode.PinLimitReached,
        `You can pin up to ${MAX_PINNED_CONVERSATIONS} conversations. Unpin one first.`,
      )
    }
    return this.set({ pinned_conversation_ids: [...current, conversationId] })
  }

  /**
   * An emoji chosen in the main window (a reaction, or one put in the composer): first among the
   * recently used, which keep MAX_RECENT_EMOJI. Anything but one emoji is refused.
   */
  emojiUsed(emoji: string): Preferences {
    const used = reactionEmoji(emoji)
    if (used === null) {
      throw new CoreError(CoreErrorCode.InvalidRequest, 'emoji must be exactly one emoji.')
    }
    const others = this.get().recent_emoji.filter((e) => e !== used)
    return this.set({ recent_emoji: [used, ...others].slice(0, MAX_RECENT_EMOJI) })
  }

  setSkinTone(tone: SkinTone): Preferences {
    return this.set({ emoji_skin_tone: tone })
  }

  /** A conversation the user left or was removed from can no longer be shown, so not pinned. */
  forgetPin(conversationId: number): void {
    if (this.get().pinned_conversation_ids.includes(conversationId)) {
      this.setPinned(conversationId, false)
    }
  }
}
