import type { Conversation, Member, Platform, User } from '../../src/shared/models'
import { nowIso } from '../clock'
import { badRequest, forbidden, notFound } from '../http/httpError'
import { rawSql, type Database, type Queryable } from '../storage/database'
import type { Tx } from '../storage/unitOfWork'
import { inChannel, selectMessages, toMessage, withExtras } from './messageRows'

/** What a member may read of a conversation without building its full view. */
export interface ConversationHead {
  title: string | null
  platform: Platform
}

/** Run for every message and typing frame: prepared once rather than built per call. */
const MEMBER_IDS = rawSql('select user_id from conversation_members where conversation_id = ?')
const IS_MEMBER = rawSql(
  'select 1 as member from conversation_members where conversation_id = ? and user_id = ?',
)
const HEAD = rawSql(
  `select c.title, c.platform, exists (select 1 from conversation_members
     where conversation_id = c.id and user_id = ?) as member
   from conversations c where c.id = ?`,
)

/**
 * HEAD for a send, with the receiver's name of the seed-era event fields (MessageEventData): the
 * title, else the other members' names as the apps name an untitled conversation. Only an untitled
 * conversation (a direct one, mostly) runs the subquery: a primary-key range of its members.
 */
const SEND_HEAD = rawSql(
  `select c.title, c.platform, exists (select 1 from conversation_members
     where conversation_id = c.id and user_id = ?) as member,
   case when c.title is null then (
     select string_agg(u.display_name, ', ' order by m.joined_at, m.user_id)
     from conversation_members m join users u on u.id = m.user_id
     where m.conversation_id = c.id and m.user_id <> ?) end as others
   from conversations c where c.id = ?`,
)

/** What a send reads of its conversation: its head and who receives the message. */
export interface SendTarget extends ConversationHead {
  /** The title, else the other members' names joined with ", ", else the sender's own name. */
  receiver_name: string
}

/**
 * Conversations, their members, and who may see what. Methods that take a Queryable read through
 * it (the database, or the unit of work they are part of); those that take a Tx change things.
 */
export class Conversations {
  constructor(private readonly db: Database) {}

  /** Member ids of a conversation. */
  async memberIds(db: Queryable, conversationId: number): Promise<number[]> {
    const rows = await db.allRaw<{ user_id: number }>(MEMBER_IDS, [conversationId])
    return rows.map((row) => row.user_id)
  }

  async isMember(db: Queryable, conversationId: number, userId: number): Promise<boolean> {
    return (await db.firstRaw(IS_MEMBER, [conversationId, userId])) !== undefined
  }

  /**
   * Throws 404 when the conversation does not exist, 403 when the user is not a member; else
   * returns the conversation's title and platform (all a send needs). One statement.
   */
  async requireMember(
    db: Queryable,
    conversationId: number,
    userId: number,
  ): Promise<ConversationHead> {
    const row = await db.firstRaw<ConversationHead & { member: 0 | 1 | boolean }>(HEAD, [
      userId,
      conversationId,
    ])
    if (!row) throw notFound('Conversation')
    if (!row.member) throw forbidden('You are not a member of this conversation.')
    return { title: row.title, platform: row.platform }
  }

  /** requireMember for a send: the same refusals, and the receiver's name of its events. */
  async requireSender(
    db: Queryable,
    conversationId: number,
    sender: Pick<User, 'id' | 'display_name'>,
  ): Promise<SendTarget> {
    const row = await this.sendHead(db, conversationId, sender)
    if (!row) throw notFound('Conversation')
    if (!row.member) throw forbidden('You are not a member of this conversation.')
    return toSendTarget(row, sender)
  }

  /**
   * What requireSender reads, read ahead of the send's unit of work and outside it (see
   * Messages.send's `ahead`): the target if the conversation exists and `sender` is a member of
   * it as committed, else undefined (the send then reads it in its unit, as without). It is not the
   * check: the send's insert checks membership again in its own transaction. On PostgreSQL a
   * node's units run one after another on their batch's connection, so a read moved out of them
   * is a round trip off that serial path.
   */
  async sendTargetAhead(
    db: Queryable,
    conversationId: number,
    sender: Pick<User, 'id' | 'display_name'>,
  ): Promise<SendTarget | undefined> {
    const row = await this.sendHead(db, conversationId, sender)
    return row?.member ? toSendTarget(row, sender) : undefined
  }

  private sendHead(db: Queryable, conversationId: number, sender: Pick<User, 'id'>) {
    return db.firstRaw<ConversationHead & { member: 0 | 1 | boolean; others: string | null }>(
      SEND_HEAD,
      [sender.id, sender.id, conversationId],
    )
  }

  /** The conversation as `viewerId` sees it (unread count is theirs; 0 for a neutral view). */
  async get(db: Queryable, conversationId: number, viewerId: number | null): Promise<Conversation> {
    const conversation = await this.getBare(db, conversationId, viewerId)
    if (conversation.last_message) await withExtras(db, [conversation.last_message])
    return conversation
  }

