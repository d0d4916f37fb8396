import type { Attachment } from '../../src/shared/models'

/**
 * Types shown inline as they are: raster images only. Anything else (HTML, SVG, scripts, PDFs)
 * goes out as application/octet-stream, so no client renders or runs it from our origin.
 */
export const INLINE_IMAGE_TYPES: ReadonlySet<string> = new Set([
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
])

/** The response headers of an attachment's download. */
export function downloadHeaders(attachment: Attachment): Record<string, string> {
  return {
    'content-type': INLINE_IMAGE_TYPES.has(attachment.mime)
      ? attachment.mime
      : 'application/octet-stream',
    'content-length': String(attachment.size),
    'content-disposition': contentDisposition(attachment.name),
    'x-content-type-options': 'nosniff',
    // An attachment id is never reused and its bytes never change.
    'cache-control': 'private, max-age=31536000, immutable',
  }
}

/**
 * `attachment` with an ASCII fallback name and the real one as RFC 5987 `filename*` (UTF-8,
 * percent-encoded), which every current client prefers.
 */
export function contentDisposition(name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\%]/g, '_')
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  )
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`
}
