import { randomBytes } from 'node:crypto'
import { open, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { DataExportProgress, DataExportResult } from '../../shared/ipc'
import { CoreError } from './coreError'
import { ApiRequestError, NETWORK_ERROR_CODE, type RestClient } from './restClient'

export const EXPORT_BUSY_CODE = 'export_in_progress'
export const EXPORT_BUSY_MESSAGE = 'An export is already being saved.'

/** Progress is told at most this often (bytes), besides the start and the end. */
const PROGRESS_STEP_BYTES = 256 * 1024

export interface DataExportOptions {
  rest: RestClient
  /** Asks where to save (CoreHost.chooseSavePath); null when the user cancels. */
  chooseSavePath(fileName: string): Promise<string | null>
  /** Tells the windows how far it has come (session/exportProgress). */
  progress(progress: DataExportProgress): void
}

/**
 * "Export my data": the server's ZIP of the user's data, saved where the user says. The request
 * goes first, so that a refusal shows before the dialog; then the body, which the server streams
 * while it makes it, is written as it arrives (never held whole: a history of 100,000 messages is
 * hundreds of megabytes) to a hidden file beside the target, renamed over it once complete, as a
 * saved attachment is. One export at a time.
 */
export class DataExportDownload {
  private running = false

  constructor(private readonly options: DataExportOptions) {}

  async save(): Promise<DataExportResult> {
    if (this.running) throw new CoreError(EXPORT_BUSY_CODE, EXPORT_BUSY_MESSAGE)
    this.running = true
    try {
      return await this.download()
    } finally {
      this.running = false
    }
  }

  private async download(): Promise<DataExportResult> {
    const { body, fileName, abort } = await this.options.rest.exportData()
    let target: string | null
    try {
      target = await this.options.chooseSavePath(fileName)
    } catch (error) {
      abort()
      throw error
    }
    if (target === null) {
      abort()
      return { saved: false, bytes: 0 }
    }
    const partial = join(
      dirname(target),
      `.${basename(target)}.${randomBytes(6).toString('hex')}.part`,
    )
    let bytes = 0
    let told = 0
    const progress = this.options.progress
    progress({ state: 'receiving', bytes })
    let reader: ReadableStreamDefaultReader<Uint8Array> | undefined
    try {
      const file = await open(partial, 'wx')
      reader = body.getReader()
      try {
        // Read as it arrives and written before the next read: the export is never held whole.
        for (;;) {
          const { done, value } = await reader.read()
          if (done) break
          await file.write(value)
          bytes += value.length
          if (bytes - told >= PROGRESS_STEP_BYTES) {
            told = bytes
            progress({ state: 'receiving', bytes })
          }
        }
      } finally {
        await file.close()
      }
      await rename(partial, target)
    } catch (error) {
      // The connection goes first, so the server stops making the rest of the export.
      await (reader ?? body).cancel().catch(() => {})
      abort()
      await rm(partial, { force: true })
      progress({ state: 'failed', bytes })
      throw failureOf(error)
    }
    progress({ state: 'saved', bytes })
    return { saved: true, bytes }
  }
}

/** Why a save failed, in the user's words: the file could not be written, or the stream broke. */
function failureOf(error: unknown): CoreError {
  if (error instanceof CoreError) return error
  const { code, message } = error as NodeJS.ErrnoException
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
    return new CoreError('save_failed', `The file could not be written: ${message}`)
  }
  return new ApiRequestError(0, NETWORK_ERROR_CODE, `The export was cut off: ${message}`)
}
