import type { AnyTidingsEvent } from '../../shared/events'
import {
  notificationSubject,
  suppressionReason,
  type NotificationContext,
  type NotificationSubject,
} from '../../shared/notificationPolicy'
import { notificationTag, type NotificationBurst } from '../../shared/notificationText'
import type { Translator } from '../../shared/i18n/translator'
import type { Preferences } from '../../shared/preferences'
import type { Clock } from './clock'
import type { CoreHost, CoreOutputs } from './coreHost'
import { composeNotification } from './nativeNotifications'
import { NotificationCoalescer } from './notificationCoalescer'

export interface NotificationCentreOptions {
  host: CoreHost
  outputs: CoreOutputs
  clock: Clock
  coalesceWindowMs?: number
  preferences(): Preferences
  /** The organization timezone (do-not-disturb schedules and the times shown are read in it). */
  timezone(): string
  /** The signed-in user's username (which messages mention them), null while signed out. */
  username(): string | null
  /** The signed-in user's id (which threads they follow), null while signed out. */
  userId(): number | null
  /** Whether a received message is still unread (not read on another device meanwhile). */
  isUnread(conversationId: number, messageId: number): boolean
  /** False once signed out or quitting: a burst still gathering is then dropped. */
  isActive(): boolean
  /** The interface's language as it is when a burst is shown. */
  translator(): Translator
}

/**
 * Native notifications: each stream event that is news (src/shared/notificationPolicy.ts) and
 * not silenced joins its conversation's burst (NotificationCoalescer); when the burst is shown
 * the rules are read again, the burst counted from what is still unread, and the words are the
 * shared ones (nativeNotifications.ts). Knows the conversation the window shows.
 */
export class NotificationCentre {
  private readonly coalescer: NotificationCoalescer
  private focusedConversationId: number | null = null
  private focusedThreadRootId: number | null = null

  constructor(private readonly options: NotificationCentreOptions) {
    this.coalescer = new NotificationCoalescer({
      emit: (burst) => this.show(burst),
      stillNews: (subject) => this.stillUnread(subject),
      windowMs: options.coalesceWindowMs,
      clock: options.clock,
    })
  }

  /** An event that arrived while the app was open: a burst gathers for it unless silenced. */
  consider(event: AnyTidingsEvent): void {
    const subject = notificationSubject(event, this.options.username(), this.options.userId())
    if (!subject) return
    if (suppressionReason(subject, this.context()) !== null) return
    this.coalescer.add(notificationTag(subject), subject)
  }

  /**
   * The window shows this conversation now (null: none), and the panel of this thread of it
   * (null: none); a burst about the conversation is no news.
   */
  focus(conversationId: number | null, threadRootId: number | null = null): void {
    this.focusedConversationId = conversationId
    this.focusedThreadRootId = conversationId === null ? null : threadRootId
    if (conversationId !== null) this.coalescer.discard(`conversation:${conversationId}`)
  }

  /** A message edited before its burst is shown: the notification shows its words as they are. */
  messageEdited(messageId: number, text: string): void {
    this.coalescer.messageEdited(messageId, text)
  }

  /** A message deleted before its burst is shown is no news. */
  messageDeleted(messageId: number): void {
    this.coalescer.messageDeleted(messageId)
  }

  /** Drops every burst and the focus (sign-out, quit). */
  reset(): void {
    this.coalescer.clear()
    this.focusedConversationId = null
    this.focusedThreadRootId = null
  }

  private context(): NotificationContext {
    return {
      preferences: this.options.preferences(),
      focusedConversationId: this.focusedConversationId,
      focusedThreadRootId: this.focusedThreadRootId,
      windowFocused: this.options.host.isWindowFocused(),
      timezone: this.options.timezone(),
      now: this.options.clock.now(),
    }
  }

  /**
   * Whether a gathered message still deserves its notification: not if it was read on another
   * device meanwhile (its receipt arrived while the burst gathered, as after a resume, when the
   * missed messages and the user's own read receipts are replayed together).
   */
  private stillUnread(subject: NotificationSubject): boolean {
    // A reply in a thread only is not among the conversation's unread messages (the Threads view
    // counts it): it stays news.
    return (
      subject.kind !== 'message' ||
      subject.thread_root_id !== null ||
      this.options.isUnread(subject.conversation_id, subject.message_id)
    )
  }

  private show(burst: NotificationBurst): void {
    if (!this.options.isActive()) return
    // Read everything again: the user may have opened the conversation or changed settings (or
    // the organization timezone) while the burst was gathering. A mention in the burst stands
    // for it: a mute silences the rest, not the message that names the user.
    const subject = burst.mention ?? burst.latest
    if (suppressionReason(subject, this.context()) !== null) return
    const preferences = this.options.preferences()
    this.options.outputs.notify(
      composeNotification(burst, {
        privacy: preferences.notification_privacy,
        clock: preferences.clock,
        timezone: this.options.timezone(),
        sound: preferences.notification_sound,
        translator: this.options.translator(),
      }),
    )
  }
}
