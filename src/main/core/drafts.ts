import type { Draft } from '../../shared/ipc'
import type { Clock, TimerHandle } from './clock'
import type { LocalStore } from './localStore'

/**
 * Drafts kept per account. Far more than anyone leaves unsent, yet a bound: the renderer is less
 * trusted than main, and each draft may hold a whole message (`Limits.maxMessageChars`).
 */
export const MAX_DRAFTS_PER_ACCOUNT = 500

/** How long after a change (the first one not written yet) drafts go to disk, unless flushed. */
export const DRAFT_WRITE_DELAY_MS = 1_000

/**
 * One signed-in account's composer drafts. The renderer hands over every change at once, and
 * they are held here: a page that is closing or reloading cannot be relied on to get a last call
 * through (its frame is gone by the time main would answer), so the latest text must already be
 * in main. Disk is written a moment after a change (at most once per DRAFT_WRITE_DELAY_MS while
 * typing goes on), when the user switches conversations, and when the session ends or the app
 * quits (`close`), so typing does not write the local store on every keystroke. Forgotten with
 * the session on sign-out: the next person at this machine must not read them.
 */
export class Drafts {
  /** Conversation id → text, least recently changed first (a Map keeps insertion order). */
  private readonly texts = new Map<number, string>()
  /** Conversations changed (or deleted) since the last write. */
  private readonly unwritten = new Set<number>()
  private timer: TimerHandle | null = null

  constructor(
    private readonly store: LocalStore,
    private readonly account: string,
    private readonly clock: Clock,
    private readonly writeDelayMs = DRAFT_WRITE_DELAY_MS,
  ) {
    for (const draft of store.listDrafts(account)) {
      this.texts.set(draft.conversation_id, draft.text)
    }
  }

  /** Most recently changed first. */
  list(): Draft[] {
    return [...this.texts].reverse().map(([conversation_id, text]) => ({ conversation_id, text }))
  }

  /** Keeps the text; blank text (what an emptied composer leaves) deletes the draft. */
  set(conversationId: number, text: string): void {
    if (text.trim() === '') {
      this.delete(conversationId)
      return
    }
    this.texts.delete(conversationId)
    this.texts.set(conversationId, text)
    this.changed(conversationId)
    for (const oldest of this.texts.keys()) {
      if (this.texts.size <= MAX_DRAFTS_PER_ACCOUNT) break
      this.texts.delete(oldest)
      this.changed(oldest)
    }
  }

  delete(conversationId: number): void {
    if (!this.texts.delete(conversationId)) return
    this.changed(conversationId)
  }

  /** Writes what changed since the last write, now. */
  flush(): void {
    this.clock.clearTimeout(this.timer)
    this.timer = null
    if (this.unwritten.size === 0) return
    // In the order they were last changed, so a restart lists them in the same order.
    const changes = [...this.unwritten].map((id) => ({
      conversation_id: id,
      text: this.texts.get(id),
    }))
    const order = [...this.texts.keys()]
    changes.sort((a, b) => order.indexOf(a.conversation_id) - order.indexOf(b.conversation_id))
    this.unwritten.clear()
    this.store.writeDrafts(this.account, changes)
  }

  /** Sign-out: every draft of the account goes, from memory and from disk, at once. */
  clear(): void {
    this.clock.clearTimeout(this.timer)
    this.timer = null
    this.texts.clear()
    this.unwritten.clear()
    this.store.clearDrafts(this.account)
  }

  /** The session ends (another sign-in, app quit): nothing typed is left unwritten. */
  close(): void {
    this.flush()
  }

  private changed(conversationId: number): void {
    this.unwritten.add(conversationId)
    if (this.timer === null) {
      this.timer = this.clock.setTimeout(() => {
        this.timer = null
        this.flush()
      }, this.writeDelayMs)
    }
  }
}
