import type { Person, Reaction } from '../../../shared/models'

/** The emoji the reaction picker offers, in its order, with the names screen readers announce. */
export const REACTION_CHOICES: readonly { emoji: string; name: string }[] = [
  { emoji: '👍', name: 'thumbs up' },
  { emoji: '❤️', name: 'heart' },
  { emoji: '😂', name: 'laughing' },
  { emoji: '😮', name: 'surprised' },
  { emoji: '😢', name: 'sad' },
  { emoji: '🙏', name: 'thanks' },
]

/** The emoji the user reacted with (any number of them, Slack's way). */
export function myReactions(reactions: Reaction[] | undefined, me: number | null): Set<string> {
  if (me === null || !reactions) return new Set()
  return new Set(reactions.filter((r) => r.user_ids.includes(me)).map((r) => r.emoji))
}

/**
 * Whether choosing `emoji` adds the user's reaction with it (true) or takes it back (false): an
 * emoji they already reacted with is taken back, any other joins theirs.
 */
export function addsReaction(
  reactions: Reaction[] | undefined,
  me: number | null,
  emoji: string,
): boolean {
  return !myReactions(reactions, me).has(emoji)
}

/** Who chose a reaction, in order, by name: the user is "You", someone unknown "Someone". */
export function reactorNames(
  userIds: number[],
  me: number | null,
  people: Record<number, Person>,
): string[] {
  return userIds.map((id) => (id === me ? 'You' : (people[id]?.display_name ?? 'Someone')))
}

/** A chip's accessible name and tooltip: the emoji, the count and who, e.g. "👍 2: You, Bob". */
export function reactionLabel(
  reaction: Reaction,
  me: number | null,
  people: Record<number, Person>,
): string {
  const count = reaction.user_ids.length
  const who = reactorNames(reaction.user_ids, me, people).join(', ')
  return `${reaction.emoji} ${count} ${count === 1 ? 'reaction' : 'reactions'}: ${who}`
}
