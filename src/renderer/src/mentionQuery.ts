import { USERNAME_CHAR, canStartMention } from '../../shared/mentions'
import type { Member, Person } from '../../shared/models'

/** How many people the composer's mention list offers at once. */
export const MAX_MENTION_OPTIONS = 8

/** The `@…` being typed at the caret: `text.slice(start, caret)` is `@` + `query`. */
export interface MentionQuery {
  start: number
  query: string
}

/**
 * The mention the caret is writing, if any: an `@` where a mention may begin (as the shared
 * parser decides), followed by at least one letter, digit or `_`, up to the caret. Nothing while
 * text is selected.
 */
export function mentionQueryAt(
  text: string,
  caret: number,
  selectionEnd = caret,
): MentionQuery | null {
  if (caret !== selectionEnd || caret > text.length) return null
  let at = caret
  while (at > 0 && USERNAME_CHAR.test(text[at - 1]!)) at -= 1
  if (at === 0 || text[at - 1] !== '@' || at === caret) return null
  const start = at - 1
  if (!canStartMention(text, start)) return null
  const query = text.slice(at, caret)
  return /^[A-Za-z0-9_]/.test(query) ? { start, query } : null
}

/** A member the composer offers, with the name the people store has now. */
export interface MentionOption {
  user_id: number
  username: string
  display_name: string
}

/**
 * The conversation's other members whose username, or a word of whose display name, starts with
 * `query` (any case): username matches first, then by display name.
 */
export function mentionOptions(
  members: readonly Member[],
  people: Record<number, Person>,
  me: number | null,
  query: string,
): MentionOption[] {
  const q = query.toLowerCase()
  const scored: { option: MentionOption; rank: number }[] = []
  for (const member of members) {
    if (member.user_id === me || people[member.user_id]?.deactivated) continue
    const option: MentionOption = {
      user_id: member.user_id,
      username: member.username,
      display_name: people[member.user_id]?.display_name ?? member.display_name,
    }
    const byUsername = option.username.toLowerCase().startsWith(q)
    const byName = option.display_name
      .toLowerCase()
      .split(/\s+/)
      .some((word) => word.startsWith(q))
    if (byUsername || byName) scored.push({ option, rank: byUsername ? 0 : 1 })
  }
  return scored
    .sort((a, b) => a.rank - b.rank || a.option.display_name.localeCompare(b.option.display_name))
    .slice(0, MAX_MENTION_OPTIONS)
    .map((s) => s.option)
}

/** The text with the query replaced by `@username ` and where the caret goes after it. */
export function insertMention(
  text: string,
  query: MentionQuery,
  caret: number,
  username: string,
): { text: string; caret: number } {
  const inserted = `@${username} `
  // A space already after the caret is not doubled.
  const rest = text.slice(caret).replace(/^ /, '')
  return {
    text: text.slice(0, query.start) + inserted + rest,
    caret: query.start + inserted.length,
  }
}
