import type { Message } from '../../src/shared/models'
import { reactionEmojiProblem } from '../../src/shared/reactions'
import { nowIso } from '../clock'
import { badRequest, conflict, notFound } from '../http/httpError'
import type { Tx } from '../storage/unitOfWork'
import type { Conversations } from './conversations'
import type { Messages } from './messages'

/**
 * Members' emoji reactions, Signal's model: at most one per member and message; choosing another
 * emoji replaces it. A change reaches every member as message_updated with the whole message.
 */
export class Reactions {
  constructor(
    private readonly conversations: Conversations,
    private readonly messages: Messages,
  ) {}

  /**
   * Sets the caller's reaction to `emoji`. Returns the message as it is now and whether anything
   * changed: the same emoji again changes nothing and emits nothing.
   */
  async set(
    tx: Tx,
    userId: number,
    conversationId: number,
    messageId: number,
    emoji: string,
  ): Promise<{ message: Message; changed: boolean }> {
    const problem = reactionEmojiProblem(emoji)
    if (problem) throw badRequest(problem)
    await this.requireReactable(tx, userId, conversationId, messageId)
    const changes = await tx.run(
      tx.q
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
    return this.changed(tx, conversationId, messageId, changes > 0)
  }

  /** Removes the caller's reaction; having none changes nothing and emits nothing. */
  async remove(
    tx: Tx,
    userId: number,
    conversationId: number,
    messageId: number,
  ): Promise<{ message: Message; changed: boolean }> {
    await this.requireReactable(tx, userId, conversationId, messageId)
    const changes = await tx.run(
      tx.q
        .deleteFrom('message_reactions')
        .where('message_id', '=', messageId)
        .where('user_id', '=', userId),
    )
    return this.changed(tx, conversationId, messageId, changes > 0)
  }

  private async requireReactable(
    tx: Tx,
    userId: number,
    conversationId: number,
    messageId: number,
  ): Promise<void> {
    await this.conversations.requireMember(tx, conversationId, userId)
    const row = await tx.first(
      tx.q
        .selectFrom('messages')
        .select('deleted_at')
        .where('id', '=', messageId)
        .where('conversation_id', '=', conversationId),
    )
    if (!row) throw notFound('Message')
    if (row.deleted_at) throw conflict('The message was deleted: it takes no reactions.')
  }

  private async changed(
    tx: Tx,
    conversationId: number,
    messageId: number,
    changed: boolean,
  ): Promise<{ message: Message; changed: boolean }> {
    const message = (await this.messages.get(tx, messageId))!
    if (changed) {
      tx.events.toConversation(
        'message_updated',
        { conversation_id: conversationId, message },
        conversationId,
      )
    }
    return { message, changed }
  }
}
