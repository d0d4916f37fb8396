import type { MessageSearchResult, SnippetPart } from '../../../shared/models'
import { formatRelative, formatTimestamp } from '../../../shared/time'
import { useNow, useTimeSettings } from '../hooks'
import { openSearchResult } from '../actions/navigation'
import { conversationTitle, useConversations } from '../stores/conversations'
import { isOwnMessage } from '../stores/messages'
import { usePresence } from '../stores/presence'
import { useSearch } from '../stores/search'
import { useSession } from '../stores/session'

/** The matches of the search field, in place of the conversation list while it holds a query. */
export function SearchResults() {
  const status = useSearch((s) => s.status)
  const searched = useSearch((s) => s.searched)
  const results = useSearch((s) => s.results)
  const nextBefore = useSearch((s) => s.nextBefore)
  const loadingMore = useSearch((s) => s.loadingMore)
  const error = useSearch((s) => s.error)
  const now = useNow(30_000)

  return (
    <div className="search-results" data-testid="search-results">
      <p className="visually-hidden" role="status">
        {status === 'searching'
          ? 'Searching…'
          : status === 'done'
            ? `${results.length}${nextBefore !== null ? ' or more' : ''} result${results.length === 1 ? '' : 's'}`
            : ''}
      </p>
      {status === 'searching' || status === 'idle' ? (
        <p className="empty muted" aria-hidden="true">
          Searching…
        </p>
      ) : status === 'error' ? (
        <p className="form-error search-results__note" role="alert">
          Search failed: {error}
        </p>
      ) : results.length === 0 ? (
        <p className="empty muted" data-testid="search-empty">
          No messages match “{searched}”.
        </p>
      ) : (
        <>
          <ul className="conversation-list" aria-label={`Messages matching ${searched}`}>
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
              {loadingMore ? 'Loading…' : 'Load more'}
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
  const { zone, clock } = useTimeSettings()
  const { message } = result
  const title = conversation
    ? conversationTitle(conversation, me, people)
    : (result.conversation_title ?? 'Conversation')
  const sender = isOwnMessage(message, me)
    ? 'You'
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
            <span className="conversation__title">{title}</span>
            <time
              className="conversation__time"
              dateTime={message.created_at}
              title={formatTimestamp(message.created_at, zone, { clock })}
            >
              {formatRelative(message.created_at, zone, { now, clock })}
            </time>
          </span>
          <span className="search-result__sender small muted">{sender}</span>
          <span className="search-result__snippet" data-testid="search-snippet">
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
