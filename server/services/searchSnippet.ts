import { MATCH_END, MATCH_START } from './searchText'

/** A letter, digit or mark run: a token, as FTS5's unicode61 and PostgreSQL's parser cut text. */
const TOKEN = /[\p{L}\p{N}\p{M}]+/gu

interface Token {
  start: number
  end: number
  /** Lower case without diacritics, as the index compares. */
  folded: string
}

function tokens(text: string): Token[] {
  return [...text.matchAll(TOKEN)].map((m) => ({
    start: m.index,
    end: m.index + m[0].length,
    folded: fold(m[0]),
  }))
}

function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()
}

/** Where a phrase of the query matched: its first and last token, and which phrase. */
interface Instance {
  first: number
  last: number
  phrase: number
}

/**
 * A snippet of an indexed text (searchText's `indexable`) for a query's words, made the way
 * FTS5's snippet() makes one, for the PostgreSQL search: a window of `size` tokens around the
 * matches (the one holding the most different words of the query, then the most matches, then
 * the earliest), each match enclosed in MATCH_START/MATCH_END, and "…" where text was cut off.
 * Each word is a phrase of its tokens, the last one a prefix, as the query matched it.
 */
export function highlightSnippet(body: string, words: readonly string[], size: number): string {
  const all = tokens(body)
  const phrases = words.map((word) => tokens(word).map((t) => t.folded)).filter((p) => p.length)
  const instances: Instance[] = []
  phrases.forEach((phrase, index) => {
    for (let i = 0; i + phrase.length <= all.length; i += 1) {
      const matches = phrase.every((part, k) =>
        k === phrase.length - 1 ? all[i + k]!.folded.startsWith(part) : all[i + k]!.folded === part,
      )
      if (matches) instances.push({ first: i, last: i + phrase.length - 1, phrase: index })
    }
  })
  let from = 0
  if (all.length > size) {
    let best = -1
    for (const instance of instances) {
      const centered =
        instance.first - Math.floor((size - (instance.last - instance.first + 1)) / 2)
      const start = Math.min(Math.max(0, centered), all.length - size)
      const inside = instances.filter((i) => i.first >= start && i.last < start + size)
      const score = new Set(inside.map((i) => i.phrase)).size * 1000 + inside.length
      if (score > best || (score === best && start < from)) {
        best = score
        from = start
      }
    }
  }
  const to = Math.min(all.length, from + size) - 1
  const textStart = from === 0 ? 0 : all[from]!.start
  const textEnd = to === all.length - 1 ? body.length : all[to]!.end
  // Matches inside the window, overlapping ones merged, in order.
  const spans: { start: number; end: number }[] = []
  for (const instance of instances
    .filter((i) => i.first >= from && i.last <= to)
    .sort((a, b) => a.first - b.first)) {
    const start = all[instance.first]!.start
    const end = all[instance.last]!.end
    const previous = spans.at(-1)
    if (previous && start < previous.end) previous.end = Math.max(previous.end, end)
    else spans.push({ start, end })
  }
  let out = from > 0 ? '…' : ''
  let at = textStart
  for (const span of spans) {
    out += body.slice(at, span.start) + MATCH_START + body.slice(span.start, span.end) + MATCH_END
    at = span.end
  }
  out += body.slice(at, textEnd)
  if (textEnd < body.length) out += '…'
  return out
}
