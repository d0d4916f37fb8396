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

/** The emoji the user reacted with, or null. */
export function myReaction(reactions: Reaction[] | undefined, me: number | null): string | null {
  if (me === null) return null
  return reactions?.find((r) => r.user_ids.includes(me))?.emoji ?? null
}

/**
 * What choosing `emoji` makes the user's reaction, Signal's way: their current emoji again removes
 * it (null); any other replaces it.
 */
export function nextReaction(
  reactions: Reaction[] | undefined,
  me: number | null,
  emoji: string,
): string | null {
  return myReaction(reactions, me) === emoji ? null : emoji
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