  /**
   * get() without the reactions of its last message: for a send into a platform conversation
   * (Messages.send), which must not pay for a query that its delivery does not read.
   */
  async getBare(
    db: Queryable,
    conversationId: number,
    viewerId: number | null,
  ): Promise<Conversation> {
    const row = await db.first(
      db.q.selectFrom('conversations').selectAll().where('id', '=', conversationId),
    )
    if (!row) throw notFound('Conversation')
    const members: Member[] = await db.all(
      db.q
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
    const last = await db.first(
      selectMessages(db.q)
        .where('m.conversation_id', '=', conversationId)
        // A thread reply shows in the list only when it was also sent to the channel.
        .where(inChannel())
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
      unread_count:
        viewerId === null ? 0 : await this.unreadCount(db, conversationId, viewerId, members),
    }
  }

  private async unreadCount(
    db: Queryable,
    conversationId: number,
    viewerId: number,
    members: Member[],
  ): Promise<number> {
    const marker = members.find((m) => m.user_id === viewerId)?.last_read_message_id ?? 0
    const row = await db.first(
      db.q
        .selectFrom('messages')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('conversation_id', '=', conversationId)
        .where('id', '>', marker)
        // Mail and bridged messages are stored under the owner's id but come from others.
        .where((eb) =>
          eb.or([eb('sender_id', '!=', viewerId), eb('external_sender_handle', 'is not', null)]),
        )
        .where('deleted_at', 'is', null)
        // Thread replies are counted by the Threads view, unless also sent to the channel.
        .where(inChannel('')),
    )
    return Number(row?.n ?? 0)
  }

  /** The user's conversations, latest activity first. */
  async listFor(userId: number): Promise<Conversation[]> {
    const db = this.db
    const ids = await db.all(
      db.q
        .selectFrom('conversation_members')
        .select('conversation_id')
        .where('user_id', '=', userId),
    )
    const list: Conversation[] = []
    for (const row of ids) list.push(await this.getBare(db, row.conversation_id, userId))
    // The last messages' reactions and files in one query each for the whole list.
    await withExtras(
      db,
      list.flatMap((c) => (c.last_message ? [c.last_message] : [])),
    )
    return list.sort((a, b) =>
      a.updated_at === b.updated_at ? b.id - a.id : a.updated_at < b.updated_at ? 1 : -1,
    )
  }

  /** Members may be added only from active accounts: a deactivated one is offered in no picker. */
  private async assertUsersExist(db: Queryable, userIds: number[]): Promise<void> {
    if (userIds.length === 0) return
    const found = await db.all(
      db.q
        .selectFrom('users')
        .select('id')
        .where('id', 'in', userIds)
        .where('deactivated_at', 'is', null),
    )
    if (found.length !== userIds.length) {
      const known = new Set(found.map((row) => row.id))
      const missing = userIds.filter((id) => !known.has(id))
      throw badRequest(`Unknown or deactivated user id(s): ${missing.join(', ')}.`)
    }
  }

  /** The direct conversation between exactly these two users, if there is one. */
  private async findDirect(db: Queryable, pair: string): Promise<number | undefined> {
    const row = await db.first(
      db.q.selectFrom('conversations').select('id').where('direct_pair', '=', pair),
    )
    return row?.id
  }

  /**
   * Creates a conversation; a titleless one with exactly one other person is direct and reused if
   * it exists. Returns whether it was created.
   */
  async create(
    tx: Tx,
    creatorId: number,
    memberIds: number[],
    title: string | undefined,
    platform: Platform = 'tidings',
  ): Promise<{ conversation: Conversation; created: boolean }> {
    title = normalizeTitle(title)
    const members = [...new Set([creatorId, ...memberIds])]
    await this.assertUsersExist(tx, members)
    const kind = members.length === 2 && !title ? 'direct' : 'group'
    // A direct conversation of two people is one, however many times and on whichever server
    // node it is created: the pair is unique in the table, and a second create finds the first.
    const pair = kind === 'direct' && platform === 'tidings' ? directPair(members) : null
    if (pair !== null) {
      const existing = await this.findDirect(tx, pair)
      if (existing !== undefined) {
        return { conversation: await this.get(tx, existing, creatorId), created: false }
      }
    }
    const now = nowIso()
    const row = await tx.first(
      tx.q
        .insertInto('conversations')
        .values({
          title: title ?? null,
          kind,
          platform,
          created_by: creatorId,
          created_at: now,
          updated_at: now,
          direct_pair: pair,
        })
        .onConflict((oc) => oc.doNothing())
        .returning('id'),
    )
    if (!row) {
      // Another node created the pair's conversation after the lookup above: that one it is.
      const existing = await this.findDirect(tx, pair!)
      if (existing === undefined) throw new Error('conversation insert returned nothing')
      return { conversation: await this.get(tx, existing, creatorId), created: false }
    }
    await this.insertMembers(tx, row.id, members, now)
    const neutral = await this.get(tx, row.id, null)
    tx.events.toConversation(
      'conversation_created',
      { conversation: neutral, change: 'created' },
      row.id,
    )
    return { conversation: await this.get(tx, row.id, creatorId), created: true }
  }

  private async insertMembers(
    tx: Tx,
    conversationId: number,
    userIds: number[],
    now: string,
  ): Promise<void> {
    for (const userId of userIds) {
      const inserted = await tx.run(
        tx.q
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
      if (inserted > 0) tx.membershipChanged(conversationId, userId, 'joined')
    }
  }

  async rename(
    tx: Tx,
    conversationId: number,
    userId: number,
    rawTitle: string,
  ): Promise<Conversation> {
    const title = normalizeTitle(rawTitle)
    if (title === undefined) throw badRequest('A conversation title cannot be blank.')
    await this.requireMember(tx, conversationId, userId)
    // A direct conversation is named after the other person, as in other messengers; a title
    // would also make it a group for create(), which reuses only untitled pairs.
    if ((await this.get(tx, conversationId, null)).kind === 'direct') {
      throw badRequest(
        'A direct conversation has no title: it is named after the other person. Create a group to give a conversation a title.',
      )
    }
    await tx.run(
      tx.q
        .updateTable('conversations')
        .set({ title, updated_at: nowIso() })
        .where('id', '=', conversationId),
    )
    const neutral = await this.get(tx, conversationId, null)
    tx.events.toConversation(
      'conversation_updated',
      { conversation: neutral, change: 'renamed' },
      conversationId,
    )
    return this.get(tx, conversationId, userId)
  }

  async addMembers(
    tx: Tx,
    conversationId: number,
    userId: number,
    userIds: number[],
  ): Promise<Conversation> {
    await this.requireMember(tx, conversationId, userId)
    const conversation = await this.get(tx, conversationId, null)
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
    await this.assertUsersExist(tx, userIds)
    const before = new Set(await this.memberIds(tx, conversationId))
    const added = [...new Set(userIds)].filter((id) => !before.has(id))
    if (added.length > 0) {
      const now = nowIso()
      await this.insertMembers(tx, conversationId, added, now)
      await tx.run(
        tx.q.updateTable('conversations').set({ updated_at: now }).where('id', '=', conversationId),
      )
      const neutral = await this.get(tx, conversationId, null)
      // Direct, not the conversation stream: the added members are already in that.
      tx.events.emit('conversation_updated', { conversation: neutral, change: 'members_added' }, [
        ...before,
      ])
      tx.events.emit(
        'conversation_created',
        { conversation: neutral, change: 'members_added' },
        added,
      )
    }
    return this.get(tx, conversationId, userId)
  }

  /**
   * A member may leave (a direct conversation too: the way to drop it from one's list); the
   * creator or an admin may remove others, except from a direct conversation, which is one
   * person's with another and nobody's to take the other out of.
   */
  async removeMember(
    tx: Tx,
    conversationId: number,
    actor: { id: number; role: string },
    userId: number,
  ): Promise<Conversation> {
    await this.requireMember(tx, conversationId, actor.id)
    const conversation = await this.get(tx, conversationId, null)
    if (actor.id !== userId && actor.id !== conversation.created_by && actor.role !== 'admin') {
      throw forbidden('Only the creator of the conversation or an admin can remove other members.')
    }
    if (actor.id !== userId && conversation.kind === 'direct') {
      throw badRequest(
        'Nobody can be removed from a direct conversation; each of its two members may leave it.',
      )
    }
    const removed = await tx.run(
      tx.q
        .deleteFrom('conversation_members')
        .where('conversation_id', '=', conversationId)
        .where('user_id', '=', userId),
    )
    if (removed === 0) throw notFound('Member')
    tx.membershipChanged(conversationId, userId, 'left')
    await tx.run(
      tx.q
        .updateTable('conversations')
        // A direct conversation one of the two has left no longer stands for the pair: creating
        // one again makes a new one (as before pairs were unique).
        .set({ updated_at: nowIso(), direct_pair: null })
        .where('id', '=', conversationId),
    )
    const neutral = await this.get(tx, conversationId, null)
    tx.events.toConversation(
      'conversation_updated',
      { conversation: neutral, change: 'members_removed' },
      conversationId,
    )
    tx.events.emit(
      'conversation_updated',
      { conversation: neutral, change: 'members_removed', removed: true },
      [userId],
    )
    return neutral
  }

  /** Helper for messages: the newest message id, 0 when empty. */
  async latestMessageId(db: Queryable, conversationId: number): Promise<number> {
    const row = await db.first(
      db.q
        .selectFrom('messages')
        .select((eb) => eb.fn.max('id').as('max'))
        .where('conversation_id', '=', conversationId),
    )
    return row?.max ?? 0
  }
}

/** The key of a direct conversation: its two members, lower id first. */
function directPair(members: readonly number[]): string {
  const [a, b] = [...members].sort((x, y) => x - y)
  return `${a}:${b}`
}

/** Titles are trimmed; a blank title counts as none. */
function normalizeTitle(title: string | undefined): string | undefined {
  const trimmed = title?.trim()
  return trimmed ? trimmed : undefined
}

function toSendTarget(
  row: ConversationHead & { others: string | null },
  sender: Pick<User, 'display_name'>,
): SendTarget {
  return {
    title: row.title,
    platform: row.platform,
    receiver_name: row.title ?? row.others ?? sender.display_name,
  }
}
