import { Limits } from '../../src/shared/limits'
import type { Message, ThreadSummary } from '../../src/shared/models'
import type { Queryable } from '../storage/database'
import { idList, sqlWithIdList } from '../storage/idList'

interface ReplierRow {
  root_id: number
  sender_id: number
  n: number | string
  last_id: number
  last_at: string
}

/**
 * What each replier wrote in each of a list of threads (replies that are not deleted): one range
 * of the partial index messages_thread per root.
 */
const REPLIERS = sqlWithIdList(
  `select thread_root_id as root_id, sender_id, count(*) as n, max(id) as last_id,
     max(created_at) as last_at
   from messages
   where thread_root_id in (:ids) and thread_root_id is not null and deleted_at is null
   group by thread_root_id, sender_id`,
)

/** The summaries of the threads of these roots; a root without replies has none. */
export async function threadSummaries(
  db: Queryable,
  rootIds: readonly number[],
): Promise<Map<number, ThreadSummary>> {
  const summaries = new Map<number, ThreadSummary>()
  if (rootIds.length === 0) return summaries
  const rows = await db.allRaw<ReplierRow>(REPLIERS, [idList(db, rootIds)])
  const byRoot = new Map<number, ReplierRow[]>()
  for (const row of rows) {
    const root = Number(row.root_id)
    let list = byRoot.get(root)
    if (!list) byRoot.set(root, (list = []))
    list.push(row)
  }
  for (const [root, repliers] of byRoot) {
    // The most recent replier first: the avatars a root shows.
    repliers.sort((a, b) => Number(b.last_id) - Number(a.last_id))
    const latest = repliers[0]!
    summaries.set(root, {
      reply_count: repliers.reduce((sum, r) => sum + Number(r.n), 0),
      last_reply_id: Number(latest.last_id),
      last_reply_at: latest.last_at,
      replier_ids: repliers.slice(0, Limits.threadReplierIds).map((r) => Number(r.sender_id)),
    })
  }
  return summaries
}

/**
 * Sets `thread` on those of `messages` that are the root of a thread with replies (and removes a
 * stale one otherwise), in one query for all of them. Thread replies are never roots.
 */
export async function attachThreads<T extends Message>(db: Queryable, messages: T[]): Promise<T[]> {
  for (const message of messages) delete message.thread
  const roots = messages.filter((m) => m.thread_root_id === undefined)
  if (roots.length === 0) return messages
  const summaries = await threadSummaries(
    db,
    roots.map((m) => m.id),
  )
  if (summaries.size === 0) return messages
  for (const message of roots) {
    const summary = summaries.get(message.id)
    if (summary) message.thread = summary
  }
  return messages
}
