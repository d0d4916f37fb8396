import { create } from 'zustand'
import { Limits } from '../../../shared/limits'
import type { Message, ReplyPreview } from '../../../shared/models'

/** The message the composer of one conversation is replying to, until sent or cancelled. */
export interface ReplyDraft {
  conversationId: number
  quote: ReplyPreview
}

interface RepliesStore {
  draft: ReplyDraft | null
  /** Replies to `message` from its conversation's composer (one draft at a time). */
  start(message: Message): void
  cancel(): void
}

export const useReplies = create<RepliesStore>()((set) => ({
  draft: null,
  start: (message) =>
    set({ draft: { conversationId: message.conversation_id, quote: quoteOf(message) } }),
  cancel: () => set({ draft: null }),
}))

/** The quote of a loaded message, as the server would build it (ReplyPreview). */
export function quoteOf(message: Message): ReplyPreview {
  const deleted = message.deleted_at !== null
  return {
    id: message.id,
    sender_id: message.sender_id,
    sender_name: message.external_sender?.name || message.sender_name,
    text: deleted ? '' : message.text.slice(0, Limits.replyPreviewChars),
    deleted,
  }
}

/**
 * The quote a reply shows. The original's copy in the loaded thread is preferred when there is
 * one: it follows edits and deletions live, while the quote the server sent with the reply stays
 * as it was then (the server does not re-send replies when their original changes).
 * `findLoaded` looks an id up in the thread; null when neither knows the original.
 */
export function currentQuote(
  replyToId: number | null,
  sent: ReplyPreview | null | undefined,
  findLoaded: (id: number) => Message | undefined,
): ReplyPreview | null {
  if (replyToId === null) return null
  const loaded = findLoaded(replyToId)
  if (loaded) return quoteOf(loaded)
  return sent ?? null
}
