import { DateTime } from 'luxon'
import type { AnyTidingsEvent } from './events'
import { plainText } from './markdown'
import { mentionsUser } from './mentions'
import type { DoNotDisturb, Preferences } from './preferences'
import { isThreadOnly } from './threads'
import { resolveZone } from './time'

/**
 * The one "is this news?" policy, for main's native notifications and the renderer's in-app
 * toasts alike: which events are worth the user's attention (notificationSubject), and what
 * silences one right now (suppressionReason). Free of Electron, the DOM and timers, so every rule
 * is tested on its own. Main runs the rules twice, when the event arrives and again when a
 * coalesced burst is shown, so a conversation opened (or do-not-disturb started) in between still
 * suppresses it; the renderer runs them once, when the message arrives. Whether a message is
 * still unread is each side's own knowledge (main's unread counts, the window's read markers).
 * The words shown are one wording too: notificationText.ts.
 */

/** What a notification is about, reduced to what the text needs. */
export type NotificationSubject =
  | {
      kind: 'message'
      message_id: number
      conversation_id: number
      conversation_title: string | null
      sender_name: string
      text: string
      timestamp: string
      /** The text @mentions the signed-in user: it is news even in a muted conversation. */
      mentions_me: boolean
      /**
       * The root of the thread the message replies in when it shows in that thread only (not
       * also in the channel); null otherwise.
       */
      thread_root_id: number | null
    }
  | {
      kind: 'system'
      event_id: number | null
      title: string
      body: string
      level: 'info' | 'warning' | 'critical'
      timestamp: string
    }
  | {
      kind: 'email'
      /** The imported message; the same mail may also arrive as message_received. */
      message_id: number
      conversation_id: number | null
      from: string | null
      subject: string | null
      timestamp: string
    }
  | {
      kind: 'account_disconnected'
      account: string | null
      reason: string | null
      timestamp: string
    }

export type SuppressionReason =
  'notifications_off' | 'do_not_disturb' | 'muted' | 'conversation_in_view'

/**
 * Where the news would show: a native notification (the OS's, over other apps and the lock
 * screen) or a toast inside the Tidings window. "Notifications off" and do-not-disturb are the
 * user's word about the OS's notifications, so they silence only those; a toast, seen only by
 * someone looking at the window, follows the rest: mutes (but for a mention) and the
 * conversation in view.
 */
export type NotificationSurface = 'native' | 'in_app'

export interface NotificationContext {
  preferences: Preferences
  /** The conversation the window shows (main hears it from conversations/focus), or null. */
  focusedConversationId: number | null
  /** The thread whose panel the window shows, or null (none, or not known). */
  focusedThreadRootId?: number | null
  /** Whether a Tidings window has OS focus. */
  windowFocused: boolean
  /** The organization timezone, in which the do-not-disturb schedule is read. */
  timezone: string
  now: number
}

/**
 * The subject of an event that is worth the user's attention, or null. New messages, emails,
 * accounts that lost their connection and system notices are; contact changes, connected or
 * removed accounts and the user's own activity are not; nor is a timezone change (it is applied, not announced).
 * A reply that shows in its thread only is news to those who follow the thread (its starter and
 * repliers, as `thread_follower_ids` says) and to those it mentions, as in Slack.
 * `myUsername` (the signed-in user's) tells which messages mention them, `myUserId` who follows.
 */
