import { FormattedMessage, useIntl } from 'react-intl'
import { defineMessages } from '../../../shared/i18n/defineMessages'
import { useTimeSettings } from '../hooks'
import { openThread } from '../actions/navigation'
import { formatRelative } from '../../../shared/time'
import { conversationTitle, useConversations } from '../stores/conversations'
import { useFollowedThreads } from '../stores/followedThreads'
import { usePresence } from '../stores/presence'
import { plainLine } from '../../../shared/markdown'
import { useSession } from '../stores/session'

const messages = defineMessages({
  someConversation: { id: 'threadsView.someConversation', defaultMessage: 'A conversation' },
  deleted: { id: 'threadsView.root.deleted', defaultMessage: 'Message deleted' },
})

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
  const { zone, clock, locale } = useTimeSettings()
  const intl = useIntl()
  return (
    <section
      className="threads-view"
      aria-labelledby="threads-view-title"
      data-testid="threads-view"
    >
      <header className="thread__header">
        <h2 id="threads-view-title" className="thread__title">
          <FormattedMessage id="threadsView.heading" defaultMessage="Threads" />
        </h2>
      </header>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {loaded && threads.length === 0 && (
        <p className="empty muted">
          <FormattedMessage
            id="threadsView.empty"
            defaultMessage="No threads yet. Threads you start or reply to show here."
          />
        </p>
      )}
      <ul className="threads-view__list">
        {threads.map((t) => {
          const conversation = byId[t.conversation_id]
          const where = conversation
            ? conversationTitle(conversation, me, people)
            : (t.conversation_title ?? intl.formatMessage(messages.someConversation))
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
                <bdi className="followed-thread__where small muted">{where}</bdi>
                <span className="followed-thread__root">
                  <FormattedMessage
                    id="threadsView.root"
                    defaultMessage="{sender}: {text}"
                    description="A followed thread's first message, after its sender's name"
                    values={{
                      sender: (
                        <strong>
                          <bdi>{t.root.sender_name}</bdi>
                        </strong>
                      ),
                      text: (
                        <bdi dir="auto" data-testid="followed-thread-text">
                          {t.root.deleted_at
                            ? intl.formatMessage(messages.deleted)
                            : plainLine(t.root.text)}
                        </bdi>
                      ),
                    }}
                  />
                </span>
                <span className="followed-thread__meta small muted">
                  <FormattedMessage
                    id="threadsView.meta"
                    defaultMessage="{count, plural, one {# reply} other {# replies}} · last {last}"
                    values={{ count: replies, last: formatRelative(last, zone, { clock, locale }) }}
                  />
                </span>
                {unread && (
                  <span className="unread-badge" data-testid="followed-thread-unread">
                    <FormattedMessage
                      id="threadsView.unread"
                      defaultMessage="{count, number} <hidden>unread</hidden>"
                      values={{
                        count: t.unread_count,
                        hidden: (chunks) => <span className="visually-hidden">{chunks}</span>,
                      }}
                    />
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
