import { useVirtualizer } from '@tanstack/react-virtual'
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react'
import { FormattedMessage, useIntl } from 'react-intl'
import { defineMessages } from '../../../shared/i18n/defineMessages'
import type { Translator } from '../../../shared/i18n/translator'
import type { Conversation, Message } from '../../../shared/models'
import { dayKeyer, formatDayLabel } from '../../../shared/time'
import { useNow, useTimeSettings } from '../hooks'
import { platformLabel } from '../platformLabel'
import { jumpNotShown } from '../actions/navigation'
import { conversationTitle, directPeer, useConversations } from '../stores/conversations'
import { buildThread, useMessages, type ThreadEntry } from '../stores/messages'
import { useTranslator } from '../stores/locale'
import { firstUnreadKey, useNewMessages } from '../stores/newMessages'
import { usePresence } from '../stores/presence'
import { useSearch } from '../stores/search'
import { JUMP_PAGE_SIZE, nextJumpStep } from '../stores/searchJump'
import { useSession } from '../stores/session'
import { typingText, useTyping } from '../stores/typing'
import { usePendingAttachments } from '../stores/pendingAttachments'
import { Composer } from './Composer'
import { ConversationDetailsDialog } from './ConversationDetailsDialog'
import { MessageRow } from './MessageRow'
import { MuteToggle } from './MuteToggle'
import { PinToggle } from './PinToggle'
import { PlatformTag } from './PlatformTag'

type Row =
  | { type: 'start'; key: string }
  | { type: 'day'; key: string; ts: string }
  | { type: 'new'; key: string }
  | { type: 'message'; key: string; entry: ThreadEntry }

const messages = defineMessages({
  readByEveryone: { id: 'receipt.readByEveryone', defaultMessage: 'Read by everyone' },
  readBy: {
    id: 'receipt.readBy',
    defaultMessage: 'Read by {names}',
    description: 'Under the user’s newest message: who has read it (a list of names)',
  },
  delivered: { id: 'receipt.delivered', defaultMessage: 'Delivered' },
  sent: { id: 'receipt.sent', defaultMessage: 'Sent' },
  you: { id: 'thread.members.you', defaultMessage: 'You' },
  platformConversation: {
    id: 'thread.platformConversation',
    defaultMessage: '{platform} conversation',
    description: 'platform: "Email", "WhatsApp"…',
  },
  online: { id: 'presence.online', defaultMessage: 'Online' },
  offline: { id: 'presence.offline', defaultMessage: 'Offline' },
  newMessages: { id: 'thread.newMessages', defaultMessage: 'New messages' },
})

/** Start loading the previous page when the view is this close to the top. */
const LOAD_OLDER_PX = 400
/** How long a message a search result opened stays highlighted. */
const FOUND_HIGHLIGHT_MS = 2_000

/**
 * The key of the oldest message row: what changes when older messages are prepended (the first
 * row is often a day separator, which stays the same when the older page is from the same day).
 */
function firstMessageKey(rows: Row[]): string {
  return rows.find((r) => r.type === 'message')?.key ?? ''
}

/**
 * Day separators (in the organization timezone) between messages; a start mark at the top; the
 * "New messages" divider above the entry keyed `newBefore`.
 */
export function buildRows(
  entries: ThreadEntry[],
  zone: string,
  atStart: boolean,
  newBefore: string | null = null,
): Row[] {
  const rows: Row[] = atStart && entries.length > 0 ? [{ type: 'start', key: 'start' }] : []
  const dayOf = dayKeyer(zone)
  let lastDay = ''
  for (const entry of entries) {
    const day = dayOf(entry.created_at)
    if (day !== lastDay) {
      rows.push({ type: 'day', key: `day:${day}`, ts: entry.created_at })
      lastDay = day
    }
    if (entry.key === newBefore) rows.push({ type: 'new', key: 'new-messages' })
    rows.push({ type: 'message', key: entry.key, entry })
  }
  return rows
}

/** "Read by Jane, Bob" / "Delivered" / "Sent" for an own message, from members' markers. */
export function receiptText(
  conversation: Conversation,
  messageId: number,
  selfId: number | null,
  translator: Translator,
): string {
  const { t } = translator
  const others = conversation.members.filter((m) => m.user_id !== selfId)
  const readers = others.filter((m) => m.last_read_message_id >= messageId)
  if (readers.length > 0) {
    if (conversation.kind === 'group' && readers.length === others.length && others.length > 3) {
      return t(messages.readByEveryone)
    }
    return t(messages.readBy, { names: translator.list(readers.map((m) => m.display_name)) })
  }
  if (others.some((m) => m.last_delivered_message_id >= messageId)) return t(messages.delivered)
  return t(messages.sent)
}

