import { randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { rename, rm, writeFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'

/**
 * Writes a file so that it appears only complete: to a hidden name in the same folder, then
 * renamed over the target (a rename within a folder is atomic). Whoever opens the target, the
 * user's file manager or a test, finds the old file or the whole new one, never a part of it.
 */
export async function writeWhole(target: string, data: Uint8Array): Promise<void> {
  await whole(target, (partial) => writeFile(partial, data, { flag: 'wx' }))
}

/** The same for bytes that arrive as a stream (a download of any size, held a chunk at a time). */
export async function streamWhole(target: string, source: Readable): Promise<void> {
  await whole(target, (partial) => pipeline(source, createWriteStream(partial, { flags: 'wx' })))
}

async function whole(target: string, write: (partial: string) => Promise<void>): Promise<void> {
  const partial = join(
    dirname(target),
    `.${basename(target)}.${randomBytes(6).toString('hex')}.part`,
  )
  try {
    await write(partial)
    await rename(partial, target)
  } catch (error) {
    await rm(partial, { force: true })
    throw error
  }
}
