import type { SkinTone } from '../../../shared/preferences'
import { inTone, searchEmoji, type CatalogEmoji, type EmojiCatalog } from './emojiCatalog'

/** How many emoji the composer's `:shortcode:` list offers at once. */
export const MAX_SHORTCODE_OPTIONS = 8

/** The `:…` being typed at the caret: `text.slice(start, caret)` is `:` + `query`. */
export interface ShortcodeQuery {
  start: number
  query: string
}

/** A character a shortcode may contain (`+1`, `thumbs_up`, `e-mail`). */
const SHORTCODE_CHAR = /[a-z0-9_+-]/i

/**
 * The `:shortcode` the caret is writing, if any: a `:` at the start or after white space or an
 * opening bracket (so `12:30` and `https://` are none), then at least two shortcode characters up
 * to the caret. Nothing while text is selected.
 */
export function shortcodeQueryAt(
  text: string,
  caret: number,
  selectionEnd = caret,
): ShortcodeQuery | null {
  if (caret !== selectionEnd || caret > text.length) return null
  let at = caret
  while (at > 0 && SHORTCODE_CHAR.test(text[at - 1]!)) at -= 1
  if (at === 0 || text[at - 1] !== ':' || caret - at < 2) return null
  const start = at - 1
  if (start > 0 && !/[\s([{]/u.test(text[start - 1]!)) return null
  return { start, query: text.slice(at, caret).toLowerCase() }
}

/**
 * The emoji for a query: those with a shortcode starting with it first (the shortest shortcode
 * first, so `:tada` offers 🎉 before longer ones), then by name and keyword.
 */
export function shortcodeOptions(catalog: EmojiCatalog, query: string): CatalogEmoji[] {
  const q = query.toLowerCase()
  const byCode = catalog.all
    .filter((item) => item.shortcodes.some((code) => code.startsWith(q)))
    .map((item) => ({
      item,
      length: Math.min(...item.shortcodes.filter((c) => c.startsWith(q)).map((c) => c.length)),
    }))
    .sort((a, b) => a.length - b.length)
    .map((s) => s.item)
  const seen = new Set(byCode)
  const byName = searchEmoji(catalog, q.replace(/[_-]/g, ' ')).filter((item) => !seen.has(item))
  return [...byCode, ...byName].slice(0, MAX_SHORTCODE_OPTIONS)
}

/** The text with the query replaced by the emoji (in the user's tone) and where the caret goes. */
export function insertEmoji(
  text: string,
  query: ShortcodeQuery,
  caret: number,
  item: CatalogEmoji,
  tone: SkinTone,
): { text: string; caret: number; emoji: string } {
  const emoji = inTone(item, tone)
  return {
    text: text.slice(0, query.start) + emoji + text.slice(caret),
    caret: query.start + emoji.length,
    emoji,
  }
}