export function Thread({ conversationId }: { conversationId: number }) {
  const conversation = useConversations((s) => s.byId[conversationId])
  const user = useSession((s) => s.session?.user ?? null)
  const people = usePresence((s) => s.people)
  const thread = useMessages((s) => s.threads[conversationId])
  const outbox = useMessages((s) => s.outbox)
  const loadOlder = useMessages((s) => s.loadOlder)
  const target = useSearch((s) => (s.target?.conversationId === conversationId ? s.target : null))
  const { zone, clock, locale } = useTimeSettings()
  const translator = useTranslator()
  const intl = useIntl()
  const now = useNow(60_000)
  const me = user?.id ?? null

  const entries = useMemo(
    () => buildThread(thread, outbox, conversationId, me, user?.display_name),
    [thread, outbox, conversationId, me, user?.display_name],
  )
  const atStart = Boolean(thread?.loaded && thread.nextBefore === null)
  const readUpTo = useNewMessages((s) =>
    s.opened?.conversationId === conversationId ? s.opened.readUpTo : null,
  )
  const newBefore = useMemo(
    () => (readUpTo === null ? null : firstUnreadKey(thread, entries, readUpTo)),
    [thread, entries, readUpTo],
  )
  const rows = useMemo(
    () => buildRows(entries, zone, atStart, newBefore),
    [entries, zone, atStart, newBefore],
  )
  const lastOwnId = useMemo(() => {
    for (let i = entries.length - 1; i >= 0; i--) {
      const e = entries[i]
      if (e && e.own && e.id !== null && !e.deleted_at) return e.id
    }
    return null
  }, [entries])

  const [detailsOpen, setDetailsOpen] = useState(false)
  const detailsButton = useRef<HTMLButtonElement>(null)
  const detailsWereOpen = useRef(false)
  useEffect(() => {
    // Back to the button that opened the dialog once it closes, so keyboard users keep their place.
    if (detailsWereOpen.current && !detailsOpen) detailsButton.current?.focus()
    detailsWereOpen.current = detailsOpen
  }, [detailsOpen])

  const scrollRef = useRef<HTMLDivElement>(null)
  const atBottom = useRef(true)
  const scrolledFor = useRef<number | null>(null)
  const anchor = useRef<{ firstKey: string; total: number; top: number } | null>(null)
  const lastKey = useRef<string | null>(null)

  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is read in render by design
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => (rows[i]?.type === 'message' ? 72 : 40),
    getItemKey: (i) => rows[i]?.key ?? i,
    overscan: 12,
  })

  function requestOlder() {
    const el = scrollRef.current
    if (!el || !thread || thread.nextBefore === null || thread.loadingOlder || !thread.loaded)
      return
    anchor.current = {
      firstKey: firstMessageKey(rows),
      total: virtualizer.getTotalSize(),
      top: el.scrollTop,
    }
    void loadOlder(conversationId)
  }

  function onScroll() {
    const el = scrollRef.current
    if (!el) return
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80
    if (el.scrollTop < LOAD_OLDER_PX) requestOlder()
  }

  useLayoutEffect(() => {
    const el = scrollRef.current
    if (!el || rows.length === 0) return
    const last = rows[rows.length - 1]?.key ?? null
    if (scrolledFor.current !== conversationId) {
      // First paint of the loaded conversation: start at the first unread message, under its
      // divider, when there is one (the view stops at the newest when they all fit); else at
      // the newest message.
      if (!thread?.loaded) return
      scrolledFor.current = conversationId
      lastKey.current = last
      const divider = rows.findIndex((r) => r.type === 'new')
      if (divider < 0) {
        virtualizer.scrollToIndex(rows.length - 1, { align: 'end' })
        return
      }
      virtualizer.scrollToIndex(divider, { align: 'start' })
      atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80
      return
    }
    const held = anchor.current
    if (held && firstMessageKey(rows) !== held.firstKey) {
      // Older messages were prepended: keep the same message under the reader's eyes.
      anchor.current = null
      el.scrollTop = held.top + (virtualizer.getTotalSize() - held.total)
    }
    if (last !== lastKey.current) {
      lastKey.current = last
      const newest = rows[rows.length - 1]
      const mine = newest?.type === 'message' && newest.entry.own
      if (atBottom.current || mine) virtualizer.scrollToIndex(rows.length - 1, { align: 'end' })
    }
  }, [rows, conversationId, virtualizer, thread?.loaded])

  const totalSize = virtualizer.getTotalSize()
  useLayoutEffect(() => {
    // Rows measured taller than estimated push the newest message down: stay pinned to it.
    const el = scrollRef.current
    if (el && scrolledFor.current === conversationId && atBottom.current) {
      el.scrollTop = el.scrollHeight
    }
  }, [totalSize, conversationId])

  const jumpPages = useRef(0)
  useLayoutEffect(() => {
    // A search result was chosen: page back until its message is loaded (bounded), then scroll
    // it into view, after the first paint's scroll to the newest message.
    if (!target || target.shown || !thread?.loaded || scrolledFor.current !== conversationId) return
    const search = useSearch.getState()
    const step = nextJumpStep(thread, target.messageId, jumpPages.current)
    if (step === 'wait') return
    if (step === 'load') {
      jumpPages.current += 1
      void loadOlder(conversationId, JUMP_PAGE_SIZE)
      return
    }
    jumpPages.current = 0
    if (step === 'show') {
      const index = rows.findIndex((r) => r.type === 'message' && r.entry.id === target.messageId)
      // Loaded but not a row yet (the rows follow the thread in this same render): next time.
      if (index < 0) return
      atBottom.current = false
      virtualizer.scrollToIndex(index, { align: 'center' })
      search.setTarget({ ...target, shown: true })
      return
    }
    search.setTarget(null)
    jumpNotShown(conversationId, step)
  }, [target, rows, thread, conversationId, virtualizer, loadOlder])

  useEffect(() => {
    if (!target?.shown) return
    const timer = setTimeout(() => useSearch.getState().setTarget(null), FOUND_HIGHLIGHT_MS)
    return () => clearTimeout(timer)
  }, [target])

  useEffect(() => {
    // Fetch more without a scroll event when none will come: a short history that does not fill
    // the view, or a view still near the top after a page that added nothing new (messages that
    // arrived live are already shown, so the position does not move).
    const el = scrollRef.current
    if (!el || !thread?.loaded || thread.nextBefore === null) return
    const nearTop = scrolledFor.current === conversationId && el.scrollTop < LOAD_OLDER_PX
    if (el.scrollHeight <= el.clientHeight || nearTop) requestOlder()
  })

  if (!conversation) return null
  const title = conversationTitle(conversation, me, people)
  const peer = directPeer(conversation, me)
  const peerOnline = peer !== null ? (people[peer]?.online ?? false) : null
  const memberNames =
    conversation.platform === 'tidings'
      ? conversation.members
          .map((m) =>
            m.user_id === me
              ? intl.formatMessage(messages.you)
              : (people[m.user_id]?.display_name ?? m.display_name),
          )
          .join(', ')
      : externalPeople(thread?.messages ?? []) ||
        intl.formatMessage(messages.platformConversation, {
          platform: platformLabel(conversation.platform, translator),
        })

  return (
    <>
      <section
        className="thread"
        aria-labelledby="thread-title"
        data-testid="thread"
        // Files dropped anywhere on the thread go to its composer (Tidings conversations only).
        onDragOver={(e) => {
          if (conversation.platform === 'tidings' && e.dataTransfer.types.includes('Files')) {
            e.preventDefault()
          }
        }}
        onDrop={(e) => {
          if (conversation.platform !== 'tidings' || e.dataTransfer.files.length === 0) return
          e.preventDefault()
          usePendingAttachments.getState().add(conversationId, [...e.dataTransfer.files])
        }}
      >
        <header className="thread__header">
          <div className="thread__heading">
            <h2 id="thread-title" className="thread__title">
              <bdi>{title}</bdi>
              <PlatformTag platform={conversation.platform} />
            </h2>
            <p className="thread__subtitle muted small">
              {peerOnline !== null ? (
                <FormattedMessage {...(peerOnline ? messages.online : messages.offline)} />
              ) : (
                <bdi>{memberNames}</bdi>
              )}
            </p>
          </div>
          <PinToggle conversationId={conversationId} />
          <MuteToggle conversationId={conversationId} />
          <button
            ref={detailsButton}
            type="button"
            className="button button--small"
            aria-haspopup="dialog"
            data-testid="open-conversation-details"
            onClick={() => setDetailsOpen(true)}
          >
            <FormattedMessage
              id="thread.details"
              defaultMessage="Details"
              description="Opens the conversation’s details: title, members, leaving"
            />
          </button>
        </header>
        {thread?.loadingOlder && (
          <p className="thread__loading small" role="status">
            <FormattedMessage id="thread.loadingOlder" defaultMessage="Loading older messages…" />
          </p>
        )}
        <div
          ref={scrollRef}
          className="thread__scroll"
          onScroll={onScroll}
          tabIndex={0}
          role="region"
          aria-label={intl.formatMessage(
            { id: 'thread.messagesLabel', defaultMessage: 'Messages in {title}' },
            { title },
          )}
          data-testid="message-list"
        >
          {thread?.loaded && rows.length === 0 && (
            <p className="empty muted">
              <FormattedMessage id="thread.empty" defaultMessage="No messages yet. Say hello!" />
            </p>
          )}
          <div className="thread__canvas" style={{ height: totalSize }}>
            {virtualizer.getVirtualItems().map((item) => {
              const row = rows[item.index]
              if (!row) return null
              const found =
                row.type === 'message' &&
                target?.shown === true &&
                row.entry.id === target.messageId
              return (
                <div
                  key={item.key}
                  data-index={item.index}
                  ref={virtualizer.measureElement}
                  className={`thread__row${found ? ' thread__row--found' : ''}`}
                  data-found={found || undefined}
                  style={{ transform: `translateY(${item.start}px)` }}
                >
                  {row.type === 'start' ? (
                    <p className="thread__start muted small">
                      <FormattedMessage
                        id="thread.start"
                        defaultMessage="Start of the conversation"
                      />
                    </p>
                  ) : row.type === 'new' ? (
                    <div
                      className="day-separator day-separator--new"
                      role="separator"
                      aria-label={intl.formatMessage(messages.newMessages)}
                      data-testid="new-messages-divider"
                    >
                      <span>
                        <FormattedMessage {...messages.newMessages} />
                      </span>
                    </div>
                  ) : row.type === 'day' ? (
                    <div className="day-separator" data-testid="day-separator">
                      <time dateTime={row.ts}>{formatDayLabel(row.ts, zone, now, locale)}</time>
                    </div>
                  ) : (
                    <MessageRow
                      conversationId={conversationId}
                      entry={row.entry}
                      zone={zone}
                      clock={clock}
                      locale={locale}
                      receipt={
                        row.entry.id !== null && row.entry.id === lastOwnId
                          ? receiptText(conversation, row.entry.id, me, translator)
                          : null
                      }
                    />
                  )}
                </div>
              )
            })}
          </div>
        </div>
        {thread?.error && (
          <p className="form-error thread__error" role="alert">
            {thread.error}
          </p>
        )}
        <TypingIndicator conversationId={conversationId} />
        <ActionError />
        <Composer
          key={conversationId}
          conversationId={conversationId}
          canAttach={conversation.platform === 'tidings'}
        />
      </section>
      {detailsOpen && (
        <ConversationDetailsDialog
          conversationId={conversationId}
          onClose={() => setDetailsOpen(false)}
        />
      )}
    </>
  )
}

