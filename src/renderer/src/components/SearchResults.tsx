import { FormattedMessage, useIntl } from 'react-intl'
import { defineMessages } from '../../../shared/i18n/defineMessages'
import type { MessageSearchResult, SnippetPart } from '../../../shared/models'
import { formatRelative, formatTimestamp } from '../../../shared/time'
import { useNow, useTimeSettings } from '../hooks'
import { openSearchResult } from '../actions/navigation'
import { conversationTitle, useConversations } from '../stores/conversations'
import { isOwnMessage } from '../stores/messages'
import { usePresence } from '../stores/presence'
import { useSearch } from '../stores/search'
import { useSession } from '../stores/session'

const messages = defineMessages({
  searching: { id: 'search.searching', defaultMessage: 'Searching…' },
  you: { id: 'search.result.you', defaultMessage: 'You' },
})

/** The matches of the search field, in place of the conversation list while it holds a query. */
export function SearchResults() {
  const status = useSearch((s) => s.status)
  const searched = useSearch((s) => s.searched)
  const results = useSearch((s) => s.results)
  const nextBefore = useSearch((s) => s.nextBefore)
  const loadingMore = useSearch((s) => s.loadingMore)
  const error = useSearch((s) => s.error)
  const now = useNow(30_000)
  const intl = useIntl()

  return (
    <div className="search-results" data-testid="search-results">
      <p className="visually-hidden" role="status">
        {status === 'searching' ? (
          <FormattedMessage {...messages.searching} />
        ) : status === 'done' ? (
          nextBefore !== null ? (
            <FormattedMessage
              id="search.count.more"
              defaultMessage="{count, plural, one {# or more results} other {# or more results}}"
              values={{ count: results.length }}
            />
          ) : (
            <FormattedMessage
              id="search.count"
              defaultMessage="{count, plural, one {# result} other {# results}}"
              values={{ count: results.length }}
            />
          )
        ) : (
          ''
        )}
      </p>
      {status === 'searching' || status === 'idle' ? (
        <p className="empty muted" aria-hidden="true">
          <FormattedMessage {...messages.searching} />
        </p>
      ) : status === 'error' ? (
        <p className="form-error search-results__note" role="alert">
          <FormattedMessage
            id="search.failed"
            defaultMessage="Search failed: {reason}"
            values={{ reason: error }}
          />
        </p>
      ) : results.length === 0 ? (
        <p className="empty muted" data-testid="search-empty">
          <FormattedMessage
            id="search.none"
            defaultMessage="No messages match “{query}”."
            values={{ query: <bdi>{searched}</bdi> }}
          />
        </p>
      ) : (
        <>
          <ul
            className="conversation-list"
            aria-label={intl.formatMessage(
              { id: 'search.results.label', defaultMessage: 'Messages matching {query}' },
              { query: searched },
            )}
          >
            {results.map((result) => (
              <ResultItem key={result.message.id} result={result} now={now} />
            ))}
          </ul>
          {error && (
            <p className="form-error search-results__note" role="alert">
              {error}
            </p>
          )}
          {nextBefore !== null && (
            <button
              type="button"
              className="button button--small search-results__more"
              data-testid="search-load-more"
              disabled={loadingMore}
              onClick={() => void useSearch.getState().loadMore()}
            >
              {loadingMore ? (
                <FormattedMessage id="search.loadingMore" defaultMessage="Loading…" />
              ) : (
                <FormattedMessage id="search.loadMore" defaultMessage="Load more" />
              )}
            </button>
          )}
        </>
      )}
    </div>
  )
}

function ResultItem({ result, now }: { result: MessageSearchResult; now: number }) {
  const conversation = useConversations((s) => s.byId[result.conversation_id])
  const me = useSession((s) => s.session?.user?.id ?? null)
  const people = usePresence((s) => s.people)
  const { zone, clock, locale } = useTimeSettings()
  const intl = useIntl()
  const { message } = result
  const title = conversation
    ? conversationTitle(conversation, me, people)
    : (result.conversation_title ??
      intl.formatMessage({ id: 'search.result.conversation', defaultMessage: 'Conversation' }))
  const sender = isOwnMessage(message, me)
    ? intl.formatMessage(messages.you)
    : message.external_sender?.name || message.sender_name
  return (
    <li>
      <button
        type="button"
        className="conversation search-result"
        data-testid="search-result"
        data-message-id={message.id}
        onClick={() => void openSearchResult(result)}
      >
        <span className="conversation__body">
          <span className="conversation__top">
            <span className="conversation__title" dir="auto">
              {title}
            </span>
            <time
              className="conversation__time"
              dateTime={message.created_at}
              title={formatTimestamp(message.created_at, zone, { clock, locale })}
            >
              {formatRelative(message.created_at, zone, { now, clock, locale })}
            </time>
          </span>
          <span className="search-result__sender small muted" dir="auto">
            {sender}
          </span>
          <span className="search-result__snippet" data-testid="search-snippet" dir="auto">
            <Snippet parts={result.snippet} />
          </span>
        </span>
      </button>
    </li>
  )
}

/** The snippet as text with the matched words marked: built from parts, never from HTML. */
function Snippet({ parts }: { parts: SnippetPart[] }) {
  return parts.map((part, i) =>
    part.match ? <mark key={i}>{part.text}</mark> : <span key={i}>{part.text}</span>,
  )
}
