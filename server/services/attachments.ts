import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { Readable } from 'node:stream'
import type { Attachment } from '../../src/shared/models'
import { nowIso } from '../clock'
import type { Database } from '../db/database'
import { badRequest, notFound } from '../http/httpError'
import { receiveBody } from '../http/receiveBody'
import type { UnitOfWork } from '../realtime/unitOfWork'
import type { Conversations } from './conversations'

/** How long an upload no message claimed is kept. */
export const UNSENT_UPLOAD_TTL_MS = 24 * 60 * 60 * 1000

const TEMP_PREFIX = 'upload-'

/** An attachment the caller may download, with where its bytes are. */
export interface StoredAttachment extends Attachment {
  file: string
}

/**
 * Uploaded files: bytes in `<dataDir>/attachments/<id>` (named by id, never by the user's file
 * name), rows in the attachments table. A send links uploads to its message (AttachmentRows);
 * a deletion of the message, or 24 hours without one, removes them.
 */
export class Attachments {
  readonly dir: string

  constructor(
    private readonly db: Database,
    dataDir: string,
    private readonly conversations: Conversations,
    private readonly unitOfWork: UnitOfWork,
    private readonly maxBytes: number,
  ) {
    this.dir = path.join(dataDir, 'attachments')
  }

  /** Start-up: the folder exists and holds no half-received upload of a previous run. */
  prepare(): void {
    fs.mkdirSync(this.dir, { recursive: true })
    for (const name of fs.readdirSync(this.dir)) {
      if (name.startsWith(TEMP_PREFIX)) fs.rmSync(path.join(this.dir, name), { force: true })
    }
  }

  /** Refuses an upload before its bytes are read: not a member, or not a Tidings conversation. */
  requireUploadable(userId: number, conversationId: number): void {
    const { platform } = this.conversations.requireMember(conversationId, userId)
    if (platform !== 'tidings') {
      throw badRequest(`Attachments cannot be sent to a ${platform} conversation yet.`)
    }
  }

  /**
   * Receives a file into a temporary name, then stores its row and renames it to its id in one
   * unit of work. `contentType` is the request's header; `name` the uploader's file name.
   */
  async upload(
    userId: number,
    conversationId: number,
    name: string,
    contentType: string | undefined,
    body: Readable | undefined,
  ): Promise<Attachment> {
    this.requireUploadable(userId, conversationId)
    const safeName = cleanFileName(name)
    if (!safeName) throw badRequest('The file name is empty once path separators are removed.')
    if (!body) throw badRequest('The file is empty.')
    const temp = path.join(this.dir, `${TEMP_PREFIX}${randomUUID()}`)
    const { size, sha256 } = await receiveBody(body, temp, this.maxBytes)
    if (size === 0) {
      fs.rmSync(temp, { force: true })
      throw badRequest('The file is empty.')
    }
    const mime = mediaType(contentType)
    try {
      return this.unitOfWork.run(() => {
        const { id } = this.db.first(
          this.db.q
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
        )!
        // Inside the unit: a failed rename rolls the row back.
        fs.renameSync(temp, this.fileOf(id))
        return { id, name: safeName, mime, size }
      })
    } catch (error) {
      fs.rmSync(temp, { force: true })
      throw error
    }
  }

  /**
   * An attachment of this conversation the caller may read: 404 when unknown, of another
   * conversation, or an upload no message carries yet that is not the caller's.
   */
  open(userId: number, conversationId: number, attachmentId: number): StoredAttachment {
    this.conversations.requireMember(conversationId, userId)
    const row = this.db.first(
      this.db.q
        .selectFrom('attachments')
        .select(['id', 'name', 'mime', 'size', 'uploader_id', 'message_id'])
        .where('id', '=', attachmentId)
        .where('conversation_id', '=', conversationId),
    )
    if (!row || (row.message_id === null && row.uploader_id !== userId)) {
      throw notFound('Attachment')
    }
    return { id: row.id, name: row.name, mime: row.mime, size: row.size, file: this.fileOf(row.id) }
  }

  /** Removes the files of released rows once their removal is committed (kept if rolled back). */
  removeFilesWhenCommitted(ids: readonly number[]): void {
    this.unitOfWork.whenCommitted({
      committed: () => {
        for (const id of ids) fs.rm(this.fileOf(id), { force: true }, () => {})
      },
      failed: () => {},
    })
  }

  /** Removes the uploads no message claimed within UNSENT_UPLOAD_TTL_MS; returns how many. */
  sweepUnsent(): number {
    const cutoff = new Date(Date.now() - UNSENT_UPLOAD_TTL_MS).toISOString()
    const ids = this.unitOfWork.run(() =>
      this.db
        .all(
          this.db.q
            .deleteFrom('attachments')
            .where('message_id', 'is', null)
            .where('created_at', '<', cutoff)
            .returning('id'),
        )
        .map((row) => row.id),
    )
    if (ids.length > 0) this.removeFilesWhenCommitted(ids)
    return ids.length
  }

  private fileOf(id: number): string {
    return path.join(this.dir, String(id))
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
