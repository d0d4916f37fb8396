import { defineMessages } from './i18n/defineMessages'
import type { Translator } from './i18n/translator'
import type { NotificationSubject } from './notificationPolicy'
import type { NotificationPrivacy } from './preferences'

/**
 * The one wording of news, for main's native notifications and the renderer's in-app toasts.
 * Everything respects the privacy preference: 'full' shows who and what, 'sender_only' shows who
 * but not what, 'hidden' shows neither (a notification can be read over the user's shoulder or on
 * a locked screen): the title is then the app's name and the body only says what kind of news
 * came, "New message" or "3 new messages". Worded in the interface's language (`translator`).
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

const messages = defineMessages({
  messageIn: {
    id: 'notification.title.messageIn',
    defaultMessage: '{sender} in {conversation}',
    description: 'Title of a notification of a message in a named conversation',
  },
  mentioned: {
    id: 'notification.title.mentioned',
    defaultMessage: '{sender} mentioned you',
    description: 'Title of a notification of a message that @mentions the user (direct)',
  },
  mentionedIn: {
    id: 'notification.title.mentionedIn',
    defaultMessage: '{sender} mentioned you in {conversation}',
    description: 'Title of a notification of a message that @mentions the user in a group',
  },
  newMessage: { id: 'notification.body.newMessage', defaultMessage: 'New message' },
  newEmail: { id: 'notification.newEmail', defaultMessage: 'New email' },
  newNotification: { id: 'notification.body.newNotification', defaultMessage: 'New notification' },
  accountDisconnected: {
    id: 'notification.title.accountDisconnected',
    defaultMessage: 'Account disconnected',
  },
  accountWasDisconnected: {
    id: 'notification.body.accountWasDisconnected',
    defaultMessage: '{account} was disconnected',
  },
  accountWasDisconnectedBecause: {
    id: 'notification.body.accountWasDisconnectedBecause',
    defaultMessage: '{account} was disconnected: {reason}',
    description: 'reason: what the mail server answered, in its own words',
  },
  anAccountWasDisconnected: {
    id: 'notification.body.anAccountWasDisconnected',
    defaultMessage: 'An account was disconnected',
  },
  messages: {
    id: 'notification.count.messages',
    defaultMessage: '{count, plural, one {New message} other {# new messages}}',
  },
  emails: {
    id: 'notification.count.emails',
    defaultMessage: '{count, plural, one {New email} other {# new emails}}',
  },
  notifications: {
    id: 'notification.count.notifications',
    defaultMessage: '{count, plural, one {New notification} other {# new notifications}}',
  },
  alerts: {
    id: 'notification.count.alerts',
    defaultMessage: '{count, plural, one {New alert} other {# new alerts}}',
  },
  messagesFrom: {
    id: 'notification.countFrom.messages',
    defaultMessage:
      '{count, plural, one {New message from {senders}} other {# new messages from {senders}}}',
  },
  emailsFrom: {
    id: 'notification.countFrom.emails',
    defaultMessage:
      '{count, plural, one {New email from {senders}} other {# new emails from {senders}}}',
  },
  twoSenders: {
    id: 'notification.senders.two',
    defaultMessage: '{first} and {second}',
  },
  moreSenders: {
    id: 'notification.senders.more',
    defaultMessage: '{first}, {second} and {others, plural, one {# other} other {# others}}',
  },
})

/**
 * The title and body of a burst. `fit` shapes the text the sender wrote (a message, an email's
 * subject, a notice's body) for where it shows: main keeps a native notification to one short
 * line; a toast shows it as written (its box clamps it).
 */
export function notificationWords(
  burst: NotificationBurst,
  privacy: NotificationPrivacy,
  translator: Translator,
  fit: (text: string) => string = (text) => text,
): NotificationWords {
  const { t } = translator
  const subject = burst.latest
  const count = { count: burst.count }
  if (privacy === 'hidden') return { title: APP_NAME, body: t(COUNTS[subject.kind], count) }
  const full = privacy === 'full'

  // Being called by name is what the user most needs to see, whatever else the burst holds.
  const mention = burst.mention?.kind === 'message' ? burst.mention : null
  if (burst.count > 1) {
    const senders = sendersPhrase(burst.senders, translator)
    const from = subject.kind === 'message' ? messages.messagesFrom : messages.emailsFrom
    return {
      title: mention ? mentionTitle(mention, translator) : burstTitle(burst, translator),
      body:
        senders && (subject.kind === 'message' || subject.kind === 'email')
          ? t(from, { ...count, senders })
          : t(COUNTS[subject.kind], count),
    }
  }

  switch (subject.kind) {
    case 'message':
      return {
        title: mention
          ? mentionTitle(mention, translator)
          : subject.conversation_title
            ? t(messages.messageIn, {
                sender: subject.sender_name,
                conversation: subject.conversation_title,
              })
            : subject.sender_name,
        body: full ? fit(subject.text) : t(messages.newMessage),
      }
    case 'email':
      return {
        title: subject.from ?? t(messages.newEmail),
        body: full && subject.subject ? fit(subject.subject) : t(messages.newEmail),
      }
    case 'system':
      return { title: subject.title, body: full ? fit(subject.body) : t(messages.newNotification) }
    case 'account_disconnected':
      return {
        title: t(messages.accountDisconnected),
        body: subject.account
          ? full && subject.reason
            ? t(messages.accountWasDisconnectedBecause, {
                account: subject.account,
                reason: subject.reason,
              })
            : t(messages.accountWasDisconnected, { account: subject.account })
          : t(messages.anAccountWasDisconnected),
      }
  }
}

/** "Jane mentioned you in Launch plan"; a direct conversation has no name of its own. */
function mentionTitle(
  subject: Extract<NotificationSubject, { kind: 'message' }>,
  { t }: Translator,
): string {
  return subject.conversation_title
    ? t(messages.mentionedIn, {
        sender: subject.sender_name,
        conversation: subject.conversation_title,
      })
    : t(messages.mentioned, { sender: subject.sender_name })
}

/** Title of a multi-item burst: the conversation when it has a name, else the sender(s). */
function burstTitle(burst: NotificationBurst, { t }: Translator): string {
  const subject = burst.latest
  if (subject.kind === 'message') {
    if (subject.conversation_title) return subject.conversation_title
    return burst.senders.length === 1 ? subject.sender_name : APP_NAME
  }
  if (subject.kind === 'email')
    return burst.senders.length === 1
      ? (subject.from ?? t(messages.newEmail))
      : t(messages.newEmail)
  if (subject.kind === 'system') return APP_NAME
  return t(messages.accountDisconnected)
}

/** "New message" / "3 new messages", per kind of news. */
const COUNTS = {
  message: messages.messages,
  email: messages.emails,
  system: messages.notifications,
  account_disconnected: messages.alerts,
} as const satisfies Record<NotificationSubject['kind'], unknown>

/** "Jane", "Jane and Bob", "Jane, Bob and 2 others". */
function sendersPhrase(senders: string[], { t }: Translator): string | null {
  const [first, second] = senders
  if (first === undefined) return null
  if (second === undefined) return first
  if (senders.length === 2) return t(messages.twoSenders, { first, second })
  return t(messages.moreSenders, { first, second, others: senders.length - 2 })
}
