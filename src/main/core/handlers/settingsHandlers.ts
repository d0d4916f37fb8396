import type { SkinTone } from '../../../shared/preferences'
import type { CoreHandlers, CoreParts } from './types'

/**
 * Preferences (the settings window's, and the main window's mute and pin toggles and emoji
 * picker, which change one preference each), the language they choose, the organization's
 * branding and time zone, and
 * the message retention policy.
 */
export function settingsHandlers({ sessions, rest, preferences, branding, locale }: CoreParts) {
  return {
    'settings/get': () => preferences.get(),
    'settings/set': (patch) => preferences.set(patch),
    'locale/get': () => locale.info(),
    'conversations/setMuted': (body) => preferences.setMuted(body.conversation_id, body.muted),
    'conversations/setPinned': (body) => preferences.setPinned(body.conversation_id, body.pinned),
    'emoji/used': (body) => preferences.emojiUsed(body.emoji),
    'emoji/setSkinTone': (body) => preferences.setSkinTone(body.tone as SkinTone),
    'branding/get': () => branding.load(),
    'branding/set': (body) => sessions.authed(() => branding.setTimezone(body.timezone)),
    'admin/getRetention': () => sessions.authed(() => rest.retention()),
    'admin/setRetention': (body) => sessions.authed(() => rest.setRetention(body)),
  } satisfies Partial<CoreHandlers>
}
