import { createHash } from 'node:crypto'
import fs from 'node:fs'
import type { Readable } from 'node:stream'
import { requestTimeout } from './connectionLimits'
import { HttpError } from './httpError'

/** What a received body was: its length and hex SHA-256. */
export interface ReceivedBody {
  size: number
  sha256: string
}

export const payloadTooLarge = (maxBytes: number) =>
  new HttpError(413, 'payload_too_large', `The file is larger than the limit of ${size(maxBytes)}.`)

/** "25 MiB (26214400 bytes)" for whole mebibytes, else the bytes alone. */
export function size(bytes: number): string {
  const mib = bytes / (1024 * 1024)
  return Number.isInteger(mib) ? `${mib} MiB (${bytes} bytes)` : `${bytes} bytes`
}

/** How long a body may take: in all, and between two chunks. */
export interface BodyDeadlines {
  totalMs: number
  idleMs: number
}

/**
 * Streams a request body into `target` (a new file), hashing it on the way, and refuses it with
 * 413 as soon as it passes `maxBytes` (`tooLarge()` says why). The request itself is never destroyed: past the limit its
 * remaining bytes are read and dropped, so the 413 reaches the client and its connection stays
 * usable. A body that takes longer than `deadlines.totalMs`, or sends nothing for
 * `deadlines.idleMs`, is refused with 408 (its connection is then closed: see errorHandling). On
 * any failure the partial file is removed.
 */
export function receiveBody(
  source: Readable,
  target: string,
  maxBytes: number,
  deadlines: BodyDeadlines,
  tooLarge: () => Error = () => payloadTooLarge(maxBytes),
): Promise<ReceivedBody> {
  return new Promise((resolve, reject) => {
    // Owner only, as every file of the data folder (see storage/dataFolder).
    const file = fs.createWriteStream(target, { flags: 'wx', mode: 0o600 })
    const hash = createHash('sha256')
    let size = 0
    let settled = false
    const fail = (error: unknown) => {
      if (settled) return
      settled = true
      clearTimeout(total)
      clearTimeout(idle)
      source.resume()
      // The file is removed once its stream has closed: a refusal on the first chunk can come
      // before the stream has opened (created) the file, and a removal then would leave the file
      // that the open creates after it.
      const remove = () => fs.rm(target, { force: true }, () => reject(error))
      if (file.closed) remove()
      else file.once('close', remove).destroy()
    }
    const tooSlow = () => fail(requestTimeout('file'))
    const total = setTimeout(tooSlow, deadlines.totalMs)
    const idle = setTimeout(tooSlow, deadlines.idleMs)
    source.on('data', (chunk: Buffer) => {
      if (settled) return
      idle.refresh()
      size += chunk.length
      if (size > maxBytes) {
        fail(tooLarge())
        return
      }
      hash.update(chunk)
      if (!file.write(chunk)) {
        source.pause()
        file.once('drain', () => source.resume())
      }
    })
    source.once('end', () => {
      if (settled) return
      clearTimeout(total)
      clearTimeout(idle)
      file.end(() => {
        if (settled) return
        settled = true
        resolve({ size, sha256: hash.digest('hex') })
      })
    })
    // The client went away before the end: nothing of it is kept.
    source.once('close', () => {
      if (!source.readableEnded) fail(new Error('The upload was cut short.'))
    })
    source.once('error', fail)
    file.once('error', fail)
  })
}
