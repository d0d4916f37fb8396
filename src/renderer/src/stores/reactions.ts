import { type MessageDescriptor } from 'react-intl'
import { defineMessages } from '../../../shared/i18n/defineMessages'
import type { Translator } from '../../../shared/i18n/translator'
import type { Person, Reaction } from '../../../shared/models'

const names = defineMessages({
  thumbsUp: { id: 'reaction.name.thumbsUp', defaultMessage: 'thumbs up' },
  heart: { id: 'reaction.name.heart', defaultMessage: 'heart' },
  laughing: { id: 'reaction.name.laughing', defaultMessage: 'laughing' },
  surprised: { id: 'reaction.name.surprised', defaultMessage: 'surprised' },
  sad: { id: 'reaction.name.sad', defaultMessage: 'sad' },
  thanks: { id: 'reaction.name.thanks', defaultMessage: 'thanks' },
})

const messages = defineMessages({
  you: { id: 'reaction.reactor.you', defaultMessage: 'You' },
  someone: { id: 'reaction.reactor.someone', defaultMessage: 'Someone' },
  label: {
    id: 'reaction.chip.label',
    defaultMessage: '{emoji} {count, plural, one {# reaction} other {# reactions}}: {who}',
  },
})

/** The emoji the reaction picker offers, in its order, with the names screen readers announce. */
export const REACTION_CHOICES: readonly { emoji: string; name: MessageDescriptor }[] = [
  { emoji: '👍', name: names.thumbsUp },
  { emoji: '❤️', name: names.heart },
  { emoji: '😂', name: names.laughing },
  { emoji: '😮', name: names.surprised },
  { emoji: '😢', name: names.sad },
  { emoji: '🙏', name: names.thanks },
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
  { t }: Translator,
): string[] {
  return userIds.map((id) =>
    id === me ? t(messages.you) : (people[id]?.display_name ?? t(messages.someone)),
  )
}

/** A chip's accessible name and tooltip: the emoji, the count and who, e.g. "👍 2: You, Bob". */
export function reactionLabel(
  reaction: Reaction,
  me: number | null,
  people: Record<number, Person>,
  translator: Translator,
): string {
  const count = reaction.user_ids.length
  const who = translator.list(reactorNames(reaction.user_ids, me, people, translator))
  return translator.t(messages.label, { emoji: reaction.emoji, count, who })
}
