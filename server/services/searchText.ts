import type { SnippetPart } from '../../src/shared/models'
import { MATCH_END, MATCH_START } from './messageIndex'

/** A letter or a digit: a word without one holds nothing the tokenizer indexes. */
const WORD_CHARACTER = /[\p{L}\p{N}]/u

/**
 * The FTS5 query for what a user typed, which is text and never FTS5 syntax: each
 * whitespace-separated word becomes a quoted phrase (a `"` doubled) matched as a prefix, and all
 * of them must match. Words of punctuation only are dropped (as a phrase they match nothing, and
 * would make the whole query match nothing); null when no word is left.
 */
export function toFtsQuery(text: string): string | null {
  const words = text.split(/\s+/u).filter((word) => WORD_CHARACTER.test(word))
  if (words.length === 0) return null
  return words.map((word) => `"${word.replaceAll('"', '""')}"*`).join(' AND ')
}

/** Splits a snippet with match markers (FTS5 snippet()) into plain text parts. */
export function snippetParts(snippet: string): SnippetPart[] {
  const parts: SnippetPart[] = []
  let match = false
  let start = 0
  const push = (end: number) => {
    if (end > start) parts.push({ text: snippet.slice(start, end), match })
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
