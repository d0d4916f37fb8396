import type { ThreadFollow } from '../../src/shared/models'
import { nowIso } from '../clock'
import { rawSql, type Queryable } from '../storage/database'
import type { Tx } from '../storage/unitOfWork'

/**
 * A replier follows the thread again (even after unfollowing it) and has read up to their own
 * reply. Parameters: root, user, conversation, reply id, time.
 */
const FOLLOW_AS_REPLIER = rawSql(
  `insert into thread_follows (root_id, user_id, conversation_id, following, last_read_id, updated_at)
   values (?, ?, ?, 1, ?, ?)
   on conflict (root_id, user_id) do update set following = 1,
     last_read_id = max(thread_follows.last_read_id, excluded.last_read_id),
     updated_at = excluded.updated_at`,
  `insert into thread_follows (root_id, user_id, conversation_id, following, last_read_id, updated_at)
   values ($1, $2, $3, 1, $4, $5)
   on conflict (root_id, user_id) do update set following = 1,
     last_read_id = greatest(thread_follows.last_read_id, excluded.last_read_id),
     updated_at = excluded.updated_at`,
)

/** The starter follows their thread from its first reply, unless they unfollowed it already. */
const FOLLOW_AS_STARTER = rawSql(
  `insert into thread_follows (root_id, user_id, conversation_id, following, last_read_id, updated_at)
   values (?, ?, ?, 1, 0, ?) on conflict (root_id, user_id) do nothing`,
)

const FOLLOWER_IDS = rawSql(
  'select user_id from thread_follows where root_id = ? and following = 1 order by user_id',
)

const FOLLOW_OF = rawSql(
  'select following, last_read_id from thread_follows where root_id = ? and user_id = ?',
)

/** Sets following; a first follow has read nothing yet. Parameters: root, user, conversation, following, time. */
const SET_FOLLOWING = rawSql(
  `insert into thread_follows (root_id, user_id, conversation_id, following, last_read_id, updated_at)
   values (?, ?, ?, ?, 0, ?)
   on conflict (root_id, user_id) do update set following = excluded.following,
     updated_at = excluded.updated_at`,
)

/** Moves a follower's read marker forward, never back. Parameters: up to, root, user, up to. */
const MOVE_READ = rawSql(
  `update thread_follows set last_read_id = ? where root_id = ? and user_id = ? and last_read_id < ?`,
)

/**
 * Records who follows a thread after a reply in it: the replier, and the root's sender when this
 * starts their following. Returns the followers' ids, which the reply's events carry.
 */
export async function followOnReply(
  tx: Tx,
  reply: {
    rootId: number
    rootSenderId: number
    conversationId: number
    id: number
    senderId: number
  },
): Promise<number[]> {
  const now = nowIso()
  await tx.runRaw(FOLLOW_AS_REPLIER, [
    reply.rootId,
    reply.senderId,
    reply.conversationId,
    reply.id,
    now,
  ])
  if (reply.rootSenderId !== reply.senderId) {
    await tx.runRaw(FOLLOW_AS_STARTER, [
      reply.rootId,
      reply.rootSenderId,
      reply.conversationId,
      now,
    ])
  }
  const rows = await tx.allRaw<{ user_id: number }>(FOLLOWER_IDS, [reply.rootId])
  return rows.map((row) => Number(row.user_id))
}

/** A user's following of a thread: not following and nothing read when they never did. */
export async function followOf(
  db: Queryable,
  rootId: number,
  userId: number,
): Promise<ThreadFollow> {
  const row = await db.firstRaw<{ following: number; last_read_id: number }>(FOLLOW_OF, [
    rootId,
    userId,
  ])
  return {
    root_id: rootId,
    following: Number(row?.following ?? 0) === 1,
    last_read_id: Number(row?.last_read_id ?? 0),
  }
}

export async function setFollowing(
  tx: Tx,
  rootId: number,
  userId: number,
  conversationId: number,
  following: boolean,
): Promise<void> {
  await tx.runRaw(SET_FOLLOWING, [rootId, userId, conversationId, following ? 1 : 0, nowIso()])
}

/** Moves the read marker of a user who follows (or followed) the thread; false when it was there. */
export async function moveThreadRead(
  tx: Tx,
  rootId: number,
  userId: number,
  upTo: number,
): Promise<boolean> {
  return (await tx.runRaw(MOVE_READ, [upTo, rootId, userId, upTo])) > 0
}
