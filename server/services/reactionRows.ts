import type { Message, Reaction } from '../../src/shared/models'
import type { Database } from '../db/database'

interface ReactionRow {
  message_id: number
  user_id: number
  emoji: string
}

/**
 * Reads the reactions of many messages in one query (a page of history, of search results, the
 * last messages of a conversation list): never one query per message.
 */
export class ReactionReader {
  private readonly ofMessages

  constructor(db: Database) {
    // The ids come as one JSON array, so one prepared statement serves pages of any size.
    this.ofMessages = db.sqlite.prepare<[string], ReactionRow>(
      `select message_id, user_id, emoji from message_reactions
       where message_id in (select value from json_each(?))
       order by created_at, user_id`,
    )
  }

  /** Sets `reactions` on those of `messages` that have any (and removes a stale one otherwise). */
  attach<T extends Message>(messages: T[]): T[] {
    const live = messages.filter((message) => !message.deleted_at)
    for (const message of messages) delete message.reactions
    if (live.length === 0) return messages
    const byMessage = new Map<number, Map<string, Reaction>>()
    for (const row of this.ofMessages.all(JSON.stringify(live.map((m) => m.id)))) {
      let emojis = byMessage.get(row.message_id)
      if (!emojis) byMessage.set(row.message_id, (emojis = new Map()))
      // Rows come oldest first: an emoji's place is that of its oldest standing reaction.
      const reaction = emojis.get(row.emoji)
      if (reaction) reaction.user_ids.push(row.user_id)
      else emojis.set(row.emoji, { emoji: row.emoji, user_ids: [row.user_id] })
    }
    for (const message of live) {
      const emojis = byMessage.get(message.id)
      if (emojis) message.reactions = [...emojis.values()]
    }
    return messages
  }
}
