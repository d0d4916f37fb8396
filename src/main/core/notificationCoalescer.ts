import { systemClock, type Clock, type TimerHandle } from './clock'
import { mentionsMe, type NotificationSubject } from '../../shared/notificationPolicy'
import { subjectSender, type NotificationBurst } from '../../shared/notificationText'

export const DEFAULT_COALESCE_WINDOW_MS = 1_500

export interface CoalescerOptions {
  /** Receives one burst per tag and window. */
  emit(burst: NotificationBurst): void
  /**
   * Whether a subject is still news when its window closes (e.g. not read on another device
   * meanwhile). A burst is shown with only those, and not at all when none is left.
   */
  stillNews?(subject: NotificationSubject): boolean
  windowMs?: number
  clock?: Clock
}

/**
 * Turns a burst of notifications with the same tag into one. The first subject of a tag opens a
 * window; everything with that tag until the window closes joins it, and one notification
 * ("3 new messages from Jane") is emitted when it closes. A reconnect that replays fifty missed
 * messages thus raises one notification per conversation instead of fifty. The burst is counted
 * when it is shown, from the subjects it still holds: a message deleted meanwhile leaves it, and
 * an edited one shows its new words.
 */
export class NotificationCoalescer {
  private readonly options: CoalescerOptions
  private readonly clock: Clock
  private readonly windowMs: number
  /** The subjects of each gathering burst, oldest first. */
  private readonly open = new Map<string, { subjects: NotificationSubject[]; timer: TimerHandle }>()

  constructor(options: CoalescerOptions) {
    this.options = options
    this.clock = options.clock ?? systemClock
    this.windowMs = options.windowMs ?? DEFAULT_COALESCE_WINDOW_MS
  }

  add(tag: string, subject: NotificationSubject): void {
    const existing = this.open.get(tag)
    if (!existing) {
      const timer = this.clock.setTimeout(() => this.flush(tag), this.windowMs)
      this.open.set(tag, { subjects: [subject], timer })
      return
    }
    const { subjects } = existing
    const messageId = subjectMessageId(subject)
    const index =
      messageId === null ? -1 : subjects.findIndex((s) => subjectMessageId(s) === messageId)
    if (index === -1) {
      subjects.push(subject)
      return
    }
    // An imported email arrives twice (email_received and message_received): count it once, and
    // keep the email's own words (its subject line) when they are the newer subject.
    if (subject.kind === 'email' && index === subjects.length - 1) subjects[index] = subject
  }

  /** A message deleted before its burst is shown is no news; a burst left empty is dropped. */
  messageDeleted(messageId: number): void {
    for (const [tag, entry] of this.open) {
      entry.subjects = entry.subjects.filter((s) => subjectMessageId(s) !== messageId)
      if (entry.subjects.length === 0) this.discard(tag)
    }
  }

  /** A message edited before its burst is shown: the notification shows its words as they are. */
  messageEdited(messageId: number, text: string): void {
    for (const entry of this.open.values()) {
      entry.subjects = entry.subjects.map((s) =>
        s.kind === 'message' && s.message_id === messageId ? { ...s, text } : s,
      )
    }
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
    const { stillNews } = this.options
    const subjects = stillNews ? entry.subjects.filter((s) => stillNews(s)) : entry.subjects
    if (subjects.length > 0) this.options.emit(burstOf(tag, subjects))
  }
}

/**
 * The burst of a tag's subjects (oldest first, at least one): the newest, a count, the senders,
 * and the newest that mentions the user.
 */
function burstOf(tag: string, subjects: NotificationSubject[]): NotificationBurst {
  const senders: string[] = []
  for (const subject of subjects) {
    const sender = subjectSender(subject)
    if (sender !== null && !senders.includes(sender)) senders.push(sender)
  }
  const mention = subjects.findLast(mentionsMe) ?? null
  return { tag, latest: subjects[subjects.length - 1]!, count: subjects.length, senders, mention }
}

function subjectMessageId(subject: NotificationSubject): number | null {
  return subject.kind === 'message' || subject.kind === 'email' ? subject.message_id : null
}
