import { FormattedMessage, useIntl } from 'react-intl'
import { defineMessages } from '../../../shared/i18n/defineMessages'
import type { ClockStyle } from '../../../shared/preferences'
import type { ThreadSummary } from '../../../shared/models'
import { formatRelative } from '../../../shared/time'
import type { Person } from '../../../shared/models'
import { useTranslator } from '../stores/locale'

const messages = defineMessages({
  count: {
    id: 'thread.summary.count',
    defaultMessage: '{count, plural, one {# reply} other {# replies}}',
  },
  someone: { id: 'thread.summary.someone', defaultMessage: 'Someone' },
  label: {
    id: 'thread.summary.label',
    defaultMessage:
      '{count, plural, one {# reply} other {# replies}}, last reply {last}, from {names}. Open the thread',
    description: 'last: when the last reply came ("5 minutes ago"); names: the repliers',
  },
})

interface Props {
  thread: ThreadSummary
  people: Record<number, Person>
  zone: string
  clock: ClockStyle
  onOpen: () => void
}

/**
 * Under a thread's root in the channel: the recent repliers' avatars, the reply count and when
 * the last reply came, as one button that opens the thread's panel.
 */
export function ThreadSummaryButton({ thread, people, zone, clock, onOpen }: Props) {
  const intl = useIntl()
  const translator = useTranslator()
  const count = intl.formatMessage(messages.count, { count: thread.reply_count })
  const last = formatRelative(thread.last_reply_at, zone, { clock, locale: translator })
  const names = thread.replier_ids.map(
    (id) => people[id]?.display_name ?? intl.formatMessage(messages.someone),
  )
  return (
    <button
      type="button"
      className="thread-summary"
      data-testid="thread-summary"
      data-reply-count={thread.reply_count}
      aria-label={intl.formatMessage(messages.label, {
        count: thread.reply_count,
        last,
        names: translator.list(names),
      })}
      onClick={onOpen}
    >
      <span className="thread-summary__avatars" aria-hidden="true">
        {names.map((name, i) => (
          <span
            key={thread.replier_ids[i]}
            className="thread-summary__avatar"
            data-testid="thread-replier"
            title={name}
          >
            {name.slice(0, 1).toUpperCase()}
          </span>
        ))}
      </span>
      <span className="thread-summary__count">{count}</span>
      <span className="thread-summary__last muted small">
        <FormattedMessage
          id="thread.summary.last"
          defaultMessage="Last reply {last}"
          values={{ last }}
        />
      </span>
    </button>
  )
}
