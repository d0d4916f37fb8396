import { plainText } from '../../../shared/markdown'
import type { SnippetPart } from '../../../shared/models'

/** Words of context around the first match, about what the server's snippets show. */
const CONTEXT_WORDS = 16
const WORD = /[\p{L}\p{N}]+/gu

/** Lower case without accents, as the index compares (unicode61 with remove_diacritics). */
function folded(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase()
}

/**
 * A snippet for a result whose message was edited after the search answered: the new text, its
 * words that start with a word of the query marked, cut to about as many words as the server's
 * snippets around the first of them. The server's own rules (Chinese and Japanese by character)
 * are not repeated here: such text is shown without marks until the next search.
 */
export function editedSnippet(written: string, query: string): SnippetPart[] {
  // As the server indexes it: the words as they read, without formatting markers.
  const text = plainText(written)
  const terms = query
    .split(/\s+/u)
    .map(folded)
    .filter((term) => term !== '')
  const words = [...text.matchAll(WORD)].map((m) => ({
    start: m.index,
    end: m.index + m[0].length,
    match: terms.some((term) => folded(m[0]).startsWith(term)),
  }))
  const first = Math.max(
    0,
    words.findIndex((w) => w.match),
  )
  const from = Math.max(0, first - 4)
  const to = Math.min(words.length, from + CONTEXT_WORDS)
  const start = from === 0 ? 0 : words[from]!.start
  const end = to === words.length ? text.length : words[to - 1]!.end
  const parts: SnippetPart[] = []
  const push = (part: string, match: boolean) => {
    if (part === '') return
    const last = parts[parts.length - 1]
    if (last && last.match === match) last.text += part
    else parts.push({ text: part, match })
  }
  if (start > 0) push('…', false)
  let at = start
  for (const word of words.slice(from, to)) {
    if (!word.match) continue
    push(text.slice(at, word.start), false)
    push(text.slice(word.start, word.end), true)
    at = word.end
  }
  push(text.slice(at, end), false)
  if (end < text.length) push('…', false)
  return parts
}
