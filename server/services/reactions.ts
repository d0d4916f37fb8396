import type { Message } from '../../src/shared/models'
import { reactionEmojiProblem } from '../../src/shared/reactions'
import { nowIso } from '../clock'
import type { Database } from '../db/database'
import { badRequest, conflict, notFound } from '../http/httpError'
import type { EventSink } from '../realtime/eventLog'
import type { Conversations } from './conversations'
import type { Messages } from './messages'

/**
 * Members' emoji reactions, Signal's model: at most one per member and message; choosing another
 * emoji replaces it. A change reaches every member as message_updated with the whole message.
 */
export class Reactions {
  constructor(
    private readonly db: Database,
    private readonly conversations: Conversations,
    private readonly messages: Messages,
  ) {}

  /**
   * Sets the caller's reaction to `emoji`. Returns the message as it is now and whether anything
   * changed: the same emoji again changes nothing and emits nothing.
   */
  set(
    events: EventSink,
    userId: number,
    conversationId: number,
    messageId: number,
    emoji: string,
  ): { message: Message; changed: boolean } {
    const problem = reactionEmojiProblem(emoji)
    if (problem) throw badRequest(problem)
    this.requireReactable(userId, conversationId, messageId)
    const result = this.db.run(
      this.db.q
        .insertInto('message_reactions')
        .values({ message_id: messageId, user_id: userId, emoji, created_at: nowIso() })
        .onConflict((oc) =>
          oc
            .columns(['message_id', 'user_id'])
            .doUpdateSet((eb) => ({
              emoji: eb.ref('excluded.emoji'),
              created_at: eb.ref('excluded.created_at'),
            }))
            .where('message_reactions.emoji', '!=', emoji),
        ),
    )
    return this.changed(events, conversationId, messageId, result.changes > 0)
  }

  /** Removes the caller's reaction; having none changes nothing and emits nothing. */
  remove(
    events: EventSink,
    userId: number,
    conversationId: number,
    messageId: number,
  ): { message: Message; changed: boolean } {
    this.requireReactable(userId, conversationId, messageId)
    const result = this.db.run(
      this.db.q
        .deleteFrom('message_reactions')
        .where('message_id', '=', messageId)
        .where('user_id', '=', userId),
    )
    return this.changed(events, conversationId, messageId, result.changes > 0)
  }

  private requireReactable(userId: number, conversationId: number, messageId: number): void {
    this.conversations.requireMember(conversationId, userId)
    const row = this.db.first(
      this.db.q
        .selectFrom('messages')
        .select('deleted_at')
        .where('id', '=', messageId)
        .where('conversation_id', '=', conversationId),
    )
    if (!row) throw notFound('Message')
    if (row.deleted_at) throw conflict('The message was deleted: it takes no reactions.')
  }

  private changed(
    events: EventSink,
    conversationId: number,
    messageId: number,
    changed: boolean,
  ): { message: Message; changed: boolean } {
    const message = this.messages.get(messageId)!
    if (changed) {
      events.toConversation(
        'message_updated',
        { conversation_id: conversationId, message },
        conversationId,
      )
    }
    return { message, changed }
  }
}
