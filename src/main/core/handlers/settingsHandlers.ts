import type { CoreHandlers, CoreParts } from './types'

/**
 * Preferences (the settings window's, and the main window's mute and pin toggles, which change
 * one list each), and the organization's branding and time zone.
 */
export function settingsHandlers({ sessions, preferences, branding }: CoreParts) {
  return {
    'settings/get': () => preferences.get(),
    'settings/set': (patch) => preferences.set(patch),
    'conversations/setMuted': (body) => preferences.setMuted(body.conversation_id, body.muted),
    'conversations/setPinned': (body) => preferences.setPinned(body.conversation_id, body.pinned),
    'branding/get': () => branding.load(),
    'branding/set': (body) => sessions.authed(() => branding.setTimezone(body.timezone)),
  } satisfies Partial<CoreHandlers>
}
