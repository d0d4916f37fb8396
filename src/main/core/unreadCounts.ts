import type { Conversation, Message } from '../../shared/models'

interface ConversationUnread {
  /** The server's unread_count at the last REST load. */
  base: number
  /** Newest message id the base already accounts for. */
  baseLastMessageId: number
  /** Messages from others that arrived as events after the load and are not read yet. */
  live: Set<number>
}

/**
 * The unread total for the dock badge. The server's counts from REST are the starting point;
 * events move them between loads. Messages the REST load already counted are recognized by id,
 * so events replayed after a restart (which predate the load) are not counted twice.
 */
export class UnreadCounts {
  private readonly conversations = new Map<number, ConversationUnread>()

  /** Replaces everything with a fresh REST listing. */
  load(conversations: Conversation[]): void {
    const previous = new Map(this.conversations)
    this.conversations.clear()
    for (const conversation of conversations) {
      this.conversations.set(conversation.id, counted(conversation, previous.get(conversation.id)))
    }
  }

  /**
   * One conversation as the server counts it now, after a change only the server can count (see
   * messageDeleted and readUpTo). Ignored once the user left the conversation.
   */
  reloadConversation(conversation: Conversation): void {
    const current = this.conversations.get(conversation.id)
    if (current) this.conversations.set(conversation.id, counted(conversation, current))
  }

  /** A conversation the user just joined or created (its events carry unread_count 0). */
  addConversation(conversation: Conversation): void {
    if (this.conversations.has(conversation.id)) return
    this.conversations.set(conversation.id, {
      base: conversation.unread_count,
      baseLastMessageId: conversation.last_message?.id ?? 0,
      live: new Set(),
    })
  }

  removeConversation(conversationId: number): void {
    this.conversations.delete(conversationId)
  }

  /** A message from someone else arrived. */
  messageReceived(message: Message): void {
    const entry = this.entry(message.conversation_id)
    if (message.id <= entry.baseLastMessageId) return
    entry.live.add(message.id)
  }

  /**
   * A message was deleted. Returns true when the loaded count may include it: whether it was
   * counted (unread and from someone else) only the server knows, so the caller re-fetches the
   * conversation's count. Lowering the count here would be wrong for a message already read or the
   * user's own, and twice wrong for a deletion replayed after a restart.
   */
  messageDeleted(conversationId: number, messageId: number): boolean {
    const entry = this.conversations.get(conversationId)
    if (!entry || entry.live.delete(messageId)) return false
    return messageId <= entry.baseLastMessageId && entry.base > 0
  }

  /**
   * The user read everything up to `upToMessageId` (on any of their devices). Returns true when the
   * read ends inside the loaded count: how many of its messages are left unread only the server
   * knows (the load has a count, not their ids), so the caller re-fetches the conversation's count.
   */
  readUpTo(conversationId: number, upToMessageId: number): boolean {
    const entry = this.conversations.get(conversationId)
    if (!entry) return false
    for (const id of entry.live) if (id <= upToMessageId) entry.live.delete(id)
    if (upToMessageId >= entry.baseLastMessageId) {
      entry.base = 0
      return false
    }
    return entry.base > 0
  }

  /**
   * Whether a received message still counts as unread: false once the user read up to it on any
   * device. Messages older than the loaded state count as unread while the conversation has any.
   */
  isUnread(conversationId: number, messageId: number): boolean {
    const entry = this.conversations.get(conversationId)
    if (!entry) return false
    if (entry.live.has(messageId)) return true
    return messageId <= entry.baseLastMessageId && entry.base > 0
  }

  of(conversationId: number): number {
    const entry = this.conversations.get(conversationId)
    return entry ? entry.base + entry.live.size : 0
  }

  total(): number {
    let sum = 0
    for (const entry of this.conversations.values()) sum += entry.base + entry.live.size
    return sum
  }

  clear(): void {
    this.conversations.clear()
  }

  private entry(conversationId: number): ConversationUnread {
    let entry = this.conversations.get(conversationId)
    if (!entry) {
      entry = { base: 0, baseLastMessageId: 0, live: new Set() }
      this.conversations.set(conversationId, entry)
    }
    return entry
  }
}

/** A conversation as the server counted it; live messages the count already includes are dropped. */
function counted(conversation: Conversation, previous?: ConversationUnread): ConversationUnread {
  const baseLastMessageId = conversation.last_message?.id ?? 0
  return {
    base: conversation.unread_count,
    baseLastMessageId,
    live: new Set([...(previous?.live ?? [])].filter((id) => id > baseLastMessageId)),
  }
}
