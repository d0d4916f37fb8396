import type { NotificationSubject } from './notificationPolicy'
import type { NotificationPrivacy } from './preferences'

/**
 * The one wording of news, for main's native notifications and the renderer's in-app toasts.
 * Everything respects the privacy preference: 'full' shows who and what, 'sender_only' shows who
 * but not what, 'hidden' shows neither (a notification can be read over the user's shoulder or on
 * a locked screen): the title is then the app's name and the body only says what kind of news
 * came, "New message" or "3 new messages".
 */

/** Several subjects with the same tag that arrived close together; `latest` is the newest. */
export interface NotificationBurst {
  tag: string
  latest: NotificationSubject
  count: number
  /** Distinct senders in order of arrival (messages and emails). */
  senders: string[]
  /** The newest message of the burst that @mentions the user, if any: it names the burst. */
  mention: NotificationSubject | null
}

export interface NotificationWords {
  title: string
  body: string
}

export const APP_NAME = 'Tidings'

/** One tag per conversation, so a new burst replaces the previous notification. */
export function notificationTag(subject: NotificationSubject): string {
  switch (subject.kind) {
    case 'message':
      return `conversation:${subject.conversation_id}`
    case 'email':
      // Same tag as the conversation, so the mail and its message_received are one notification.
      return subject.conversation_id === null ? 'email' : `conversation:${subject.conversation_id}`
    case 'system':
      return `system:${subject.event_id ?? subject.timestamp}`
    case 'account_disconnected':
      return `account:${subject.account ?? 'unknown'}`
  }
}

/** The sender of a subject, for "3 new messages from Jane". */
export function subjectSender(subject: NotificationSubject): string | null {
  if (subject.kind === 'message') return subject.sender_name
  if (subject.kind === 'email') return subject.from
  return null
}

/** A burst of one: what a single subject (an in-app toast, a lone message) is worded as. */
export function burstOfOne(subject: NotificationSubject): NotificationBurst {
  const sender = subjectSender(subject)
  return {
    tag: notificationTag(subject),
    latest: subject,
    count: 1,
    senders: sender === null ? [] : [sender],
    mention: subject.kind === 'message' && subject.mentions_me ? subject : null,
  }
}

/**
 * The title and body of a burst. `fit` shapes the text the sender wrote (a message, an email's
 * subject, a notice's body) for where it shows: main keeps a native notification to one short
 * line; a toast shows it as written (its box clamps it).
 */
export function notificationWords(
  burst: NotificationBurst,
  privacy: NotificationPrivacy,
  fit: (text: string) => string = (text) => text,
): NotificationWords {
  const subject = burst.latest
  const noun = nounFor(subject)
  if (privacy === 'hidden') return { title: APP_NAME, body: countPhrase(burst.count, noun) }
  const full = privacy === 'full'

  // Being called by name is what the user most needs to see, whatever else the burst holds.
  const mention = burst.mention?.kind === 'message' ? burst.mention : null
  if (burst.count > 1) {
    const from = sendersPhrase(burst.senders)
    return {
      title: mention ? mentionTitle(mention) : burstTitle(burst),
      body: from
        ? `${countPhrase(burst.count, noun)} from ${from}`
        : countPhrase(burst.count, noun),
    }
  }

  switch (subject.kind) {
    case 'message':
      return {
        title: mention
          ? mentionTitle(mention)
          : subject.conversation_title
            ? `${subject.sender_name} in ${subject.conversation_title}`
            : subject.sender_name,
        body: full ? fit(subject.text) : 'New message',
      }
    case 'email':
      return {
        title: subject.from ?? 'New email',
        body: full && subject.subject ? fit(subject.subject) : 'New email',
      }
    case 'system':
      return { title: subject.title, body: full ? fit(subject.body) : 'New notification' }
    case 'account_disconnected':
      return {
        title: 'Account disconnected',
        body: subject.account
          ? `${subject.account} was disconnected${full && subject.reason ? `: ${subject.reason}` : ''}`
          : 'An account was disconnected',
      }
  }
}

/** "Jane mentioned you in Launch plan"; a direct conversation has no name of its own. */
function mentionTitle(subject: Extract<NotificationSubject, { kind: 'message' }>): string {
  const mentioned = `${subject.sender_name} mentioned you`
  return subject.conversation_title ? `${mentioned} in ${subject.conversation_title}` : mentioned
}

/** Title of a multi-item burst: the conversation when it has a name, else the sender(s). */
function burstTitle(burst: NotificationBurst): string {
  const subject = burst.latest
  if (subject.kind === 'message') {
    if (subject.conversation_title) return subject.conversation_title
    return burst.senders.length === 1 ? subject.sender_name : APP_NAME
  }
  if (subject.kind === 'email')
    return burst.senders.length === 1 ? (subject.from ?? 'New email') : 'New email'
  if (subject.kind === 'system') return APP_NAME
  return 'Account disconnected'
}

type Noun = { one: string; many: string }

function nounFor(subject: NotificationSubject): Noun {
  switch (subject.kind) {
    case 'message':
      return { one: 'message', many: 'messages' }
    case 'email':
      return { one: 'email', many: 'emails' }
    case 'system':
      return { one: 'notification', many: 'notifications' }
    case 'account_disconnected':
      return { one: 'alert', many: 'alerts' }
  }
}

function countPhrase(count: number, noun: Noun): string {
  return count === 1 ? `New ${noun.one}` : `${count} new ${noun.many}`
}

/** "Jane", "Jane and Bob", "Jane, Bob and 2 others". */
function sendersPhrase(senders: string[]): string | null {
  const [first, second] = senders
  if (first === undefined) return null
  if (second === undefined) return first
  if (senders.length === 2) return `${first} and ${second}`
  const others = senders.length - 2
  return `${first}, ${second} and ${others} ${others === 1 ? 'other' : 'others'}`
}
