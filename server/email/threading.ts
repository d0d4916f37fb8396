/** Pure helpers for threading mail into conversations by References, In-Reply-To and subject. */

const REPLY_PREFIX = /^\s*((re|fw|fwd|aw|wg|sv|vs|antw|rif|tr)(\[\d+\])?\s*:\s*)+/i

/** The subject without reply/forward prefixes and list tags, lower-cased: the thread's key. */
export function normalizeSubject(subject: string | null | undefined): string {
  let s = (subject ?? '').replace(/\s+/g, ' ').trim()
  for (;;) {
    const next = s.replace(REPLY_PREFIX, '').replace(/^\[[^\]]{1,40}\]\s*/, '')
    if (next === s) break
    s = next
  }
  return s.toLowerCase()
}

/** "Re:" and its translations (Aw, Sv, Vs, Antw, Rif), but not the forward prefixes. */
const ANSWER_PREFIX = /^\s*(re|aw|sv|vs|antw|rif)(\[\d+\])?\s*:/i

/**
 * The subject of a reply in a thread: "Re: <subject>" unless it already starts like a reply. A
 * forward's subject gets it too ("Re: Fwd: Budget"): without it the answer reads as a forward.
 */
export function replySubject(subject: string): string {
  return ANSWER_PREFIX.test(subject) ? subject : `Re: ${subject}`
}

/** Every `<id>` in a Message-ID, In-Reply-To or References header value, in order. */
export function messageIds(value: string | null | undefined): string[] {
  return [...(value ?? '').matchAll(/<[^<>\s]+>/g)].map((match) => match[0])
}

/** The value of one header in a raw header block (unfolded), or null. */
export function headerValue(block: string, name: string): string | null {
  const unfolded = block.replace(/\r?\n[ \t]+/g, ' ')
  const wanted = name.toLowerCase()
  for (const line of unfolded.split(/\r?\n/)) {
    const colon = line.indexOf(':')
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === wanted) {
      return line.slice(colon + 1).trim()
    }
  }
  return null
}

/** A rough plain-text rendering of an HTML body, for mail that has no text part. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li|tr|h[1-6])>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
}
