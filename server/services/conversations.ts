import type { Conversation, Member, Platform } from '../../src/shared/models'
import type { Database } from '../db/database'
import type { EventSink } from '../realtime/eventLog'
import { nowIso } from '../clock'
import { badRequest, forbidden, notFound } from '../http/httpError'
import { AttachmentRows } from './attachmentRows'
import { selectMessages, toMessage } from './messageRows'
import { ReactionReader } from './reactionRows'

/** What a member may read of a conversation without building its full view. */
export interface ConversationHead {
  title: string | null
  platform: Platform
}

/** Conversations, their members, and who may see what. */
export class Conversations {
  /** Run for every message and typing frame: prepared once rather than built per call. */
  private readonly hot
  private readonly reactions: ReactionReader
  private readonly attachments: AttachmentRows

  constructor(private readonly db: Database) {
    this.reactions = new ReactionReader(db)
    this.attachments = new AttachmentRows(db)
    const s = db.sqlite
    this.hot = {
      memberIds: s
        .prepare<[number], number>(
          'select user_id from conversation_members where conversation_id = ?',
        )
        .pluck(),
      isMember: s
        .prepare<[number, number], number>(
          'select 1 from conversation_members where conversation_id = ? and user_id = ?',
        )
        .pluck(),
      head: s.prepare<[number, number], ConversationHead & { member: 0 | 1 }>(
        `select c.title, c.platform, exists (select 1 from conversation_members
           where conversation_id = c.id and user_id = ?) as member
         from conversations c where c.id = ?`,
      ),
    }
  }

  /** Member ids of a conversation. */
  memberIds(conversationId: number): number[] {
    return this.hot.memberIds.all(conversationId)
  }

  isMember(conversationId: number, userId: number): boolean {
    return this.hot.isMember.get(conversationId, userId) !== undefined
  }

  /**
   * Throws 404 when the conversation does not exist, 403 when the user is not a member; else
   * returns the conversation's title and platform (all a send needs). One statement.
   */
  requireMember(conversationId: number, userId: number): ConversationHead {
    const row = this.hot.head.get(userId, conversationId)
    if (!row) throw notFound('Conversation')
    if (!row.member) throw forbidden('You are not a member of this conversation.')
    return { title: row.title, platform: row.platform }
  }

  /** Users who share at least one conversation with `userId` (not counting themselves). */
  peersOf(userId: number): number[] {
    return this.db
      .all(
        this.db.q
          .selectFrom('conversation_members as mine')
          .innerJoin(
            'conversation_members as other',
            'other.conversation_id',
            'mine.conversation_id',
          )
          .select('other.user_id')
          .distinct()
          .where('mine.user_id', '=', userId)
          .where('other.user_id', '!=', userId),
      )
      .map((row) => row.user_id)
  }

  /** The conversation as `viewerId` sees it (unread count is theirs; 0 for a neutral view). */
  get(conversationId: number, viewerId: number | null): Conversation {
    const conversation = this.getBare(conversationId, viewerId)
    if (conversation.last_message) {
      this.attachments.attach(this.reactions.attach([conversation.last_message]))
    }
    return conversation
  }

  /**
   * get() without the reactions of its last message: for a send into a platform conversation
   * (Messages.send), which must not pay for a query that its delivery does not read.
   */
  getBare(conversationId: number, viewerId: number | null): Conversation {
    const row = this.db.first(
      this.db.q.selectFrom('conversations').selectAll().where('id', '=', conversationId),
    )
    if (!row) throw notFound('Conversation')
    const members: Member[] = this.db.all(
      this.db.q
        .selectFrom('conversation_members as m')
        .innerJoin('users as u', 'u.id', 'm.user_id')
        .select([
          'm.user_id',
          'u.username',
          'u.display_name',
          'm.last_read_message_id',
          'm.last_delivered_message_id',
        ])
        .where('m.conversation_id', '=', conversationId)
        .orderBy('m.joined_at')
        .orderBy('m.user_id'),
    )
    const last = this.db.first(
      selectMessages(this.db.q)
        .where('m.conversation_id', '=', conversationId)
        .orderBy('m.id', 'desc')
        .limit(1),
    )
    return {
      id: row.id,
      title: row.title,
      kind: row.kind,
      platform: row.platform as Platform,
      created_by: row.created_by,
      created_at: row.created_at,
      // Latest activity. A message is not written to the conversation's row (see Messages.send).
      updated_at: last && last.created_at > row.updated_at ? last.created_at : row.updated_at,
      members,
      last_message: last ? toMessage(last) : null,
      unread_count: viewerId === null ? 0 : this.unreadCount(conversationId, viewerId, members),
    }
  }

