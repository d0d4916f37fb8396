import { memo, useId, useRef, useState, type FormEvent } from 'react'
import { FormattedMessage, useIntl } from 'react-intl'
import { defineMessages } from '../../../shared/i18n/defineMessages'
import { plainLine } from '../../../shared/markdown'
import type { ClockStyle } from '../../../shared/preferences'
import type { ReplyPreview } from '../../../shared/models'
import { formatTimestamp, type TimeLocale } from '../../../shared/time'
import { mentionDirectory, mentionsMe } from '../mentions'
import { openThread, showMessage } from '../actions/navigation'
import { useMessages, type ThreadEntry } from '../stores/messages'
import { usePresence } from '../stores/presence'
import { addsReaction, myReactions } from '../stores/reactions'
import { useReplies } from '../stores/replies'
import { useSession } from '../stores/session'
import { MessageText } from '../formatting/MessageText'
import { LinkPreviewCard } from './LinkPreviewCard'
import { MessageAttachments } from './MessageAttachments'
import { ReactionChips } from './ReactionChips'
import { ReactionPicker } from './ReactionPicker'
import { ThreadSummaryButton } from './ThreadSummaryButton'

const messages = defineMessages({
  you: { id: 'message.sender.you', defaultMessage: 'You' },
  deactivated: {
    id: 'message.sender.deactivated',
    defaultMessage: '{name} (deactivated)',
    description: 'A sender whose account an administrator deactivated',
  },
  label: {
    id: 'message.label',
    defaultMessage: '{sender} at {time}',
    description: 'What a screen reader says of a message: who sent it and when',
  },
  labelMentionsYou: {
    id: 'message.labelMentionsYou',
    defaultMessage: '{sender} at {time}, mentions you',
  },
  replyToYours: {
    id: 'message.reply.labelOwn',
    defaultMessage: 'Reply to your message sent at {time}',
  },
  replyTo: { id: 'message.reply.label', defaultMessage: 'Reply to {sender} sent at {time}' },
  replyInThreadToYours: {
    id: 'message.replyInThread.labelOwn',
    defaultMessage: 'Reply in thread to your message sent at {time}',
  },
  replyInThreadTo: {
    id: 'message.replyInThread.label',
    defaultMessage: 'Reply in thread to {sender} sent at {time}',
  },
  reactToYours: {
    id: 'message.react.labelOwn',
    defaultMessage: 'React to your message sent at {time}',
  },
  reactTo: { id: 'message.react.label', defaultMessage: 'React to {sender} sent at {time}' },
  reactionsToYours: {
    id: 'message.reactions.labelOwn',
    defaultMessage: 'Reactions to your message sent at {time}',
  },
  reactionsTo: {
    id: 'message.reactions.label',
    defaultMessage: 'Reactions to {sender} sent at {time}',
  },
  delete: { id: 'message.delete', defaultMessage: 'Delete' },
  originalDeleted: {
    id: 'message.quote.originalDeleted',
    defaultMessage: 'Original message deleted',
  },
})

interface Props {
  conversationId: number
  entry: ThreadEntry
  zone: string
  clock: ClockStyle
  locale: TimeLocale
  /** "Read by Jane" / "Delivered" under the newest own message; null elsewhere. */
  receipt: string | null
  /** Shown in a thread's panel: no thread actions (a reply has no thread of its own). */
  inThreadPanel?: boolean
}

/**
 * One message: the quote of the message it replies to, sender, time, text, edited/deleted marks,
 * files, its link preview card, reactions, send status, Reply, React, and the own-message actions.
 */