export function notificationSubject(
  event: AnyTidingsEvent,
  myUsername: string | null = null,
  myUserId: number | null = null,
): NotificationSubject | null {
  switch (event.type) {
    case 'message_received': {
      const { conversation_id, conversation_title, sender_name, message } = event.data
      if (message.deleted_at !== null) return null
      const mentions_me = myUsername !== null && mentionsUser(message.text, myUsername)
      const threadOnly = isThreadOnly(message)
      if (threadOnly && !mentions_me) {
        const followers = event.data.thread_follower_ids ?? []
        if (myUserId === null || !followers.includes(myUserId)) return null
      }
      return {
        kind: 'message',
        message_id: message.id,
        conversation_id,
        conversation_title,
        sender_name: sender_name || message.sender_name,
        // As the text reads, without its formatting's markers.
        text: plainText(message.text),
        timestamp: message.created_at || event.timestamp,
        mentions_me,
        thread_root_id: threadOnly ? (message.thread_root_id ?? null) : null,
      }
    }
    case 'system_notification':
      // A timezone change shows at once in every time on screen; a pop-up would mostly reach the
      // admin who just made it. Broadcasts are what admins send to get attention.
      if (event.data.kind === 'timezone_changed') return null
      return {
        kind: 'system',
        event_id: event.id,
        title: event.data.title,
        body: event.data.body,
        level: event.data.level,
        timestamp: event.timestamp,
      }
    case 'email_received':
      return {
        kind: 'email',
        message_id: event.data.message_id,
        conversation_id: event.data.conversation_id,
        from: event.data.from_name || event.data.from || null,
        subject: event.data.subject,
        timestamp: event.timestamp,
      }
    case 'account_disconnected':
      // Removed by its owner: they did it themselves, on this or another device.
      if (event.data.state === 'disconnected') return null
      return {
        kind: 'account_disconnected',
        account: event.data.display_name || event.data.platform || null,
        reason: event.data.reason,
        timestamp: event.timestamp,
      }
    default:
      return null
  }
}

/** Why a worthwhile subject must stay silent right now, or null when it may be shown. */
export function suppressionReason(
  subject: NotificationSubject,
  context: NotificationContext,
  surface: NotificationSurface = 'native',
): SuppressionReason | null {
  const { preferences } = context
  if (surface === 'native') {
    if (!preferences.notifications_enabled) return 'notifications_off'
    if (isDoNotDisturbActive(preferences.dnd, context.now, context.timezone)) {
      return 'do_not_disturb'
    }
  }
  const conversationId = subjectConversationId(subject)
  if (conversationId !== null) {
    // Muting silences a conversation's chatter, not a call for the user by name (as in Slack).
    if (preferences.muted_conversation_ids.includes(conversationId) && !mentionsMe(subject)) {
      return 'muted'
    }
    // The user is looking at it: the message appears in front of them already. A reply in a
    // thread only appears where that thread's panel is open.
    const threadRootId = subject.kind === 'message' ? subject.thread_root_id : null
    const inView =
      threadRootId === null
        ? context.focusedConversationId === conversationId
        : context.focusedThreadRootId === threadRootId
    if (context.windowFocused && inView) return 'conversation_in_view'
  }
  return null
}

export function mentionsMe(subject: NotificationSubject): boolean {
  return subject.kind === 'message' && subject.mentions_me
}

export function subjectConversationId(subject: NotificationSubject): number | null {
  return subject.kind === 'message' || subject.kind === 'email' ? subject.conversation_id : null
}

/**
 * Do-not-disturb at `now`. A schedule is read as wall-clock times in `timezone`; when its end is
 * earlier than its start it spans midnight (22:00-07:00). Equal start and end is an empty window.
 */
export function isDoNotDisturbActive(dnd: DoNotDisturb, now: number, timezone: string): boolean {
  switch (dnd.mode) {
    case 'off':
      return false
    case 'on':
      return true
    case 'until': {
      if (dnd.until === null) return false
      const until = Date.parse(dnd.until)
      return Number.isFinite(until) && now < until
    }
    case 'schedule': {
      const start = minutesOfDay(dnd.schedule_start)
      const end = minutesOfDay(dnd.schedule_end)
      if (start === null || end === null || start === end) return false
      const local = DateTime.fromMillis(now, { zone: resolveZone(timezone) })
      const minute = local.hour * 60 + local.minute
      return start < end ? minute >= start && minute < end : minute >= start || minute < end
    }
  }
}

/** 'HH:mm' → minutes since midnight, or null when malformed. */
export function minutesOfDay(value: string): number | null {
  const match = /^(\d{2}):(\d{2})$/.exec(value)
  if (!match) return null
  const hours = Number(match[1])
  const minutes = Number(match[2])
  if (hours > 23 || minutes > 59) return null
  return hours * 60 + minutes
}
