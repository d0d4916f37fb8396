import type {
  FollowedThread,
  FollowedThreadList,
  Message,
  ThreadFollow,
  ThreadPage,
} from '../../src/shared/models'
import { Limits } from '../../src/shared/limits'
import { notFound } from '../http/httpError'
import type { Database, Queryable } from '../storage/database'
import type { Tx } from '../storage/unitOfWork'
import type { Conversations } from './conversations'
import { selectMessages, toMessage, withExtras } from './messageRows'
import type { Messages } from './messages'
import { followOf, moveThreadRead, setFollowing } from './threadFollows'

/**
 * Threads as in Slack: replies beside a channel message (sent with `thread_root_id`, see
 * Messages.send), who follows them and how far they read, and the Threads view. Members only:
 * every method checks that the caller is a member of the thread's conversation now.
 */
export class Threads {
  constructor(
    private readonly db: Database,
    private readonly conversations: Conversations,
    private readonly messages: Messages,
  ) {}

  /**
   * The root of a thread of a conversation the user is a member of: 404 (as for a message of
   * another conversation) when the id names no message of it or a thread reply, which is no root.
   */
  private async requireRoot(
    db: Queryable,
    userId: number,
    conversationId: number,
    rootId: number,
  ): Promise<Message> {
    await this.conversations.requireMember(db, conversationId, userId)
    const root = await this.messages.get(db, rootId)
    if (!root || root.conversation_id !== conversationId || root.thread_root_id !== undefined) {
      throw notFound('Thread')
    }
    return root
  }

  /** The root and a page of its replies (newest page first, oldest first within it). */
  async page(
    userId: number,
    conversationId: number,
    rootId: number,
    before: number | undefined,
    limit: number | undefined,
  ): Promise<ThreadPage> {
    const db = this.db
    const root = await this.requireRoot(db, userId, conversationId, rootId)
    const pageSize = Math.min(limit ?? Limits.historyPageSize, Limits.historyMaxPageSize)
    let query = selectMessages(db.q)
      .where('m.thread_root_id', '=', rootId)
      .orderBy('m.id', 'desc')
      .limit(pageSize + 1)
    if (before !== undefined) query = query.where('m.id', '<', before)
    const rows = await db.all(query)
    const hasMore = rows.length > pageSize
    const replies = await withExtras(db, rows.slice(0, pageSize).reverse().map(toMessage))
    const follow = await followOf(db, rootId, userId)
    return {
      root,
      replies,
      next_before: hasMore && replies[0] ? replies[0].id : null,
      following: follow.following,
      last_read_id: follow.last_read_id,
    }
  }

  /** Follows or unfollows a thread; the caller's devices hear it (message_updated). */
  async follow(
    tx: Tx,
    userId: number,
    conversationId: number,
    rootId: number,
    following: boolean,
  ): Promise<ThreadFollow> {
    await this.requireRoot(tx, userId, conversationId, rootId)
    await setFollowing(tx, rootId, userId, conversationId, following)
    return this.announce(tx, userId, conversationId, rootId)
  }

  /**
   * Moves the caller's read marker of a thread they follow (or followed) forward, never back.
   * Returns whether it moved; a move reaches the caller's devices.
   */
  async read(
    tx: Tx,
    userId: number,
    conversationId: number,
    rootId: number,
    upTo: number,
  ): Promise<{ moved: boolean }> {
    await this.requireRoot(tx, userId, conversationId, rootId)
    const moved = await moveThreadRead(tx, rootId, userId, upTo)
    if (moved) await this.announce(tx, userId, conversationId, rootId)
    return { moved }
  }

  private async announce(
    tx: Tx,
    userId: number,
    conversationId: number,
    rootId: number,
  ): Promise<ThreadFollow> {
    const follow = await followOf(tx, rootId, userId)
    tx.events.toMember(
      'message_updated',
      { conversation_id: conversationId, thread_follow: follow },
      conversationId,
      userId,
    )
    return follow
  }

  /**
   * The threads the user follows in the conversations they are a member of now, most recent reply
   * first, with how many replies from others they have not read.
   */
  async followed(userId: number): Promise<FollowedThreadList> {
    const db = this.db
    const follows = await db.all(
      db.q
        .selectFrom('thread_follows as f')
        .innerJoin('conversation_members as cm', (join) =>
          join
            .onRef('cm.conversation_id', '=', 'f.conversation_id')
            .onRef('cm.user_id', '=', 'f.user_id'),
        )
        .innerJoin('conversations as c', 'c.id', 'f.conversation_id')
        .select(['f.root_id', 'f.conversation_id', 'f.last_read_id', 'c.title'])
        .where('f.user_id', '=', userId)
        .where('f.following', '=', 1),
    )
    if (follows.length === 0) return { threads: [] }
    const rootIds = follows.map((f) => Number(f.root_id))
    const roots = await withExtras(
      db,
      (await db.all(selectMessages(db.q).where('m.id', 'in', rootIds))).map(toMessage),
    )
    const rootById = new Map(roots.map((root) => [root.id, root]))
    const unread = await db.all(
      db.q
        .selectFrom('thread_follows as f')
        .innerJoin('messages as m', (join) =>
          join.onRef('m.thread_root_id', '=', 'f.root_id').onRef('m.id', '>', 'f.last_read_id'),
        )
        .select((eb) => ['f.root_id', eb.fn.countAll<number>().as('n')])
        .where('f.user_id', '=', userId)
        .where('f.following', '=', 1)
        .where('m.sender_id', '!=', userId)
        .where('m.deleted_at', 'is', null)
        .groupBy('f.root_id'),
    )
    const unreadByRoot = new Map(unread.map((row) => [Number(row.root_id), Number(row.n)]))
    const threads: FollowedThread[] = []
    for (const follow of follows) {
      const root = rootById.get(Number(follow.root_id))
      if (!root) continue
      threads.push({
        conversation_id: Number(follow.conversation_id),
        conversation_title: follow.title,
        root,
        last_read_id: Number(follow.last_read_id),
        unread_count: unreadByRoot.get(root.id) ?? 0,
      })
    }
    const activity = (t: FollowedThread) => t.root.thread?.last_reply_at ?? t.root.created_at
    threads.sort((a, b) =>
      activity(a) === activity(b) ? b.root.id - a.root.id : activity(a) < activity(b) ? 1 : -1,
    )
    return { threads: threads.slice(0, Limits.followedThreadsMax) }
  }
}
