import { find } from 'linkifyjs'
import { boundedFetch, FetchRefusedError, type FetchBounds } from './boundedFetch'
import { pageMetadata, type PageMetadata } from './pageMetadata'
import type { ResolveHost } from './publicAddress'

/** The bounds of link previews (issue 23): 5 s, 3 redirects, 1 MiB of HTML, 5 MiB of image. */
export const linkPreviewLimits = {
  page: {
    timeoutMs: 5_000,
    maxBytes: 1024 * 1024,
    overLimit: 'truncate',
    maxRedirects: 3,
    contentTypes: ['text/html', 'application/xhtml+xml'],
    accept: 'text/html,application/xhtml+xml;q=0.9',
  },
  image: {
    timeoutMs: 5_000,
    maxBytes: 5 * 1024 * 1024,
    overLimit: 'refuse',
    maxRedirects: 3,
    // Raster images only: an SVG is a document that can carry scripts and links.
    contentTypes: ['image/png', 'image/jpeg', 'image/gif', 'image/webp'],
    accept: 'image/png,image/jpeg,image/gif,image/webp',
  },
} satisfies Record<string, FetchBounds>

export interface UnfurledLink extends PageMetadata {
  /** The link as written in the message (the preview's key). */
  url: string
  /** The page's image, fetched by the server so the app never contacts the linked site. */
  image?: { mime: string; bytes: Buffer }
}

/** The first http(s) link of a message's text, as linkifyjs (the app's linkifier) finds it. */
export function firstLink(text: string): string | undefined {
  return find(text, 'url').find((link) => /^https?:\/\//i.test(link.href))?.href
}

/**
 * A link's preview: the page's metadata and its image. Null when the page gives nothing to show
 * (refused, failed, not HTML, no title or description). A page whose image cannot be fetched
 * keeps its text.
 */
export async function unfurl(
  url: string,
  resolveHost: ResolveHost,
  limits: typeof linkPreviewLimits = linkPreviewLimits,
): Promise<UnfurledLink | null> {
  let metadata: PageMetadata
  try {
    const page = await boundedFetch(url, limits.page, resolveHost)
    metadata = pageMetadata(decode(page.body, page.charset), page.url)
  } catch (error) {
    if (error instanceof FetchRefusedError) return null
    throw error
  }
  if (!metadata.title && !metadata.description) return null
  const { imageUrl, ...text } = metadata
  const preview: UnfurledLink = { url, ...text }
  if (imageUrl) {
    try {
      const image = await boundedFetch(imageUrl, limits.image, resolveHost)
      preview.image = { mime: image.contentType, bytes: image.body }
    } catch (error) {
      if (!(error instanceof FetchRefusedError)) throw error
    }
  }
  return preview
}

/** The page's text in its declared charset; UTF-8 when it names none or one unknown here. */
function decode(body: Buffer, charset: string | undefined): string {
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(body)
  } catch {
    return new TextDecoder('utf-8').decode(body)
  }
}
