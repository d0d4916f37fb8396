import type { SkinTone } from '../../../shared/preferences'
import type { CoreHandlers, CoreParts } from './types'

/**
 * Preferences (the settings window's, and the main window's mute and pin toggles and emoji
 * picker, which change one preference each), the organization's branding and time zone, and invites.
 */
export function settingsHandlers({ sessions, rest, preferences, branding }: CoreParts) {
  return {
    'settings/get': () => preferences.get(),
    'settings/set': (patch) => preferences.set(patch),
    'conversations/setMuted': (body) => preferences.setMuted(body.conversation_id, body.muted),
    'conversations/setPinned': (body) => preferences.setPinned(body.conversation_id, body.pinned),
    'emoji/used': (body) => preferences.emojiUsed(body.emoji),
    'emoji/setSkinTone': (body) => preferences.setSkinTone(body.tone as SkinTone),
    'branding/get': () => branding.load(),
    'branding/set': (body) => sessions.authed(() => branding.setTimezone(body.timezone)),
    'admin/createInvite': () =>
      sessions.authed(async () => ({ code: (await rest.createInvite()).code })),
  } satisfies Partial<CoreHandlers>
}
