import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { Readable } from 'node:stream'
import type { Attachment } from '../../src/shared/models'
import { nowIso } from '../clock'
import { badRequest, notFound } from '../http/httpError'
import { receiveBody } from '../http/receiveBody'
import { TEMP_PREFIX, type AttachmentBytes } from '../storage/attachmentBytes'
import type { Database } from '../storage/database'
import type { UnitOfWork } from '../storage/unitOfWork'
import type { Conversations } from './conversations'

/** How long an upload no message claimed is kept. */
export const UNSENT_UPLOAD_TTL_MS = 24 * 60 * 60 * 1000

/** An attachment the caller may download, with its bytes. */
export interface StoredAttachment extends Attachment {
  bytes: Readable
}

/**
 * Uploaded files: rows in the attachments table, bytes in an AttachmentBytes store (a folder on
 * SQLite, the database on PostgreSQL). A send links uploads to its message (attachmentRows); a
 * deletion of the message, or 24 hours without one, removes them.
 */
export class Attachments {
  constructor(
    private readonly db: Database,
    private readonly bytes: AttachmentBytes,
    private readonly conversations: Conversations,
    private readonly unitOfWork: UnitOfWork,
    private readonly maxBytes: number,
  ) {}

  /** Start-up: the store exists and holds no half-received upload of a previous run. */
  prepare(): void {
    this.bytes.prepare()
  }

  /** Refuses an upload before its bytes are read: not a member, or not a Tidings conversation. */
  async requireUploadable(userId: number, conversationId: number): Promise<void> {
    const { platform } = await this.conversations.requireMember(this.db, conversationId, userId)
    if (platform !== 'tidings') {
      throw badRequest(`Attachments cannot be sent to a ${platform} conversation yet.`)
    }
  }

  /**
   * Receives a file into a temporary name, then stores its row and its bytes in one transaction.
   * `contentType` is the request's header; `name` the uploader's file name.
   */
  async upload(
    userId: number,
    conversationId: number,
    name: string,
    contentType: string | undefined,
    body: Readable | undefined,
  ): Promise<Attachment> {
    await this.requireUploadable(userId, conversationId)
    const safeName = cleanFileName(name)
    if (!safeName) throw badRequest('The file name is empty once path separators are removed.')
    if (!body) throw badRequest('The file is empty.')
    const temp = path.join(this.bytes.tempDir, `${TEMP_PREFIX}${randomUUID()}`)
    const { size, sha256 } = await receiveBody(body, temp, this.maxBytes)
    if (size === 0) {
      fs.rmSync(temp, { force: true })
      throw badRequest('The file is empty.')
    }
    const mime = mediaType(contentType)
    try {
      return await this.unitOfWork.transaction(async (tx) => {
        const { id } = (await tx.first(
          tx.q
            .insertInto('attachments')
            .values({
              conversation_id: conversationId,
              uploader_id: userId,
              message_id: null,
              name: safeName,
              mime,
              size,
              sha256,
              created_at: nowIso(),
            })
            .returning('id'),
        ))!
        // Inside the transaction: bytes that cannot be kept roll the row back.
        await this.bytes.keep(tx, id, temp)
        return { id, name: safeName, mime, size }
      })
    } catch (error) {
      fs.rmSync(temp, { force: true })
      throw error
    }
  }

  /**
   * An attachment of this conversation the caller may read: 404 when unknown, of another
   * conversation, an upload no message carries yet that is not the caller's, or whose bytes are
   * gone (removed by hand).
   */
  async open(
    userId: number,
    conversationId: number,
    attachmentId: number,
  ): Promise<StoredAttachment> {
    await this.conversations.requireMember(this.db, conversationId, userId)
    const row = await this.db.first(
      this.db.q
        .selectFrom('attachments')
        .select(['id', 'name', 'mime', 'size', 'uploader_id', 'message_id'])
        .where('id', '=', attachmentId)
        .where('conversation_id', '=', conversationId),
    )
    if (!row || (row.message_id === null && row.uploader_id !== userId)) {
      throw notFound('Attachment')
    }
    const bytes = await this.bytes.open(this.db, row.id, row.size)
    if (!bytes) throw notFound('Attachment')
    return { id: row.id, name: row.name, mime: row.mime, size: row.size, bytes }
  }

  /** The stored bytes of an attachment the caller was already allowed (a data export). */
  storedBytes(attachmentId: number, size: number): Promise<Readable | undefined> {
    return this.bytes.open(this.db, attachmentId, size)
  }

  /** Removes the bytes of released rows once their removal is committed (kept if rolled back). */
  removeWhenCommitted(ids: readonly number[]): void {
    this.unitOfWork.whenCommitted({
      committed: () => this.bytes.remove(ids),
      failed: () => {},
    })
  }

  /** Removes the uploads no message claimed within UNSENT_UPLOAD_TTL_MS; returns how many. */
  async sweepUnsent(): Promise<number> {
    const cutoff = new Date(Date.now() - UNSENT_UPLOAD_TTL_MS).toISOString()
    const ids = await this.unitOfWork.transaction(async (tx) =>
      (
        await tx.all(
          tx.q
            .deleteFrom('attachments')
            .where('message_id', 'is', null)
            .where('created_at', '<', cutoff)
            .returning('id'),
        )
      ).map((row) => row.id),
    )
    if (ids.length > 0) this.removeWhenCommitted(ids)
    return ids.length
  }
}

/** The name without path separators or control characters, trimmed. */
export function cleanFileName(name: string): string {
  // eslint-disable-next-line no-control-regex
  return name.replace(/[/\\\u0000-\u001f\u007f]/g, '').trim()
}

const MEDIA_TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/

/** The media type of a Content-Type header without its parameters; octet-stream if unusable. */
function mediaType(contentType: string | undefined): string {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase()
  return MEDIA_TYPE.test(type) && type.length <= 255 ? type : 'application/octet-stream'
}
