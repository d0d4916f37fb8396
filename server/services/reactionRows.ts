import type { Message, Reaction } from '../../src/shared/models'
import type { Queryable } from '../storage/database'
import { idList, sqlWithIdList } from '../storage/idList'

interface ReactionRow {
  message_id: number
  user_id: number
  emoji: string
}

/** The reactions of a list of messages, oldest first. */
const OF_MESSAGES = sqlWithIdList(
  `select message_id, user_id, emoji from message_reactions
   where message_id in (:ids)
   order by created_at, user_id`,
)

/**
 * Sets `reactions` on those of `messages` that have any (and removes a stale one otherwise), in
 * one query for all of them (a page of history, of search results, the last messages of a
 * conversation list): never one query per message.
 */
export async function attachReactions<T extends Message>(
  db: Queryable,
  messages: T[],
): Promise<T[]> {
  const live = messages.filter((message) => !message.deleted_at)
  for (const message of messages) delete message.reactions
  if (live.length === 0) return messages
  const rows = await db.allRaw<ReactionRow>(OF_MESSAGES, [
    idList(
      db,
      live.map((m) => m.id),
    ),
  ])
  const byMessage = new Map<number, Map<string, Reaction>>()
  for (const row of rows) {
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
