import { useIntl } from 'react-intl'
import type { Person, Reaction } from '../../../shared/models'
import { useTranslator } from '../stores/locale'
import { reactionLabel } from '../stores/reactions'

interface Props {
  reactions: Reaction[]
  me: number | null
  people: Record<number, Person>
  /** A chip chosen: the user's own emoji removes theirs, another one becomes theirs. */
  onChoose(emoji: string): void
}

/** The reactions under a message: one chip per emoji with its count, the user's own pressed. */
export function ReactionChips({ reactions, me, people, onChoose }: Props) {
  const intl = useIntl()
  const translator = useTranslator()
  return (
    <div
      className="reactions"
      role="group"
      aria-label={intl.formatMessage({ id: 'reaction.chips.label', defaultMessage: 'Reactions' })}
      data-testid="reactions"
    >
      {reactions.map((reaction) => {
        const mine = me !== null && reaction.user_ids.includes(me)
        const label = reactionLabel(reaction, me, people, translator)
        return (
          <button
            key={reaction.emoji}
            type="button"
            className={`reaction-chip${mine ? ' reaction-chip--mine' : ''}`}
            data-testid="reaction-chip"
            data-emoji={reaction.emoji}
            aria-pressed={mine}
            aria-label={label}
            title={label}
            onClick={() => onChoose(reaction.emoji)}
          >
            <span aria-hidden="true">{reaction.emoji}</span>
            <span className="reaction-chip__count" aria-hidden="true">
              {reaction.user_ids.length}
            </span>
          </button>
        )
      })}
    </div>
  )
}