export const MessageRow = memo(function MessageRow({
  conversationId,
  entry,
  zone,
  clock,
  locale,
  receipt,
  inThreadPanel = false,
}: Props) {
  const intl = useIntl()
  const [editing, setEditing] = useState(false)
  const [confirmDelete, setConfirmDelete] = useState(false)
  const [picking, setPicking] = useState(false)
  const reactButton = useRef<HTMLButtonElement>(null)
  const user = useSession((s) => s.session?.user ?? null)
  const me = user?.id ?? null
  const people = usePresence((s) => s.people)
  const mentions = mentionDirectory(people, user)
  const react = useMessages((s) => s.react)
  const retry = useMessages((s) => s.retry)
  const remove = useMessages((s) => s.remove)
  const removePreview = useMessages((s) => s.removePreview)
  const deleted = entry.deleted_at !== null
  const time = formatTimestamp(entry.created_at, zone, { format: 'time', clock, locale })
  const full = formatTimestamp(entry.created_at, zone, {
    format: 'datetime',
    clock,
    withZone: true,
    locale,
  })
  const canChange = entry.own && entry.id !== null && !deleted
  /** Who sent it on a connected platform (an email's From), when it came from one. */
  const external = entry.message?.external_sender
  const stored = entry.message
  const canReply = stored !== null && !deleted
  // Threads are Tidings' own: a root is a channel message that is no thread reply itself.
  const canStartThread =
    canReply &&
    !inThreadPanel &&
    stored.thread_root_id === undefined &&
    stored.external_sender === undefined
  const rootId = stored?.thread_root_id
  const deactivatedSender = !entry.own && !external && people[entry.sender_id]?.deactivated
  const sender = entry.own
    ? intl.formatMessage(messages.you)
    : external?.name ||
      (deactivatedSender
        ? intl.formatMessage(messages.deactivated, { name: entry.sender_name })
        : entry.sender_name)
  const reactions = deleted ? undefined : stored?.reactions
  const forMe = stored !== null && mentionsMe(stored, user)
  const choose = (emoji: string) => {
    if (stored) void react(conversationId, stored.id, emoji, addsReaction(reactions, me, emoji))
  }

  return (
    <article
      className={`message${entry.own ? ' message--own' : ''}${deleted ? ' message--deleted' : ''}${forMe ? ' message--mentions-me' : ''}`}
      data-testid="message-item"
      data-message-id={entry.id ?? undefined}
      data-client-id={entry.client_id}
      data-status={entry.status ?? undefined}
      data-mentions-me={forMe || undefined}
      aria-label={intl.formatMessage(forMe ? messages.labelMentionsYou : messages.label, {
        sender,
        time,
      })}
    >
      <header className="message__meta">
        <bdi className="message__sender" title={external?.handle}>
          {sender}
        </bdi>
        <time className="message__time" dateTime={entry.created_at} title={full}>
          {time}
        </time>
        {entry.edited_at && !deleted && (
          <span className="message__mark" data-testid="edited-mark">
            <FormattedMessage id="message.edited" defaultMessage="(edited)" />
          </span>
        )}
        {canReply && !editing && (
          <span
            className={`message__actions${confirmDelete || picking ? ' message__actions--open' : ''}`}
          >
            {confirmDelete ? (
              <>
                <span className="small">
                  <FormattedMessage
                    id="message.delete.confirm"
                    defaultMessage="Delete this message?"
                  />
                </span>
                <button
                  type="button"
                  className="button button--small button--danger"
                  data-testid="confirm-delete"
                  onClick={() => {
                    setConfirmDelete(false)
                    if (entry.id !== null) void remove(entry.id)
                  }}
                >
                  <FormattedMessage {...messages.delete} />
                </button>
                <button
                  type="button"
                  className="button button--small"
                  onClick={() => setConfirmDelete(false)}
                >
                  <FormattedMessage
                    id="message.delete.keep"
                    defaultMessage="Keep"
                    description="Cancels deleting a message"
                  />
                </button>
              </>
            ) : (
              <>
                {!inThreadPanel && (
                  // A quote goes to the conversation's composer, not to a thread's.
                  <button
                    type="button"
                    className="button button--small button--ghost"
                    data-testid="reply-message"
                    aria-label={intl.formatMessage(
                      entry.own ? messages.replyToYours : messages.replyTo,
                      { sender, time },
                    )}
                    onClick={() => useReplies.getState().start(stored)}
                  >
                    <FormattedMessage id="message.reply" defaultMessage="Reply" />
                  </button>
                )}
                {canStartThread && (
                  <button
                    type="button"
                    className="button button--small button--ghost"
                    data-testid="reply-in-thread"
                    aria-label={intl.formatMessage(
                      entry.own ? messages.replyInThreadToYours : messages.replyInThreadTo,
                      { sender, time },
                    )}
                    onClick={() => void openThread(conversationId, stored.id)}
                  >
                    <FormattedMessage id="message.replyInThread" defaultMessage="Reply in thread" />
                  </button>
                )}
                <button
                  ref={reactButton}
                  type="button"
                  className="button button--small button--ghost"
                  data-testid="react-message"
                  aria-label={intl.formatMessage(
                    entry.own ? messages.reactToYours : messages.reactTo,
                    {
                      sender,
                      time,
                    },
                  )}
                  aria-expanded={picking}
                  onClick={() => setPicking((open) => !open)}
                >
                  <FormattedMessage id="message.react" defaultMessage="React" />
                </button>
                {canChange && (
                  <>
                    <button
                      type="button"
                      className="button button--small button--ghost"
                      data-testid="edit-message"
                      aria-label={intl.formatMessage(
                        { id: 'message.edit.label', defaultMessage: 'Edit message sent at {time}' },
                        { time },
                      )}
                      onClick={() => setEditing(true)}
                    >
                      <FormattedMessage id="message.edit" defaultMessage="Edit" />
                    </button>
                    <button
                      type="button"
                      className="button button--small button--ghost"
                      data-testid="delete-message"
                      aria-label={intl.formatMessage(
                        {
                          id: 'message.delete.label',
                          defaultMessage: 'Delete message sent at {time}',
                        },
                        { time },
                      )}
                      onClick={() => setConfirmDelete(true)}
                    >
                      <FormattedMessage {...messages.delete} />
                    </button>
                  </>
                )}
              </>
            )}
          </span>
        )}
      </header>
      {picking && canReply && (
        <ReactionPicker
          label={intl.formatMessage(entry.own ? messages.reactionsToYours : messages.reactionsTo, {
            sender,
            time,
          })}
          mine={myReactions(reactions, me)}
          trigger={reactButton}
          onChoose={choose}
          onClose={() => setPicking(false)}
        />
      )}
      {rootId !== undefined && !inThreadPanel && (
        // A thread reply also sent to the channel: where it belongs.
        <button
          type="button"
          className="button button--link small message__in-thread"
          data-testid="open-reply-thread"
          onClick={() => void openThread(conversationId, rootId)}
        >
          <FormattedMessage id="message.repliedInThread" defaultMessage="Replied in a thread" />
        </button>
      )}
      {entry.reply_to && !deleted && (
        <Quote quote={entry.reply_to} onShow={(id) => showMessage(conversationId, id)} />
      )}
      {deleted ? (
        <p className="message__text message__text--deleted" data-testid="deleted-mark">
          <FormattedMessage id="message.deleted" defaultMessage="Message deleted" />
        </p>
      ) : editing && entry.id !== null ? (
        <EditForm id={entry.id} text={entry.text} onDone={() => setEditing(false)} />
      ) : (
        // A message of files alone has no text to show.
        (entry.text !== '' || !stored?.attachments) && (
          <MessageText text={entry.text} mentions={mentions} />
        )
      )}
      {!deleted && stored?.attachments && (
        <MessageAttachments conversationId={conversationId} attachments={stored.attachments} />
      )}
      {!deleted && stored?.link_preview && (
        <LinkPreviewCard
          preview={stored.link_preview}
          onRemove={canChange ? () => void removePreview(stored.id) : undefined}
        />
      )}
      {reactions && reactions.length > 0 && (
        <ReactionChips reactions={reactions} me={me} people={people} onChoose={choose} />
      )}
      {inThreadPanel && stored?.in_channel && (
        <p className="message__mark small" data-testid="also-in-channel">
          <FormattedMessage
            id="message.alsoInChannel"
            defaultMessage="Also sent to the conversation"
          />
        </p>
      )}
      {!inThreadPanel && stored?.thread && (
        <ThreadSummaryButton
          thread={stored.thread}
          people={people}
          zone={zone}
          clock={clock}
          onOpen={() => void openThread(conversationId, stored.id)}
        />
      )}
      {entry.own && !deleted && (entry.status !== 'sent' || receipt) && (
        <footer className="message__footer">
          {entry.status === 'pending' && (
            <span className="message__status" data-testid="message-status">
              <FormattedMessage id="message.status.sending" defaultMessage="Sending…" />
            </span>
          )}
          {entry.status === 'failed' && (
            <>
              <span
                className="message__status message__status--failed"
                data-testid="message-status"
              >
                {entry.error ? (
                  <FormattedMessage
                    id="message.status.notSentBecause"
                    defaultMessage="Not sent: {reason}"
                    values={{ reason: entry.error }}
                  />
                ) : (
                  <FormattedMessage id="message.status.notSent" defaultMessage="Not sent" />
                )}
              </span>
              <button
                type="button"
                className="button button--small"
                data-testid="retry-button"
                onClick={() => void retry(entry.client_id)}
              >
                <FormattedMessage id="message.retry" defaultMessage="Retry" />
              </button>
            </>
          )}
          {entry.status === 'sent' && receipt && (
            <span className="message__status" data-testid="read-receipt">
              {receipt}
            </span>
          )}
        </footer>
      )}
    </article>
  )
})

