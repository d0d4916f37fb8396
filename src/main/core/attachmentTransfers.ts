import type { InvokeRequest, InvokeResponse } from '../../shared/ipc'
import type { Attachment } from '../../shared/models'
import { AttachmentCache, type CachedFile } from './attachmentCache'
import { CoreError } from './coreError'
import { ApiRequestError, type RestClient } from './restClient'
import { writeWhole } from './wholeFile'

/** The error of a file transfer tried without a connection. */
export const OFFLINE_CODE = 'offline'
export const OFFLINE_MESSAGE = 'Attachments need a connection.'

export interface AttachmentTransfersOptions {
  rest: RestClient
  /** Asks where to save (CoreHost.chooseSavePath); null when the user cancels. */
  chooseSavePath(fileName: string): Promise<string | null>
  /** The OS network state: offline, a transfer fails at once instead of timing out. */
  isOnline(): boolean
}

/**
 * Files going up to and coming down from the server for one signed-in session (and link previews'
 * images, which come down the same way). Unlike a text
 * send there is no outbox for them: bytes are not queued on disk, so an upload needs a
 * connection and says so. Files read for display are kept in a bounded memory cache.
 */
export class AttachmentTransfers {
  private readonly cache = new AttachmentCache()

  constructor(private readonly options: AttachmentTransfersOptions) {}

  upload(request: InvokeRequest<'attachments/upload'>): Promise<Attachment> {
    return this.online(() =>
      this.options.rest.uploadAttachment(
        request.conversation_id,
        request.name,
        request.mime,
        request.data,
      ),
    )
  }

  async read(request: InvokeRequest<'attachments/read'>): Promise<CachedFile> {
    const key = `${request.conversation_id}/${request.attachment_id}`
    const cached = this.cache.get(key)
    if (cached) return cached
    const file = await this.online(() =>
      this.options.rest.attachmentBytes(request.conversation_id, request.attachment_id),
    )
    this.cache.set(key, file)
    return file
  }

  /**
   * A link preview's image: the server fetched it from the linked site, main fetches it from the
   * server with the session's token (the page has neither the token nor the right to load remote
   * images). Kept in the same memory cache, by its path: every message linking the same page
   * shares it, and scrolling back does not fetch it again. A page read again by the server may
   * change its image under the same path; this session keeps the one it saw.
   */
  async linkPreviewImage(request: InvokeRequest<'previews/image'>): Promise<CachedFile> {
    const key = request.image_path
    const cached = this.cache.get(key)
    if (cached) return cached
    const file = await this.online(() => this.options.rest.linkPreviewImage(request.image_path))
    this.cache.set(key, file)
    return file
  }

  /** Fetches the file first, so a failure shows before the dialog rather than after it. */
  async save(
    request: InvokeRequest<'attachments/save'>,
  ): Promise<InvokeResponse<'attachments/save'>> {
    const { data } = await this.read(request)
    const target = await this.options.chooseSavePath(suggestedName(request.name))
    if (target === null) return { saved: false }
    await writeWhole(target, data)
    return { saved: true }
  }

  private async online<T>(call: () => Promise<T>): Promise<T> {
    if (!this.options.isOnline()) throw new CoreError(OFFLINE_CODE, OFFLINE_MESSAGE)
    try {
      return await call()
    } catch (error) {
      if (error instanceof ApiRequestError && error.status === 0) {
        throw new CoreError(OFFLINE_CODE, OFFLINE_MESSAGE)
      }
      throw error
    }
  }
}

/** The name offered in the dialog: no folders of the sender's choosing, never empty. */
function suggestedName(name: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = name.replace(/[/\\\u0000-\u001f\u007f]/g, '').trim()
  return clean === '' || clean === '.' || clean === '..' ? 'attachment' : clean
}
