import { Parser } from 'htmlparser2'

/** What a page says about itself, for a link preview card. Empty fields are left out. */
export interface PageMetadata {
  title?: string
  description?: string
  siteName?: string
  /** Absolute http(s) URL of the page's image (og:image, twitter:image), not fetched yet. */
  imageUrl?: string
}

/** Longest kept text of each field: a card shows a line or three. */
const MAX_TITLE = 300
const MAX_DESCRIPTION = 1000
const MAX_SITE_NAME = 100

/**
 * Reads a page's OpenGraph and Twitter card tags, with `<title>` and `<meta name=description>` as
 * fallbacks, with htmlparser2 (a forgiving HTML parser: entities decoded, broken markup tolerated).
 * Only the head matters: parsing stops at `<body>`. Relative image URLs resolve against `pageUrl`.
 */
export function pageMetadata(html: string, pageUrl: string): PageMetadata {
  const meta = new Map<string, string>()
  let title = ''
  let inTitle = false
  let done = false
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (done) return
        if (name === 'body') {
          done = true
          return
        }
        if (name === 'title') inTitle = true
        if (name !== 'meta') return
        const key = (attributes.property ?? attributes.name ?? '').trim().toLowerCase()
        const content = attributes.content
        // The first of each wins, as crawlers do (a page may repeat og:image for sizes).
        if (key && content !== undefined && !meta.has(key)) meta.set(key, content)
      },
      ontext(text) {
        if (inTitle && !done) title += text
      },
      onclosetag(name) {
        if (name === 'title') inTitle = false
        if (name === 'head') done = true
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  )
  parser.write(html)
  parser.end()

  const pick = (...keys: string[]) =>
    keys.map((k) => clean(meta.get(k) ?? '')).find((v) => v.length > 0)
  const result: PageMetadata = {}
  const chosenTitle = pick('og:title', 'twitter:title') ?? clean(title)
  if (chosenTitle) result.title = cut(chosenTitle, MAX_TITLE)
  const description = pick('og:description', 'twitter:description', 'description')
  if (description) result.description = cut(description, MAX_DESCRIPTION)
  const siteName = pick('og:site_name', 'application-name')
  if (siteName) result.siteName = cut(siteName, MAX_SITE_NAME)
  const image = pick('og:image:secure_url', 'og:image', 'og:image:url', 'twitter:image')
  const imageUrl = image ? absoluteHttpUrl(image, pageUrl) : undefined
  if (imageUrl) result.imageUrl = imageUrl
  return result
}

/** Whitespace runs as one space (a title may span lines). */
function clean(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}

/** The start of a text, cut between characters (never inside a surrogate pair), with an ellipsis. */
function cut(text: string, max: number): string {
  const chars = Array.from(text)
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`
}

function absoluteHttpUrl(url: string, base: string): string | undefined {
  try {
    const resolved = new URL(url, base)
    return resolved.protocol === 'http:' || resolved.protocol === 'https:'
      ? resolved.href
      : undefined
  } catch {
    return undefined
  }
}