/** The message replied to, one line; choosing it brings the original into view. */
function Quote({ quote, onShow }: { quote: ReplyPreview; onShow: (id: number) => void }) {
  const intl = useIntl()
  return (
    <button
      type="button"
      className="message__quote"
      data-testid="reply-quote"
      data-reply-to={quote.id}
      title={intl.formatMessage({
        id: 'message.quote.title',
        defaultMessage: 'Show the original message',
      })}
      onClick={() => onShow(quote.id)}
    >
      <FormattedMessage
        id="message.quote"
        defaultMessage="<hidden>In reply to</hidden> {sender}<hidden>:</hidden> {text}"
        description="The quote of the message a reply answers; the hidden parts are said by screen readers only"
        values={{
          hidden: (chunks) => <span className="visually-hidden">{chunks}</span>,
          sender: <bdi className="message__quote-sender">{quote.sender_name}</bdi>,
          text: (
            <span
              className={`message__quote-text${quote.deleted ? ' message__quote-text--deleted' : ''}`}
              dir="auto"
            >
              {quote.deleted ? intl.formatMessage(messages.originalDeleted) : plainLine(quote.text)}
            </span>
          ),
        }}
      />
    </button>
  )
}

function EditForm({ id, text, onDone }: { id: number; text: string; onDone: () => void }) {
  const [value, setValue] = useState(text)
  const edit = useMessages((s) => s.edit)
  const inputId = useId()
  async function submit(e: FormEvent) {
    e.preventDefault()
    const body = value.trim()
    if (body && body !== text) await edit(id, body)
    onDone()
  }
  return (
    <form className="message__edit" onSubmit={(e) => void submit(e)}>
      <label htmlFor={inputId} className="visually-hidden">
        <FormattedMessage id="message.edit.input" defaultMessage="Edit message" />
      </label>
      <textarea
        id={inputId}
        dir="auto"
        data-testid="edit-input"
        value={value}
        autoFocus
        onChange={(e) => setValue(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') onDone()
          if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
            e.preventDefault()
            e.currentTarget.form?.requestSubmit()
          }
        }}
      />
      <div className="message__edit-actions">
        <button type="submit" className="button button--small button--primary">
          <FormattedMessage id="message.edit.save" defaultMessage="Save" />
        </button>
        <button type="button" className="button button--small" onClick={onDone}>
          <FormattedMessage id="message.edit.cancel" defaultMessage="Cancel" />
        </button>
      </div>
    </form>
  )
}
