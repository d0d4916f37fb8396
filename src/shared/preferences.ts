import type { LanguagePreference } from './i18n/locales'

/**
 * The user's local preferences, kept by main and edited in the settings window: this device's,
 * except the muted and pinned conversations, which are each server's (conversation ids are).
 */
export type ClockStyle = '12h' | '24h'

/**
 * The colour scheme of the windows, native menus and form controls: the OS's ('system', which
 * follows it live) or one chosen for this device.
 */
export type ThemePreference = 'system' | 'light' | 'dark'

/** How much a native notification may reveal on screen. */
export type NotificationPrivacy = 'full' | 'sender_only' | 'hidden'

export interface DoNotDisturb {
  /** off; on until turned off; until a time; or every day between two local times. */
  mode: 'off' | 'on' | 'until' | 'schedule'
  /** RFC 3339 instant, with mode 'until'. */
  until: string | null
  /** 'HH:mm' in the organization timezone, with mode 'schedule'; may wrap past midnight. */
  schedule_start: string
  schedule_end: string
}

export interface Preferences {
  clock: ClockStyle
  notifications_enabled: boolean
  notification_sound: boolean
  notification_privacy: NotificationPrivacy
  muted_conversation_ids: number[]
  /**
   * Conversations kept at the top of the list, in the order they were pinned (the latest last,
   * as Signal adds a new pin below the others); at most MAX_PINNED_CONVERSATIONS.
   */
  pinned_conversation_ids: number[]
  dnd: DoNotDisturb
  theme: ThemePreference
  /**
   * The interface's language: 'system' follows the OS (main's `app.getLocale()`), or a language
   * chosen for this device. Main, both windows and notifications follow it live.
   */
  language: LanguagePreference
  /** The skin tone the emoji picker gives emoji that have them: 0 none (yellow), 1 light to 5 dark. */
  emoji_skin_tone: SkinTone
  /** The emoji this device chose last (reactions and the composer), newest first. */
  recent_emoji: string[]
  /**
   * Tidings downloads and installs its updates (Settings → Updates); an administrator's policy
   * wins over it (src/main/core/updatePolicy.ts).
   */
  auto_update: boolean
  /**
   * Keep the sessions on disk unencrypted when the OS offers no keyring (Linux without a secret
   * service: Chromium's 'basic_text' backend); every server's local store follows it. Off by
   * default: the user signs in at each start.
   */
  unencrypted_sign_in: boolean
}

/** Emoji skin tones (Fitzpatrick modifiers U+1F3FB to U+1F3FF), 0 for none. */
export type SkinTone = 0 | 1 | 2 | 3 | 4 | 5

/** How many recently used emoji the picker keeps (three rows of its grid). */
export const MAX_RECENT_EMOJI = 24

/** A short list stays a list of favourites (Telegram's free limit; Signal allows 4). */
export const MAX_PINNED_CONVERSATIONS = 5

export const DEFAULT_PREFERENCES: Preferences = {
  clock: '12h',
  notifications_enabled: true,
  notification_sound: true,
  notification_privacy: 'full',
  muted_conversation_ids: [],
  pinned_conversation_ids: [],
  dnd: { mode: 'off', until: null, schedule_start: '22:00', schedule_end: '07:00' },
  theme: 'system',
  language: 'system',
  emoji_skin_tone: 0,
  recent_emoji: [],
  auto_update: true,
  unencrypted_sign_in: false,
}
