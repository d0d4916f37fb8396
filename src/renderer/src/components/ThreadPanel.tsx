import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react'
import { FormattedMessage, useIntl } from 'react-intl'
import { defineMessages } from '../../../shared/i18n/defineMessages'
import { useTimeSettings } from '../hooks'
import { conversationTitle, useConversations } from '../stores/conversations'
import { buildThread, useMessages, type ThreadEntry } from '../stores/messages'
import { usePresence } from '../stores/presence'
import { useSession } from '../stores/session'
import { useThreadPanel } from '../stores/threadPanel'
import { useUi } from '../stores/ui'
import { MessageRow } from './MessageRow'

const messages = defineMessages({
  following: { id: 'threadPanel.following', defaultMessage: 'Following' },
  follow: { id: 'threadPanel.follow', defaultMessage: 'Follow' },
  close: { id: 'threadPanel.close.label', defaultMessage: 'Close the thread' },
  replies: { id: 'threadPanel.replies.label', defaultMessage: 'Thread messages' },
  replyCount: {
    id: 'threadPanel.replyCount',
    defaultMessage: '{count, plural, =0 {No replies yet} one {# reply} other {# replies}}',
  },
  placeholder: { id: 'threadPanel.composer.placeholder', defaultMessage: 'Reply…' },
})

/**
 * The side panel of a thread, as in Slack: its root, its replies, a composer whose reply can go
 * to the conversation too, and following. Replies read while it is open in the focused window
 * are reported read (the Threads view counts the others).
 */
export function ThreadPanel({
  conversationId,
  rootId,
}: {
  conversationId: number
  rootId: number
}) {
  const view = useThreadPanel((s) => s.byRoot[rootId])
  const outbox = useMessages((s) => s.outbox)
  const conversation = useConversations((s) => s.byId[conversationId])
  const user = useSession((s) => s.session?.user ?? null)
  const people = usePresence((s) => s.people)
  const windowFocused = useUi((s) => s.windowFocused)
  const { zone, clock, locale } = useTimeSettings()
  const intl = useIntl()
  const me = user?.id ?? null
  const replies = useMemo(
    () =>
      buildThread(
        view ? { messages: view.replies } : undefined,
        outbox,
        conversationId,
        me,
        user?.display_name,
        rootId,
      ),
    [view, outbox, conversationId, me, user?.display_name, rootId],
  )
  const root = view?.root ?? null
  const rootEntry = useMemo<ThreadEntry | null>(
    () =>
      root === null
        ? null
        : (buildThread({ messages: [root] }, {}, conversationId, me, user?.display_name)[0] ??
          null),
    [root, conversationId, me, user?.display_name],
  )
  const scrollRef = useRef<HTMLDivElement>(null)
  const newest = replies.at(-1)?.key
  useEffect(() => {
    // Follow the conversation as replies come in.
    const el = scrollRef.current
    if (el) el.scrollTop = el.scrollHeight
  }, [newest])
  useEffect(() => {
    if (windowFocused) void useThreadPanel.getState().markRead()
  }, [windowFocused, newest])

  const title = conversation ? conversationTitle(conversation, me, people) : ''
  const following = view?.following ?? false
  return (
    <aside className="thread-panel" aria-labelledby="thread-panel-title" data-testid="thread-panel">
      <header className="thread-panel__header">
        <div className="thread__heading">
          <h2 id="thread-panel-title" className="thread-panel__title">
            <FormattedMessage id="threadPanel.heading" defaultMessage="Thread" />
          </h2>
          <p className="muted small">
            <bdi>{title}</bdi>
          </p>
        </div>
        <button
          type="button"
          className="button button--small"
          aria-pressed={following}
          data-testid="thread-follow"
          disabled={!view?.loaded}
          onClick={() => void useThreadPanel.getState().setFollowing(!following)}
        >
          {intl.formatMessage(following ? messages.following : messages.follow)}
        </button>
        <button
          type="button"
          className="button button--small"
          aria-label={intl.formatMessage(messages.close)}
          data-testid="thread-close"
          onClick={() => useThreadPanel.getState().close()}
        >
          <FormattedMessage id="threadPanel.close" defaultMessage="Close" />
        </button>
      </header>
      <div
        ref={scrollRef}
        className="thread-panel__scroll"
        tabIndex={0}
        role="region"
        aria-label={intl.formatMessage(messages.replies)}
        data-testid="thread-replies"
      >
        {rootEntry && (
          <div className="thread-panel__root" data-testid="thread-root">
            <MessageRow
              conversationId={conversationId}
              entry={rootEntry}
              zone={zone}
              clock={clock}
              locale={locale}
              receipt={null}
              inThreadPanel
            />
          </div>
        )}
        <p className="thread-panel__count muted small" data-testid="thread-reply-count">
          {intl.formatMessage(messages.replyCount, {
            count: replies.filter((r) => r.deleted_at === null).length,
          })}
        </p>
        {replies.map((entry) => (
          <MessageRow
            key={entry.key}
            conversationId={conversationId}
            entry={entry}
            zone={zone}
            clock={clock}
            locale={locale}
            receipt={null}
            inThreadPanel
          />
        ))}
        {view?.error && (
          <p className="form-error" role="alert">
            {view.error}
          </p>
        )}
      </div>
      <ThreadComposer
        conversationTitle={title}
        canSend={root !== null && root.deleted_at === null}
      />
    </aside>
  )
}

/** The thread's composer: Enter sends, Shift+Enter breaks the line; a box sends it to the channel too. */
function ThreadComposer({
  conversationTitle: title,
  canSend,
}: {
  conversationTitle: string
  canSend: boolean
}) {
  const [text, setText] = useState('')
  const [alsoToChannel, setAlsoToChannel] = useState(false)
  const inputId = useId()
  const checkId = useId()
  const intl = useIntl()
  async function submit(e: FormEvent) {
    e.preventDefault()
    const body = text.trim()
    if (!body || !canSend) return
    if (await useThreadPanel.getState().send(body, alsoToChannel)) {
      setText('')
      setAlsoToChannel(false)
    }
  }
  return (
    <form className="thread-panel__composer" onSubmit={(e) => void submit(e)}>
      <label htmlFor={inputId} className="visually-hidden">
        <FormattedMessage id="threadPanel.composer.label" defaultMessage="Reply in the thread" />
      </label>
      <textarea
        id={inputId}
        className="composer__input"
        data-testid="thread-composer-input"
        dir="auto"
        placeholder={intl.formatMessage(messages.placeholder)}
        rows={2}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
            e.preventDefault()
            e.currentTarget.form?.requestSubmit()
          }
        }}
      />
      <div className="thread-panel__composer-row">
        <input
          id={checkId}
          type="checkbox"
          data-testid="thread-also-to-channel"
          checked={alsoToChannel}
          onChange={(e) => setAlsoToChannel(e.target.checked)}
        />
        <label htmlFor={checkId} className="small">
          <FormattedMessage
            id="threadPanel.alsoToChannel"
            defaultMessage="Also send to {title}"
            values={{ title: <bdi>{title}</bdi> }}
          />
        </label>
        <button
          type="submit"
          className="button button--primary button--small"
          data-testid="thread-send"
          disabled={!canSend || text.trim() === ''}
        >
          <FormattedMessage id="threadPanel.send" defaultMessage="Send" />
        </button>
      </div>
    </form>
  )
}
