/**
 * @mentions. On the wire a mention is plain text, `@username` inside a message; this module is the
 * one rule for finding them, shared by main (notifications) and the renderer (chips, highlight,
 * the unread "@" marker), so both agree on what mentions whom.
 *
 * Usernames are 3 to 32 of `A-Z a-z 0-9 _ . -` and unique regardless of ASCII case (the server's
 * column is `collate nocase`), so `@Bob` mentions `bob`.
 */

import { proseText } from './markdown'

/** One mention in a text: `text.slice(start, end)` is `@` followed by `username` as written. */
export interface Mention {
  start: number
  end: number
  username: string
}

const MIN_USERNAME = 3
const MAX_USERNAME = 32

/** A character a username may contain. */
export const USERNAME_CHAR = /[A-Za-z0-9_.-]/

/**
 * What may stand right before the `@` of a mention: nothing, white space, or opening or separating
 * punctuation. A letter, digit or `.`/`-`/`_`/`+` before it makes an e-mail address
 * (`ann@example.com`); `/`, `:`, `=`, `@` and the like put it inside a URL or another token.
 */
const BOUNDARY_BEFORE = /[\s([{<"'“‘«,;!?]/u

/** The key two spellings of one username share (ASCII case folded, as SQLite's NOCASE does). */
export function usernameKey(username: string): string {
  return username.toLowerCase()
}

export function sameUsername(a: string, b: string): boolean {
  return usernameKey(a) === usernameKey(b)
}

/**
 * The mentions in `text` of users `isUsername` knows, in order. A `.` or `-` ending the run after
 * the `@` is taken as punctuation ("thanks @bob.") unless the whole run is a known username, so a
 * name such as `bob.` can still be mentioned. Anything `isUsername` does not know is plain text.
 */
export function findMentions(text: string, isUsername: (username: string) => boolean): Mention[] {
  const mentions: Mention[] = []
  let at = text.indexOf('@')
  while (at !== -1) {
    let end = at + 1
    while (end < text.length && USERNAME_CHAR.test(text[end]!)) end += 1
    const mention = at === end - 1 ? null : mentionAt(text, at, end, isUsername)
    if (mention) mentions.push(mention)
    at = text.indexOf('@', Math.max(end, at + 1))
  }
  return mentions
}

/**
 * Whether `text` mentions `username` (the signed-in user, for notifications and highlight), as
 * the formatted message shows it: `**@bob**` does, an `@name` inside code (`` `@bob` ``, a fenced
 * block) is code, not a mention.
 */
export function mentionsUser(text: string, username: string): boolean {
  if (!text.includes('@')) return false
  return findMentions(proseText(text), (candidate) => sameUsername(candidate, username)).length > 0
}

/**
 * Whether an `@` at `at` may begin a mention: at a word boundary, not inside a URL. The composer
 * asks it to offer completions only where the result will be a mention.
 */
export function canStartMention(text: string, at: number): boolean {
  if (at > 0 && !BOUNDARY_BEFORE.test(text[at - 1]!)) return false
  return !insideUrl(text, at)
}

/** The mention of the run `text[at + 1, runEnd)`, or null when it is none. */
function mentionAt(
  text: string,
  at: number,
  runEnd: number,
  isUsername: (username: string) => boolean,
): Mention | null {
  if (!canStartMention(text, at)) return null
  // "@bob@example.com": an address, not a mention.
  if (text[runEnd] === '@') return null
  let end = runEnd
  while (end - at - 1 >= MIN_USERNAME) {
    const username = text.slice(at + 1, end)
    if (username.length <= MAX_USERNAME && isUsername(username)) return { start: at, end, username }
    const last = text[end - 1]
    if (last !== '.' && last !== '-') return null
    end -= 1
  }
  return null
}

/** Whether the word holding position `at` (up to the white space before it) is a URL. */
function insideUrl(text: string, at: number): boolean {
  let start = at
  while (start > 0 && !/\s/u.test(text[start - 1]!)) start -= 1
  const before = text.slice(start, at)
  return before.includes('://') || /^www\./i.test(before)
}