/** Who takes part from outside in a platform conversation: "Carol Chen <carol@example.test>". */
function externalPeople(messages: Message[]): string {
  const seen = new Map<string, string>()
  for (const m of messages) {
    const sender = m.external_sender
    if (sender && !seen.has(sender.handle.toLowerCase())) {
      seen.set(
        sender.handle.toLowerCase(),
        sender.name && sender.name !== sender.handle
          ? `${sender.name} <${sender.handle}>`
          : sender.handle,
      )
    }
  }
  return [...seen.values()].join(', ')
}

function TypingIndicator({ conversationId }: { conversationId: number }) {
  const typing = useTyping((s) => s.byConversation[conversationId])
  const translator = useTranslator()
  const text = typingText(typing ? Object.values(typing) : [], translator)
  return (
    <div className="typing" data-testid="typing-indicator" aria-live="polite">
      {text}
    </div>
  )
}

/** A failed edit or delete of one's own message, until dismissed. */
function ActionError() {
  const message = useMessages((s) => s.actionError)
  const clear = useMessages((s) => s.clearActionError)
  if (!message) return null
  return (
    <p className="form-error row" role="alert" data-testid="message-action-error">
      <span>{message}</span>
      <button type="button" className="button button--link" onClick={clear}>
        <FormattedMessage id="thread.actionError.dismiss" defaultMessage="Dismiss" />
      </button>
    </p>
  )
}