  private unreadCount(conversationId: number, viewerId: number, members: Member[]): number {
    const marker = members.find((m) => m.user_id === viewerId)?.last_read_message_id ?? 0
    const row = this.db.first(
      this.db.q
        .selectFrom('messages')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('conversation_id', '=', conversationId)
        .where('id', '>', marker)
        // Mail and bridged messages are stored under the owner's id but come from others.
        .where((eb) =>
          eb.or([eb('sender_id', '!=', viewerId), eb('external_sender_handle', 'is not', null)]),
        )
        .where('deleted_at', 'is', null),
    )
    return row?.n ?? 0
  }

  /** The user's conversations, latest activity first. */
  listFor(userId: number): Conversation[] {
    const ids = this.db.all(
      this.db.q
        .selectFrom('conversation_members')
        .select('conversation_id')
        .where('user_id', '=', userId),
    )
    const list = ids.map((row) => this.getBare(row.conversation_id, userId))
    // The last messages' reactions in one query for the whole list.
    const lastMessages = list.flatMap((c) => (c.last_message ? [c.last_message] : []))
    this.attachments.attach(this.reactions.attach(lastMessages))
    return list.sort((a, b) =>
      a.updated_at === b.updated_at ? b.id - a.id : a.updated_at < b.updated_at ? 1 : -1,
    )
  }

  private assertUsersExist(userIds: number[]): void {
    if (userIds.length === 0) return
    const found = this.db.all(this.db.q.selectFrom('users').select('id').where('id', 'in', userIds))
    if (found.length !== userIds.length) {
      const known = new Set(found.map((row) => row.id))
      const missing = userIds.filter((id) => !known.has(id))
      throw badRequest(`Unknown user id(s): ${missing.join(', ')}.`)
    }
  }

  /** An existing direct conversation between exactly these two users. */
  private findDirect(a: number, b: number): number | undefined {
    return this.db.first(
      this.db.q
        .selectFrom('conversations as c')
        .select('c.id')
        .where('c.kind', '=', 'direct')
        .where('c.platform', '=', 'tidings')
        .where((eb) =>
          eb.and([
            eb.exists(
              eb
                .selectFrom('conversation_members')
                .select('user_id')
                .whereRef('conversation_id', '=', 'c.id')
                .where('user_id', '=', a),
            ),
            eb.exists(
              eb
                .selectFrom('conversation_members')
                .select('user_id')
                .whereRef('conversation_id', '=', 'c.id')
                .where('user_id', '=', b),
            ),
          ]),
        ),
    )?.id
  }

  /**
   * Creates a conversation; a titleless one with exactly one other person is direct and reused if
   * it exists. Returns whether it was created.
   */
  create(
    events: EventSink,
    creatorId: number,
    memberIds: number[],
    title: string | undefined,
    platform: Platform = 'tidings',
  ): { conversation: Conversation; created: boolean } {
    title = normalizeTitle(title)
    const members = [...new Set([creatorId, ...memberIds])]
    this.assertUsersExist(members)
    const kind = members.length === 2 && !title ? 'direct' : 'group'
    if (kind === 'direct' && platform === 'tidings') {
      const existing = this.findDirect(members[0]!, members[1]!)
      if (existing !== undefined) {
        return { conversation: this.get(existing, creatorId), created: false }
      }
    }
    const now = nowIso()
    const row = this.db.first(
      this.db.q
        .insertInto('conversations')
        .values({
          title: title ?? null,
          kind,
          platform,
          created_by: creatorId,
          created_at: now,
          updated_at: now,
        })
        .returning('id'),
    )
    if (!row) throw new Error('conversation insert returned nothing')
    this.insertMembers(row.id, members, now)
    const neutral = this.get(row.id, null)
    events.toConversation(
      'conversation_created',
      { conversation: neutral, change: 'created' },
      row.id,
    )
    return { conversation: this.get(row.id, creatorId), created: true }
  }

  private insertMembers(conversationId: number, userIds: number[], now: string): void {
    for (const userId of userIds) {
      this.db.run(
        this.db.q
          .insertInto('conversation_members')
          .values({
            conversation_id: conversationId,
            user_id: userId,
            joined_at: now,
            last_read_message_id: 0,
            last_delivered_message_id: 0,
          })
          .onConflict((oc) => oc.doNothing()),
      )
    }
  }

