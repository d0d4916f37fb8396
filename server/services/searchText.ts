import type { SnippetPart } from '../../src/shared/models'

/** Marks a match in a snippet (see MessageSearch); private-use, so no text ever means it. */
export const MATCH_START = '\uE000'
export const MATCH_END = '\uE001'

/**
 * Set around each Chinese or Japanese character in the text given to FTS5, and declared a
 * separator in the tokenizer (migration 6). A Unicode noncharacter: no text exchanged means
 * anything by it, so removing it from a snippet gives back the original text exactly.
 */
export const CJK_SEPARATOR = '\uFDD0'

/** Characters the index must never see in a message: they would mean ours in a snippet. */
const RESERVED = /[\uE000\uE001\uFDD0]/g

/**
 * A letter or digit of a script written without spaces between words (Han, Hiragana, Katakana,
 * with their iteration and prolonged-sound marks). unicode61 would make a whole run of them one
 * token (a sentence, often), so a word inside it could never be found; as one token per
 * character, a query's run of them is found anywhere as a phrase of adjacent characters. Hangul
 * is left out: Korean separates words with spaces, and unicode61's word tokens suit it.
 */
const CJK_CHARACTER = /(?=[\p{L}\p{N}])[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}]/gu

/** A letter or a digit: a word without one holds nothing the tokenizer indexes. */
const WORD_CHARACTER = /[\p{L}\p{N}]/u

/**
 * The text as given to FTS5, at index time and in a query alike: reserved characters become
 * spaces, and each Chinese or Japanese character is a token of its own.
 */
export function indexable(text: string): string {
  return text
    .replace(RESERVED, ' ')
    .replace(CJK_CHARACTER, (char) => CJK_SEPARATOR + char + CJK_SEPARATOR)
}

/**
 * The FTS5 query for what a user typed, which is text and never FTS5 syntax: each
 * whitespace-separated word becomes a quoted phrase (a `"` doubled) matched as a prefix, and all
 * of them must match. Words of punctuation only are dropped (as a phrase they match nothing, and
 * would make the whole query match nothing); null when no word is left. A word with Chinese or
 * Japanese characters is tokenized as they are indexed, so the phrase asks for those characters
 * one after the other (京都 finds 東京都).
 */
export function toFtsQuery(text: string): string | null {
  const words = queryWords(text)
  if (words.length === 0) return null
  return words.map((word) => `"${word.replaceAll('"', '""')}"*`).join(' AND ')
}

/**
 * The words of what a user typed, as indexed (`indexable`): whitespace-separated, without words of
 * punctuation only. Each is a phrase of its tokens whose last token is a prefix, and all must
 * match (FTS5: toFtsQuery; PostgreSQL: tidings_search_query).
 */
export function queryWords(text: string): string[] {
  return text
    .split(/\s+/u)
    .filter((word) => WORD_CHARACTER.test(word))
    .map(indexable)
}

/**
 * Splits a snippet with match markers (FTS5 snippet() over the indexed text) into plain text
 * parts, without the separators indexing added: the message's own characters.
 */
export function snippetParts(snippet: string): SnippetPart[] {
  const parts: SnippetPart[] = []
  let match = false
  let start = 0
  const push = (end: number) => {
    const text = snippet.slice(start, end).replaceAll(CJK_SEPARATOR, '')
    if (text.length > 0) parts.push({ text, match })
  }
  for (let i = 0; i < snippet.length; i++) {
    const char = snippet[i]
    if (char !== MATCH_START && char !== MATCH_END) continue
    push(i)
    match = char === MATCH_START
    start = i + 1
  }
  push(snippet.length)
  return parts
}
