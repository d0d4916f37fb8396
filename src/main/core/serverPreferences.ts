import type { Preferences } from '../../shared/preferences'
import type { LocalStore } from './localStore'
import {
  completePreferences,
  mergePreferences,
  validatePreferencesPatch,
  type PreferencesStore,
} from './preferencesStore'

/** Where preferences come from and go to: one store, or the device's and a server's together. */
export interface PreferenceSource {
  get(): Preferences
  /** Validates `patch`, merges it, saves and returns the result. Throws invalid_request. */
  set(patch: unknown): Preferences
}

const LISTS_KEY = 'conversation_preferences'

type ConversationLists = Pick<Preferences, 'muted_conversation_ids' | 'pinned_conversation_ids'>

/**
 * One server's view of the preferences: the device's (clock, theme, notifications, do not
 * disturb, updates: one PreferencesStore in the app's local store, shared by every server) with
 * the server's own muted and pinned conversations, kept in the server's local store, since a
 * conversation id means a conversation of one server only. A patch may touch both; it is checked
 * whole before either is written.
 */
export class ServerPreferencesStore implements PreferenceSource {
  private lists: ConversationLists

  constructor(
    private readonly device: PreferencesStore,
    private readonly store: LocalStore,
  ) {
    this.lists = conversationLists(completePreferences(store.getJson<unknown>(LISTS_KEY)))
    // The server's session is kept as the device's `unencrypted_sign_in` says, like every other's.
    device.keepSecretsOf(store)
  }

  get(): Preferences {
    return { ...this.device.get(), ...this.lists }
  }

  set(patch: unknown): Preferences {
    const valid = validatePreferencesPatch(patch)
    const merged = mergePreferences(this.get(), valid)
    const { muted_conversation_ids: muted, pinned_conversation_ids: pinned, ...devicePatch } = valid
    if (Object.keys(devicePatch).length > 0) this.device.set(devicePatch)
    if (muted !== undefined || pinned !== undefined) {
      this.lists = conversationLists(merged)
      this.store.setJson(LISTS_KEY, this.lists)
    }
    return this.get()
  }
}

/**
 * Earlier versions kept the muted and pinned conversations with the device's preferences; they
 * were the one server's. They move to that server's store (unless it has lists already), and the
 * device's are emptied.
 */
export function moveLegacyConversationLists(device: PreferencesStore, store: LocalStore): void {
  const lists = conversationLists(device.get())
  if (lists.muted_conversation_ids.length === 0 && lists.pinned_conversation_ids.length === 0) {
    return
  }
  if (store.getJson<unknown>(LISTS_KEY) === null) store.setJson(LISTS_KEY, lists)
  device.set({ muted_conversation_ids: [], pinned_conversation_ids: [] })
}

function conversationLists(preferences: Preferences): ConversationLists {
  return {
    muted_conversation_ids: preferences.muted_conversation_ids,
    pinned_conversation_ids: preferences.pinned_conversation_ids,
  }
}
