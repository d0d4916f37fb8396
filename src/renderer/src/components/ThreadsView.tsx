import { useTimeSettings } from '../hooks'
import { openThread } from '../actions/navigation'
import { formatRelative } from '../../../shared/time'
import { conversationTitle, useConversations } from '../stores/conversations'
import { useFollowedThreads } from '../stores/followedThreads'
import { usePresence } from '../stores/presence'
import { plainLine } from '../../../shared/markdown'
import { useSession } from '../stores/session'

/**
 * The Threads view: the threads the user follows, most recent reply first, those with replies
 * not read yet marked with how many. Choosing one opens its conversation and its panel.
 */
export function ThreadsView() {
  const threads = useFollowedThreads((s) => s.threads)
  const loaded = useFollowedThreads((s) => s.loaded)
  const error = useFollowedThreads((s) => s.error)
  const byId = useConversations((s) => s.byId)
  const people = usePresence((s) => s.people)
  const me = useSession((s) => s.session?.user?.id ?? null)
  const { zone, clock } = useTimeSettings()
  return (
    <section
      className="threads-view"
      aria-labelledby="threads-view-title"
      data-testid="threads-view"
    >
      <header className="thread__header">
        <h2 id="threads-view-title" className="thread__title">
          Threads
        </h2>
      </header>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {loaded && threads.length === 0 && (
        <p className="empty muted">No threads yet. Threads you start or reply to show here.</p>
      )}
      <ul className="threads-view__list">
        {threads.map((t) => {
          const conversation = byId[t.conversation_id]
          const where = conversation
            ? conversationTitle(conversation, me, people)
            : (t.conversation_title ?? 'A conversation')
          const last = t.root.thread?.last_reply_at ?? t.root.created_at
          const replies = t.root.thread?.reply_count ?? 0
          const unread = t.unread_count > 0
          return (
            <li key={t.root.id}>
              <button
                type="button"
                className={`followed-thread${unread ? ' followed-thread--unread' : ''}`}
                data-testid="followed-thread"
                data-root-id={t.root.id}
                data-unread={t.unread_count}
                onClick={() => void openThread(t.conversation_id, t.root.id)}
              >
                <span className="followed-thread__where small muted">{where}</span>
                <span className="followed-thread__root">
                  <strong>{t.root.sender_name}</strong>:{' '}
                  {t.root.deleted_at ? 'Message deleted' : plainLine(t.root.text)}
                </span>
                <span className="followed-thread__meta small muted">
                  {replies === 1 ? '1 reply' : `${replies} replies`} · last{' '}
                  {formatRelative(last, zone, { clock })}
                </span>
                {unread && (
                  <span className="unread-badge" data-testid="followed-thread-unread">
                    {t.unread_count}
                    <span className="visually-hidden"> unread</span>
                  </span>
                )}
              </button>
            </li>
          )
        })}
      </ul>
    </section>
  )
}
