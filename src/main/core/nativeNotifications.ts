import { notificationWords, type NotificationBurst } from '../../shared/notificationText'
import { subjectConversationId } from '../../shared/notificationPolicy'
import type { Translator } from '../../shared/i18n/translator'
import type { ClockStyle, NotificationPrivacy } from '../../shared/preferences'
import {
  DEFAULT_TIME_LOCALE,
  formatTimestamp,
  resolveZone,
  type TimeLocale,
} from '../../shared/time'
import type { NativeNotificationRequest } from './coreHost'

/**
 * The native notification main asks the OS for: the shared wording (src/shared/notificationText.ts,
 * the toasts' too) with what only an OS notification has: the time in front of the body (unless
 * privacy is 'hidden'), the sender's text on one short line, a tag per conversation and the sound.
 */

export interface TextOptions {
  privacy: NotificationPrivacy
  clock: ClockStyle
  /** The organization timezone; an unknown zone shows UTC. */
  timezone: string
  sound: boolean
  /** The interface's language: the words and the time's format. */
  translator: Translator
}

const MAX_TEXT_CHARS = 200

/**
 * "10:30 AM EST" (12h) or "15:30 GMT+1" (24h) in the organization timezone, in the locale's
 * format ("15:30 MEZ" in German).
 */
export function formatNotificationTime(
  timestamp: string,
  timezone: string,
  clock: ClockStyle,
  locale: TimeLocale = DEFAULT_TIME_LOCALE,
): string {
  return formatTimestamp(timestamp, resolveZone(timezone), {
    format: 'time',
    clock,
    withZone: true,
    locale,
  })
}

export function composeNotification(
  burst: NotificationBurst,
  options: TextOptions,
): NativeNotificationRequest {
  const { translator } = options
  const { title, body } = notificationWords(burst, options.privacy, translator, oneLine)
  const time =
    options.privacy === 'hidden'
      ? ''
      : formatNotificationTime(burst.latest.timestamp, options.timezone, options.clock, translator)
  return {
    tag: burst.tag,
    title,
    body: time ? `${time} · ${body}` : body,
    conversation_id: subjectConversationId(burst.latest),
    silent: !options.sound,
  }
}

/** A notification has room for one short line of the sender's text. */
function oneLine(text: string): string {
  const single = text.replace(/\s+/g, ' ').trim()
  return single.length <= MAX_TEXT_CHARS ? single : `${single.slice(0, MAX_TEXT_CHARS - 1)}…`
}
