import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react'
import { useTimeSettings } from '../hooks'
import { conversationTitle, useConversations } from '../stores/conversations'
import { buildThread, useMessages, type ThreadEntry } from '../stores/messages'
import { usePresence } from '../stores/presence'
import { useSession } from '../stores/session'
import { useThreadPanel } from '../stores/threadPanel'
import { useUi } from '../stores/ui'
import { MessageRow } from './MessageRow'

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
            Thread
          </h2>
          <p className="muted small">{title}</p>
        </div>
        <button
          type="button"
          className="button button--small"
          aria-pressed={following}
          data-testid="thread-follow"
          disabled={!view?.loaded}
          onClick={() => void useThreadPanel.getState().setFollowing(!following)}
        >
          {following ? 'Following' : 'Follow'}
        </button>
        <button
          type="button"
          className="button button--small"
          aria-label="Close the thread"
          data-testid="thread-close"
          onClick={() => useThreadPanel.getState().close()}
        >
          Close
        </button>
      </header>
      <div
        ref={scrollRef}
        className="thread-panel__scroll"
        tabIndex={0}
        role="region"
        aria-label="Thread messages"
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
          {replyCountText(replies.filter((r) => r.deleted_at === null).length)}
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

function replyCountText(count: number): string {
  if (count === 0) return 'No replies yet'
  return count === 1 ? '1 reply' : `${count} replies`
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
        Reply in the thread
      </label>
      <textarea
        id={inputId}
        className="composer__input"
        data-testid="thread-composer-input"
        placeholder="Reply…"
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
          Also send to {title}
        </label>
        <button
          type="submit"
          className="button button--primary button--small"
          data-testid="thread-send"
          disabled={!canSend || text.trim() === ''}
        >
          Send
        </button>
      </div>
    </form>
  )
}
