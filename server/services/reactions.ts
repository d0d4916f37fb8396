import type { Message } from '../../src/shared/models'
import { Limits } from '../../src/shared/limits'
import { REACTION_EMOJI_PROBLEM, reactionEmoji } from '../../src/shared/reactions'
import { nowIso } from '../clock'
import { badRequest, conflict, notFound } from '../http/httpError'
import type { Tx } from '../storage/unitOfWork'
import type { Conversations } from './conversations'
import type { Messages } from './messages'

/** Whose reaction to which message of which conversation. */
export interface ReactionTarget {
  userId: number
  conversationId: number
  messageId: number
}

/** What a change answers: the message as it is now, and whether anything changed. */
export interface ReactionChange {
  message: Message
  changed: boolean
}

/**
 * Members' emoji reactions, Slack's model: a member may react to a message with any number of
 * different emoji, each once (the same emoji again changes nothing), and take each back alone. A
 * message takes at most `Limits.reactionEmojiPerMessage` different emoji. A change reaches every
 * member as message_updated with the whole message.
 */
export class Reactions {
  constructor(
    private readonly conversations: Conversations,
    private readonly messages: Messages,
  ) {}

  /** Adds the caller's reaction with `emoji`; one they already have changes nothing. */
  async add(tx: Tx, target: ReactionTarget, emoji: string): Promise<ReactionChange> {
    const stored = storedEmoji(emoji)
    await this.requireReactable(tx, target)
    const added = await this.insert(tx, target, stored)
    return this.changed(tx, target, added)
  }

  /** Takes back the caller's reaction with `emoji`; having none changes nothing. */
  async remove(tx: Tx, target: ReactionTarget, emoji: string): Promise<ReactionChange> {
    const stored = storedEmoji(emoji)
    await this.requireReactable(tx, target)
    const removed = await this.delete(tx, target, { only: stored })
    return this.changed(tx, target, removed)
  }

  /**
   * The caller's reactions become `emoji` alone (the route of clients from before several
   * reactions per member, which set "their reaction"); already exactly that changes nothing.
   */
  async replaceAll(tx: Tx, target: ReactionTarget, emoji: string): Promise<ReactionChange> {
    const stored = storedEmoji(emoji)
    await this.requireReactable(tx, target)
    const removed = await this.delete(tx, target, { except: stored })
    const added = await this.insert(tx, target, stored)
    return this.changed(tx, target, removed || added)
  }

  /** Takes back every reaction of the caller's (the older clients' "remove my reaction"). */
  async removeAll(tx: Tx, target: ReactionTarget): Promise<ReactionChange> {
    await this.requireReactable(tx, target)
    const removed = await this.delete(tx, target, {})
    return this.changed(tx, target, removed)
  }

  /** Stores the reaction unless the member has it already; true when it was new. */
  private async insert(tx: Tx, { userId, messageId }: ReactionTarget, emoji: string) {
    await this.requireRoomFor(tx, messageId, emoji)
    const changes = await tx.run(
      tx.q
        .insertInto('message_reactions')
        .values({ message_id: messageId, user_id: userId, emoji, created_at: nowIso() })
        .onConflict((oc) => oc.columns(['message_id', 'user_id', 'emoji']).doNothing()),
    )
    return changes > 0
  }

  /** Deletes the member's reactions (`only` one emoji, or all `except` one); true when any went. */
  private async delete(
    tx: Tx,
    { userId, messageId }: ReactionTarget,
    which: { only?: string; except?: string },
  ) {
    let query = tx.q
      .deleteFrom('message_reactions')
      .where('message_id', '=', messageId)
      .where('user_id', '=', userId)
    if (which.only !== undefined) query = query.where('emoji', '=', which.only)
    if (which.except !== undefined) query = query.where('emoji', '!=', which.except)
    return (await tx.run(query)) > 0
  }

  private async requireReactable(
    tx: Tx,
    { userId, conversationId, messageId }: ReactionTarget,
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

  /**
   * A new emoji on a message that has the most different ones it may have is refused: every copy
   * of the message (history pages, events) carries its reactions, so they stay bounded. An emoji
   * already there can always be added to.
   */
  private async requireRoomFor(tx: Tx, messageId: number, emoji: string): Promise<void> {
    const rows = await tx.all(
      tx.q
        .selectFrom('message_reactions')
        .select('emoji')
        .distinct()
        .where('message_id', '=', messageId),
    )
    const limit = Limits.reactionEmojiPerMessage
    if (rows.length >= limit && !rows.some((row) => row.emoji === emoji)) {
      throw conflict(`A message takes at most ${limit} different emoji: react with one of them.`)
    }
  }

  private async changed(
    tx: Tx,
    { conversationId, messageId }: ReactionTarget,
    changed: boolean,
  ): Promise<ReactionChange> {
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

/** The emoji as stored (text-style spellings qualified), or 400 when it is not one emoji. */
function storedEmoji(emoji: string): string {
  const stored = reactionEmoji(emoji)
  if (stored === null) throw badRequest(REACTION_EMOJI_PROBLEM)
  return stored
}
