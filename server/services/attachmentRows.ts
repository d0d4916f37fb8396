import type { Attachment, Message } from '../../src/shared/models'
import type { Database } from '../db/database'

type AttachmentRow = Attachment & { message_id: number }

/**
 * The attachments table as messages see it: the files of many messages in one query (a page of
 * history, of search results, the last messages of a conversation list), a send claiming its
 * uploads, and a deletion letting go of them. Sends without attachments never run any of it.
 */
export class AttachmentRows {
  private readonly statements

  constructor(db: Database) {
    const s = db.sqlite
    this.statements = {
      // The ids come as one JSON array, so one prepared statement serves pages of any size.
      ofMessages: s.prepare<[string], AttachmentRow>(
        `select id, message_id, name, mime, size from attachments
         where message_id in (select value from json_each(?))
         order by message_id, id`,
      ),
      // One statement: only the sender's own unsent uploads to this conversation are claimed, so
      // fewer rows than ids means one of them was not such an upload.
      claim: s.prepare<[number, string, number, number], Attachment>(
        `update attachments set message_id = ?
         where id in (select value from json_each(?)) and conversation_id = ? and uploader_id = ?
           and message_id is null
         returning id, name, mime, size`,
      ),
      release: s
        .prepare<[number], number>('delete from attachments where message_id = ? returning id')
        .pluck(),
    }
  }

  /** Sets `attachments` on those of `messages` that have any (and removes a stale one otherwise). */
  attach<T extends Message>(messages: T[]): T[] {
    const live = messages.filter((message) => !message.deleted_at)
    for (const message of messages) delete message.attachments
    if (live.length === 0) return messages
    const byMessage = new Map<number, Attachment[]>()
    for (const { message_id: messageId, ...attachment } of this.statements.ofMessages.all(
      JSON.stringify(live.map((m) => m.id)),
    )) {
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
   * Links the uploads `ids` to `messageId`; undefined (nothing linked, once the caller's savepoint
   * rolls back) unless every one is an unsent upload of `uploaderId` to `conversationId`.
   */
  claim(
    ids: readonly number[],
    messageId: number,
    conversationId: number,
    uploaderId: number,
  ): Attachment[] | undefined {
    const claimed = this.statements.claim.all(
      messageId,
      JSON.stringify(ids),
      conversationId,
      uploaderId,
    )
    if (claimed.length !== ids.length) return undefined
    return claimed.sort((a, b) => a.id - b.id)
  }

  /** Removes the rows of a message's files; returns their ids (whose files are then removed). */
  release(messageId: number): number[] {
    return this.statements.release.all(messageId)
  }
}
