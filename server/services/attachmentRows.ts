import type { Attachment, Message } from '../../src/shared/models'
import type { Queryable } from '../storage/database'
import { idList, sqlWithIdList } from '../storage/idList'

type AttachmentRow = Attachment & { message_id: number }

/** The files of a list of messages. */
const OF_MESSAGES = sqlWithIdList(
  `select id, message_id, name, mime, size from attachments
   where message_id in (:ids)
   order by message_id, id`,
)

/**
 * One statement: only the sender's own unsent uploads to this conversation are claimed, so fewer
 * rows than ids means one of them was not such an upload. Parameters: the message id, the ids,
 * the conversation, the uploader.
 */
const CLAIM = sqlWithIdList(
  `update attachments set message_id = ?
   where id in (:ids) and conversation_id = ? and uploader_id = ? and message_id is null
   returning id, name, mime, size`,
)

// The attachments table as messages see it: the files of many messages in one query (a page of
// history, of search results, the last messages of a conversation list), a send claiming its
// uploads, and a deletion letting go of them. Sends without attachments never run any of it.

/** Sets `attachments` on those of `messages` that have any (and removes a stale one otherwise). */
export async function attachFiles<T extends Message>(db: Queryable, messages: T[]): Promise<T[]> {
  const live = messages.filter((message) => !message.deleted_at)
  for (const message of messages) delete message.attachments
  if (live.length === 0) return messages
  const rows = await db.allRaw<AttachmentRow>(OF_MESSAGES, [
    idList(
      db,
      live.map((m) => m.id),
    ),
  ])
  const byMessage = new Map<number, Attachment[]>()
  for (const { message_id: messageId, ...attachment } of rows) {
    const list = byMessage.get(messageId)
    if (list) list.push(attachment)
    else byMessage.set(messageId, [attachment])
  }
  for (const message of live) {
    const list = byMessage.get(message.id)
    if (list) message.attachments = list
  }
  return messages
}

/**
 * Links the uploads `ids` to `messageId`; undefined (nothing linked, once the caller's unit
 * rolls back) unless every one is an unsent upload of `uploaderId` to `conversationId`.
 */
export async function claimFiles(
  db: Queryable,
  ids: readonly number[],
  messageId: number,
  conversationId: number,
  uploaderId: number,
): Promise<Attachment[] | undefined> {
  const claimed = await db.allRaw<Attachment>(CLAIM, [
    messageId,
    idList(db, ids),
    conversationId,
    uploaderId,
  ])
  if (claimed.length !== ids.length) return undefined
  return claimed.sort((a, b) => a.id - b.id)
}

/** Removes the rows of a message's files; returns their ids (whose bytes are then removed). */
export async function releaseFiles(db: Queryable, messageId: number): Promise<number[]> {
  const rows = await db.all(
    db.q.deleteFrom('attachments').where('message_id', '=', messageId).returning('id'),
  )
  return rows.map((row) => row.id)
}
