import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { Readable } from 'node:stream'
import type { Attachment } from '../../src/shared/models'
import { nowIso } from '../clock'
import { HttpError, badRequest, notFound } from '../http/httpError'
import { receiveBody, size as sizeText, type BodyDeadlines } from '../http/receiveBody'
import { TEMP_PREFIX, type AttachmentBytes } from '../storage/attachmentBytes'
import type { Database, Queryable } from '../storage/database'
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
/** What an upload may be: its size, how long it may take to arrive, and the user's quotas. */
export interface UploadLimits {
  /** Largest file, in bytes. */
  maxBytes: number
  deadlines: BodyDeadlines
  /** Bytes of a user's uploads that no message carries yet, at most. */
  unsentQuotaBytes: number
  /** Bytes of every file a user uploaded (sent or not), at most; 0 for no limit. */
  storageQuotaBytes: number
}

/** 413 quota_exceeded: the user may not store this much more. */
const quotaExceeded = (message: string) => new HttpError(413, 'quota_exceeded', message)

/** How much more a user may upload now, and which quota says so. */
interface Room {
  bytes: number
  refusal: () => HttpError
}

export class Attachments {
  private readonly maxBytes: number

  constructor(
    private readonly db: Database,
    private readonly bytes: AttachmentBytes,
    private readonly conversations: Conversations,
    private readonly unitOfWork: UnitOfWork,
    private readonly limits: UploadLimits,
  ) {
    this.maxBytes = limits.maxBytes
  }

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
    // Refused before a byte is read when the user has no room left; else received up to the
    // room (or the size limit, the smaller), and counted again where the row is stored, since
    // uploads of the same user may run side by side.
    const room = await this.room(this.db, userId)
    if (room.bytes <= 0) throw room.refusal()
    const limit = Math.min(this.maxBytes, room.bytes)
    const temp = path.join(this.bytes.tempDir, `${TEMP_PREFIX}${randomUUID()}`)
    const { size, sha256 } = await receiveBody(
      body,
      temp,
      limit,
      this.limits.deadlines,
      limit < this.maxBytes ? room.refusal : undefined,
    )
    if (size === 0) {
      fs.rmSync(temp, { force: true })
      throw badRequest('The file is empty.')
    }
    const mime = mediaType(contentType)
    try {
      return await this.unitOfWork.transaction(async (tx) => {
        // One upload of the user at a time past this point (PostgreSQL: the user's row locked
        // until the commit; SQLite has one writer), so two cannot both take the last room.
        if (tx.dialect === 'postgres') {
          await tx.first(tx.q.selectFrom('users').select('id').where('id', '=', userId).forUpdate())
        }
        const now = await this.room(tx, userId)
        if (size > now.bytes) throw now.refusal()
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

  /** How many more bytes `userId` may upload, by the tighter of the two quotas. */
  private async room(db: Queryable, userId: number): Promise<Room> {
    const { unsentQuotaBytes, storageQuotaBytes } = this.limits
    const sum = async (unsentOnly: boolean) => {
      let query = db.q
        .selectFrom('attachments')
        .select((eb) => eb.fn.sum<number | string | null>('size').as('bytes'))
        .where('uploader_id', '=', userId)
      if (unsentOnly) query = query.where('message_id', 'is', null)
      return Number((await db.first(query))?.bytes ?? 0)
    }
    const unsent: Room = {
      bytes: unsentQuotaBytes - (await sum(true)),
      refusal: () =>
        quotaExceeded(
          `Your uploads not sent yet would pass ${sizeText(unsentQuotaBytes)}: send them, or wait until they are removed a day after their upload.`,
        ),
    }
    if (storageQuotaBytes <= 0) return unsent
    const stored: Room = {
      bytes: storageQuotaBytes - (await sum(false)),
      refusal: () =>
        quotaExceeded(
          `Your files would pass your storage quota of ${sizeText(storageQuotaBytes)}: delete messages with files to make room.`,
        ),
    }
    return stored.bytes < unsent.bytes ? stored : unsent
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
