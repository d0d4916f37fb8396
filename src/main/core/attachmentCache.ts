/** A file's bytes as the renderer shows them. */
export interface CachedFile {
  mime: string
  data: Uint8Array
}

/** How many bytes of recently shown files main keeps, so scrolling back does not refetch them. */
export const ATTACHMENT_CACHE_BYTES = 64 * 1024 * 1024

/**
 * Recently read attachments, least recently used first out, bounded by their total bytes (a
 * count would let a few large files take any amount of memory). A file larger than the whole
 * budget is not kept. Attachment ids are never reused and files never change, so an entry is
 * never stale; the cache lives as long as one signed-in session.
 */
export class AttachmentCache {
  /** Map order is use order: the first key is the least recently used. */
  private readonly entries = new Map<string, CachedFile>()
  private bytes = 0

  constructor(private readonly maxBytes = ATTACHMENT_CACHE_BYTES) {}

  get(key: string): CachedFile | undefined {
    const entry = this.entries.get(key)
    if (entry) {
      this.entries.delete(key)
      this.entries.set(key, entry)
    }
    return entry
  }

  set(key: string, file: CachedFile): void {
    this.remove(key)
    if (file.data.byteLength > this.maxBytes) return
    this.entries.set(key, file)
    this.bytes += file.data.byteLength
    for (const [oldest, entry] of this.entries) {
      if (this.bytes <= this.maxBytes) break
      this.entries.delete(oldest)
      this.bytes -= entry.data.byteLength
    }
  }

  /** Total bytes held now. */
  get size(): number {
    return this.bytes
  }

  private remove(key: string): void {
    const entry = this.entries.get(key)
    if (!entry) return
    this.entries.delete(key)
    this.bytes -= entry.data.byteLength
  }
}
