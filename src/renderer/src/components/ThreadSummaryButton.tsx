import type { ClockStyle } from '../../../shared/preferences'
import type { ThreadSummary } from '../../../shared/models'
import { formatRelative } from '../../../shared/time'
import type { Person } from '../../../shared/models'

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
  const count = thread.reply_count === 1 ? '1 reply' : `${thread.reply_count} replies`
  const last = formatRelative(thread.last_reply_at, zone, { clock })
  const names = thread.replier_ids.map((id) => people[id]?.display_name ?? 'Someone')
  return (
    <button
      type="button"
      className="thread-summary"
      data-testid="thread-summary"
      data-reply-count={thread.reply_count}
      aria-label={`${count}, last reply ${last}, from ${names.join(', ')}. Open the thread`}
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
      <span className="thread-summary__last muted small">Last reply {last}</span>
    </button>
  )
}
