import { systemClock, type Clock, type TimerHandle } from './clock'
import type { NotificationSubject } from './notificationPolicy'
import { subjectSender, type NotificationBurst } from './notificationText'

export const DEFAULT_COALESCE_WINDOW_MS = 1_500

export interface CoalescerOptions {
  /** Receives one burst per tag and window. */
  emit(burst: NotificationBurst): void
  windowMs?: number
  clock?: Clock
}

/**
 * Turns a burst of notifications with the same tag into one. The first subject of a tag opens a
 * window; everything with that tag until the window closes joins it, and one notification
 * ("3 new messages from Jane") is emitted when it closes. A reconnect that replays fifty missed
 * messages thus raises one notification per conversation instead of fifty.
 */
export class NotificationCoalescer {
  private readonly options: CoalescerOptions
  private readonly clock: Clock
  private readonly windowMs: number
  private readonly open = new Map<
    string,
    { burst: NotificationBurst; timer: TimerHandle; messageIds: Set<number> }
  >()

  constructor(options: CoalescerOptions) {
    this.options = options
    this.clock = options.clock ?? systemClock
    this.windowMs = options.windowMs ?? DEFAULT_COALESCE_WINDOW_MS
  }

  add(tag: string, subject: NotificationSubject): void {
    const sender = subjectSender(subject)
    const messageId = subjectMessageId(subject)
    const existing = this.open.get(tag)
    if (existing) {
      const { burst, messageIds } = existing
      if (messageId !== null && messageIds.has(messageId)) {
        // An imported email arrives twice (email_received and message_received): count it once,
        // and keep the email's own words (its subject line) when they are the newer subject.
        if (subject.kind === 'email' && subjectMessageId(burst.latest) === messageId) {
          burst.latest = subject
        }
        return
      }
      if (messageId !== null) messageIds.add(messageId)
      burst.latest = subject
      burst.count += 1
      if (sender !== null && !burst.senders.includes(sender)) burst.senders.push(sender)
      return
    }
    const burst: NotificationBurst = {
      tag,
      latest: subject,
      count: 1,
      senders: sender === null ? [] : [sender],
    }
    const timer = this.clock.setTimeout(() => this.flush(tag), this.windowMs)
    const messageIds = new Set<number>(messageId === null ? [] : [messageId])
    this.open.set(tag, { burst, timer, messageIds })
  }

  /** Drops a pending burst, e.g. because the user just opened that conversation. */
  discard(tag: string): void {
    const entry = this.open.get(tag)
    if (!entry) return
    this.clock.clearTimeout(entry.timer)
    this.open.delete(tag)
  }

  /** Drops every pending burst (sign-out, quit). */
  clear(): void {
    for (const tag of [...this.open.keys()]) this.discard(tag)
  }

  get pendingTags(): string[] {
    return [...this.open.keys()]
  }

  private flush(tag: string): void {
    const entry = this.open.get(tag)
    if (!entry) return
    this.open.delete(tag)
    this.options.emit(entry.burst)
  }
}

function subjectMessageId(subject: NotificationSubject): number | null {
  return subject.kind === 'message' || subject.kind === 'email' ? subject.message_id : null
}
