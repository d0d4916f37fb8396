import fs from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'
import type { Queryable } from './database'
import { makePrivateFileDir } from './dataFolder'

/**
 * Where the bytes of uploaded files live. A received upload is first a temporary file (its hash
 * taken on the way); `keep` then moves it into the store as part of the transaction that stores
 * its row, so a failure leaves neither. On SQLite the store is a folder beside the database; on
 * PostgreSQL the bytes are rows of the database itself, so that every node of a cluster reads
 * every file.
 */
export interface AttachmentBytes {
  /** The folder for temporary files of uploads being received. */
  readonly tempDir: string
  /** Start-up: the store exists and holds no half-received upload of a previous run. */
  prepare(): void
  /** Moves the temporary file into the store as attachment `id`, inside `tx`. */
  keep(tx: Queryable, id: number, tempFile: string): Promise<void>
  /** The bytes of attachment `id`, or undefined when they are gone. */
  open(db: Queryable, id: number, size: number): Promise<Readable | undefined>
  /** Removes the bytes of attachments whose rows were deleted (and committed). */
  remove(ids: readonly number[]): void
}

export const TEMP_PREFIX = 'upload-'

/** `<dataDir>/attachments/<id>`: files named by id, never by the user's file name. */
export class FolderAttachmentBytes implements AttachmentBytes {
  readonly tempDir: string

  constructor(dataDir: string) {
    this.tempDir = path.join(dataDir, 'attachments')
  }

  prepare(): void {
    prepareTempDir(this.tempDir)
  }

  async keep(_tx: Queryable, id: number, tempFile: string): Promise<void> {
    // Synchronous on purpose: the unit's savepoint is open, and a failed rename rolls it back.
    fs.renameSync(tempFile, this.fileOf(id))
  }

  async open(_db: Queryable, id: number): Promise<Readable | undefined> {
    const file = this.fileOf(id)
    try {
      await fs.promises.access(file)
    } catch {
      return undefined
    }
    return fs.createReadStream(file)
  }

  remove(ids: readonly number[]): void {
    for (const id of ids) fs.rm(this.fileOf(id), { force: true }, () => {})
  }

  private fileOf(id: number): string {
    return path.join(this.tempDir, String(id))
  }
}

/** Bytes per row of attachment_chunks: a download reads one row at a time. */
const CHUNK_BYTES = 256 * 1024

/**
 * Rows of attachment_chunks (PostgreSQL): each CHUNK_BYTES of a file, in order. Deleting an
 * attachment's row deletes its chunks (a foreign key with cascade), so `remove` has nothing left
 * to do.
 */
export class DatabaseAttachmentBytes implements AttachmentBytes {
  constructor(readonly tempDir: string) {}

  prepare(): void {
    prepareTempDir(this.tempDir)
  }

  async keep(tx: Queryable, id: number, tempFile: string): Promise<void> {
    const handle = await fs.promises.open(tempFile, 'r')
    try {
      const buffer = Buffer.alloc(CHUNK_BYTES)
      for (let seq = 0; ; seq += 1) {
        const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, null)
        if (bytesRead === 0) break
        await tx.run(
          tx.q
            .insertInto('attachment_chunks')
            .values({ attachment_id: id, seq, data: Buffer.from(buffer.subarray(0, bytesRead)) }),
        )
      }
    } finally {
      await handle.close()
    }
    await fs.promises.rm(tempFile, { force: true })
  }

  async open(db: Queryable, id: number, size: number): Promise<Readable | undefined> {
    const first = await this.chunk(db, id, 0)
    if (!first && size > 0) return undefined
    const chunk = (seq: number) => this.chunk(db, id, seq)
    // One row per read: a download holds one chunk in memory, whatever the file's size.
    async function* chunks() {
      let current = first
      for (let seq = 1; current; seq += 1) {
        yield current
        current = await chunk(seq)
      }
    }
    return Readable.from(chunks(), { objectMode: false })
  }

  remove(): void {}

  private async chunk(db: Queryable, id: number, seq: number): Promise<Buffer | undefined> {
    const row = await db.first(
      db.q
        .selectFrom('attachment_chunks')
        .select('data')
        .where('attachment_id', '=', id)
        .where('seq', '=', seq),
    )
    return row?.data
  }
}

function prepareTempDir(dir: string): void {
  makePrivateFileDir(dir)
  for (const name of fs.readdirSync(dir)) {
    if (name.startsWith(TEMP_PREFIX)) fs.rmSync(path.join(dir, name), { force: true })
  }
}
