import { notificationWords, type NotificationBurst } from '../../shared/notificationText'
import { subjectConversationId } from '../../shared/notificationPolicy'
import type { ClockStyle, NotificationPrivacy } from '../../shared/preferences'
import { formatTimestamp, resolveZone } from '../../shared/time'
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
}

const MAX_TEXT_CHARS = 200

/** "10:30 AM EST" (12h) or "15:30 GMT+1" (24h) in the organization timezone. */
export function formatNotificationTime(
  timestamp: string,
  timezone: string,
  clock: ClockStyle,
): string {
  return formatTimestamp(timestamp, resolveZone(timezone), {
    format: 'time',
    clock,
    withZone: true,
  })
}

export function composeNotification(
  burst: NotificationBurst,
  options: TextOptions,
): NativeNotificationRequest {
  const { title, body } = notificationWords(burst, options.privacy, oneLine)
  const time =
    options.privacy === 'hidden'
      ? ''
      : formatNotificationTime(burst.latest.timestamp, options.timezone, options.clock)
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
