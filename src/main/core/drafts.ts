import type { Draft } from '../../shared/ipc'
import type { Clock } from './clock'
import type { LocalStore } from './localStore'

/**
 * Drafts kept per account. Far more than anyone leaves unsent, yet a bound: the renderer is less
 * trusted than main, and each draft may hold a whole message (`Limits.maxMessageChars`).
 */
export const MAX_DRAFTS_PER_ACCOUNT = 500

/**
 * One signed-in account's composer drafts, in the local store so they survive a restart. The
 * renderer debounces its writes (a save per pause in typing, and on leaving a conversation or
 * closing the window), so each call here is one small SQLite write. Forgotten with the session on
 * sign-out: the next person at this machine must not read them.
 */
export class Drafts {
  constructor(
    private readonly store: LocalStore,
    private readonly account: string,
    private readonly clock: Clock,
  ) {}

  list(): Draft[] {
    return this.store.listDrafts(this.account)
  }

  /** Keeps the text; blank text (what an emptied composer leaves) deletes the draft. */
  set(conversationId: number, text: string): void {
    if (text.trim() === '') {
      this.store.deleteDraft(this.account, conversationId)
      return
    }
    this.store.setDraft(
      this.account,
      { conversation_id: conversationId, text },
      this.clock.now(),
      MAX_DRAFTS_PER_ACCOUNT,
    )
  }

  delete(conversationId: number): void {
    this.store.deleteDraft(this.account, conversationId)
  }

  clear(): void {
    this.store.clearDrafts(this.account)
  }
}