  rename(
    events: EventSink,
    conversationId: number,
    userId: number,
    rawTitle: string,
  ): Conversation {
    const title = normalizeTitle(rawTitle)
    if (title === undefined) throw badRequest('A conversation title cannot be blank.')
    this.requireMember(conversationId, userId)
    // A direct conversation is named after the other person, as in other messengers; a title
    // would also make it a group for create(), which reuses only untitled pairs.
    if (this.get(conversationId, null).kind === 'direct') {
      throw badRequest(
        'A direct conversation has no title: it is named after the other person. Create a group to give a conversation a title.',
      )
    }
    this.db.run(
      this.db.q
        .updateTable('conversations')
        .set({ title, updated_at: nowIso() })
        .where('id', '=', conversationId),
    )
    const neutral = this.get(conversationId, null)
    events.toConversation(
      'conversation_updated',
      { conversation: neutral, change: 'renamed' },
      conversationId,
    )
    return this.get(conversationId, userId)
  }

  addMembers(
    events: EventSink,
    conversationId: number,
    userId: number,
    userIds: number[],
  ): Conversation {
    this.requireMember(conversationId, userId)
    const conversation = this.get(conversationId, null)
    if (conversation.kind === 'direct') {
      throw badRequest('A direct conversation has exactly two members; create a group instead.')
    }
    // What is written in an email thread or a bridged chat goes out under its account owner's
    // name, and its history is the owner's mail: the owner stays its only member.
    if (conversation.platform !== 'tidings') {
      throw badRequest(
        `A ${conversation.platform} conversation belongs to the account that connected it; it cannot have other members.`,
      )
    }
    this.assertUsersExist(userIds)
    const before = new Set(this.memberIds(conversationId))
    const added = [...new Set(userIds)].filter((id) => !before.has(id))
    if (added.length > 0) {
      const now = nowIso()
      this.insertMembers(conversationId, added, now)
      this.db.run(
        this.db.q
          .updateTable('conversations')
          .set({ updated_at: now })
          .where('id', '=', conversationId),
      )
      const neutral = this.get(conversationId, null)
      // Direct, not the conversation stream: the added members are already in that.
      events.emit('conversation_updated', { conversation: neutral, change: 'members_added' }, [
        ...before,
      ])
      events.emit('conversation_created', { conversation: neutral, change: 'members_added' }, added)
    }
    return this.get(conversationId, userId)
  }

  /**
   * A member may leave (a direct conversation too: the way to drop it from one's list); the
   * creator or an admin may remove others, except from a direct conversation, which is one
   * person's with another and nobody's to take the other out of.
   */
  removeMember(
    events: EventSink,
    conversationId: number,
    actor: { id: number; role: string },
    userId: number,
  ): Conversation {
    this.requireMember(conversationId, actor.id)
    const conversation = this.get(conversationId, null)
    if (actor.id !== userId && actor.id !== conversation.created_by && actor.role !== 'admin') {
      throw forbidden('Only the creator of the conversation or an admin can remove other members.')
    }
    if (actor.id !== userId && conversation.kind === 'direct') {
      throw badRequest(
        'Nobody can be removed from a direct conversation; each of its two members may leave it.',
      )
    }
    if (!this.isMember(conversationId, userId)) throw notFound('Member')
    this.db.run(
      this.db.q
        .deleteFrom('conversation_members')
        .where('conversation_id', '=', conversationId)
        .where('user_id', '=', userId),
    )
    this.db.run(
      this.db.q
        .updateTable('conversations')
        .set({ updated_at: nowIso() })
        .where('id', '=', conversationId),
    )
    const neutral = this.get(conversationId, null)
    events.toConversation(
      'conversation_updated',
      { conversation: neutral, change: 'members_removed' },
      conversationId,
    )
    events.emit(
      'conversation_updated',
      { conversation: neutral, change: 'members_removed', removed: true },
      [userId],
    )
    return neutral
  }

  /** Helper for messages: the newest message id, 0 when empty. */
  latestMessageId(conversationId: number): number {
    const row = this.db.first(
      this.db.q
        .selectFrom('messages')
        .select((eb) => eb.fn.max('id').as('max'))
        .where('conversation_id', '=', conversationId),
    )
    return row?.max ?? 0
  }
}

/** Titles are trimmed; a blank title counts as none. */
function normalizeTitle(title: string | undefined): string | undefined {
  const trimmed = title?.trim()
  return trimmed ? trimmed : undefined
}
