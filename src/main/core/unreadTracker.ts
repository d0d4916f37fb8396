import type { Conversation, Message } from '../../shared/models'
import type { CoreOutputs } from './coreHost'
import { ApiRequestError, type RestClient } from './restClient'
import { UnreadCounts } from './unreadCounts'

export interface UnreadTrackerOptions {
  rest: RestClient
  outputs: CoreOutputs
  isStopped(): boolean
  isSignedIn(): boolean
  /** A recount was answered 401: the token was revoked. */
  onUnauthorized(): void
  /** A recount failed otherwise (offline, no longer a member): reload every count when connected. */
  onRecountFailed(): void
}

/**
 * The unread total of the dock badge and tray (`CoreOutputs.unreadCount`, sent when it changes):
 * the counts (UnreadCounts) moved by events, and the conversations whose count only the server
 * can give after a read or a deletion, asked for one request at a time.
 */
export class UnreadTracker {
  private readonly counts = new UnreadCounts()
  private lastTotal: number | null = null
  /**
   * Conversations whose unread count is being re-fetched, with whether the count changed after
   * that request was sent.
   */
  private readonly recounts = new Map<number, boolean>()
  /** Bumped when the session's counts are forgotten: answers asked for before are dropped. */
  private generation = 0

  constructor(private readonly options: UnreadTrackerOptions) {}

  /** A fresh REST listing of the conversations (sign-in, a resync). */
  load(conversations: Conversation[]): void {
    this.counts.load(conversations)
    this.publish()
  }

  addConversation(conversation: Conversation): void {
    this.counts.addConversation(conversation)
  }

  /** Left or removed: its unread messages no longer count. */
  removeConversation(conversationId: number): void {
    this.counts.removeConversation(conversationId)
    this.publish()
  }

  messageReceived(message: Message): void {
    this.counts.messageReceived(message)
    this.publish()
  }

  /** The user read the conversation up to a message, on this or another device. */
  readUpTo(conversationId: number, upToMessageId: number): void {
    this.changed(conversationId, this.counts.readUpTo(conversationId, upToMessageId))
  }

  messageDeleted(conversationId: number, messageId: number): void {
    this.changed(conversationId, this.counts.messageDeleted(conversationId, messageId))
  }

  /** Whether a received message still counts as unread (see UnreadCounts.isUnread). */
  isUnread(conversationId: number, messageId: number): boolean {
    return this.counts.isUnread(conversationId, messageId)
  }

  /** The session ended: nothing is unread, and answers asked for before are dropped. */
  clear(): void {
    this.generation += 1
    this.recounts.clear()
    this.counts.clear()
    this.publish()
  }

  /** Sends the total when it changed since it was last sent. */
  publish(): void {
    const total = this.counts.total()
    if (total === this.lastTotal) return
    this.lastTotal = total
    this.options.outputs.unreadCount(total)
  }

  /**
   * After a read or a deletion: re-fetches the conversation's count when only the server can count
   * the change, and also while a re-fetch is under way, whose answer may predate this change.
   */
  private changed(conversationId: number, needsServerCount: boolean): void {
    if (needsServerCount || this.recounts.has(conversationId)) this.recount(conversationId)
    this.publish()
  }

  /**
   * Loads one conversation's unread count. One request at a time per conversation: a change while
   * one is under way only marks it stale, and a stale answer (it may predate the change) is not
   * applied but asked again, once however many changes came. A resume that replays many deletions
   * or reads in one conversation thus costs two requests, not one per event.
   */
  private recount(conversationId: number): void {
    if (!this.options.isSignedIn()) return
    if (this.recounts.has(conversationId)) {
      this.recounts.set(conversationId, true)
      return
    }
    this.recounts.set(conversationId, false)
    const generation = this.generation
    /** Ends this request; true when its answer still stands (not signed out, nothing changed). */
    const settle = (): boolean => {
      if (generation !== this.generation || this.options.isStopped()) return false
      const stale = this.recounts.get(conversationId) === true
      this.recounts.delete(conversationId)
      if (stale) this.recount(conversationId)
      return !stale
    }
    this.options.rest.conversation(conversationId).then(
      (conversation) => {
        if (!settle()) return
        this.counts.reloadConversation(conversation)
        this.publish()
      },
      (error: unknown) => {
        if (!settle()) return
        if (error instanceof ApiRequestError && error.status === 401) this.options.onUnauthorized()
        // Offline, or no longer a member: the next connection loads every count afresh.
        else this.options.onRecountFailed()
      },
    )
  }
}
