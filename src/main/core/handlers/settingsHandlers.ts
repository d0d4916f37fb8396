import type { CoreHandlers, CoreParts } from './types'

/**
 * Preferences (the settings window's, and the main window's mute and pin toggles, which change
 * one list each), the language they choose, the organization's branding and time zone, and
 * invites.
 */
export function settingsHandlers({ sessions, rest, preferences, branding, locale }: CoreParts) {
  return {
    'settings/get': () => preferences.get(),
    'settings/set': (patch) => preferences.set(patch),
    'locale/get': () => locale.info(),
    'conversations/setMuted': (body) => preferences.setMuted(body.conversation_id, body.muted),
    'conversations/setPinned': (body) => preferences.setPinned(body.conversation_id, body.pinned),
    'branding/get': () => branding.load(),
    'branding/set': (body) => sessions.authed(() => branding.setTimezone(body.timezone)),
    'admin/createInvite': () =>
      sessions.authed(async () => ({ code: (await rest.createInvite()).code })),
  } satisfies Partial<CoreHandlers>
}
