import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react'
import { Limits } from '../../../shared/limits'
import { notifyTyping } from '../stores/actions'
import { useDrafts } from '../stores/drafts'
import { loadedMessage, useMessages } from '../stores/messages'
import { currentQuote, oneLine, useReplies } from '../stores/replies'
import { useMentionAutocomplete } from './MentionAutocomplete'

/** Stop the typing notice after this long without a keystroke. */
const TYPING_IDLE_MS = 3_000

/**
 * Message input: Enter sends, Shift+Enter inserts a newline. Mounted once per conversation (the
 * thread keys it by id): it starts from the conversation's draft, and keeps the draft as it goes.
 * A reply started on a message shows above it until sent, cancelled (× or Escape) or another
 * conversation is opened.
 */
export function Composer({ conversationId }: { conversationId: number }) {
  const [text, setText] = useState(() => useDrafts.getState().byConversation[conversationId] ?? '')
  const send = useMessages((s) => s.send)
  const draft = useReplies((s) => (s.draft?.conversationId === conversationId ? s.draft : null))
  const cancelReply = useReplies((s) => s.cancel)
  // The original as loaded now: an edit or a deletion while the reply is written shows at once.
  const original = useMessages((s) =>
    draft ? loadedMessage(s.threads[conversationId], draft.quote.id) : undefined,
  )
  const quote = draft ? currentQuote(draft.quote.id, draft.quote, () => original) : null
  const idleTimer = useRef<ReturnType<typeof setTimeout> | null>(null)
  const input = useRef<HTMLTextAreaElement>(null)
  const id = useId()
  const mention = useMentionAutocomplete({ conversationId, input, text, onText: onChange })

  useEffect(() => {
    // Back to a draft: carry on writing where it ends.
    const el = input.current
    if (!el || el.value === '') return
    el.focus()
    el.setSelectionRange(el.value.length, el.value.length)
  }, [])

  useEffect(() => {
    return () => {
      if (idleTimer.current) clearTimeout(idleTimer.current)
      notifyTyping(conversationId, false)
    }
  }, [conversationId])

  const replyingTo = quote?.id ?? null
  useEffect(() => {
    // Choosing Reply on a message leads straight to writing the reply.
    if (replyingTo !== null) input.current?.focus()
  }, [replyingTo])

  function onChange(value: string) {
    setText(value)
    useDrafts.getState().change(conversationId, value)
    if (idleTimer.current) clearTimeout(idleTimer.current)
    if (value.trim()) {
      notifyTyping(conversationId, true)
      idleTimer.current = setTimeout(() => notifyTyping(conversationId, false), TYPING_IDLE_MS)
    } else {
      notifyTyping(conversationId, false)
    }
  }

  function submit() {
    const body = text.trim()
    if (!body) return
    if (idleTimer.current) clearTimeout(idleTimer.current)
    notifyTyping(conversationId, false)
    setText('')
    useDrafts.getState().drop(conversationId)
    if (draft) cancelReply()
    void send(conversationId, body, draft?.quote.id)
  }

  function cancel() {
    cancelReply()
    input.current?.focus()
  }

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (mention.onKeyDown(e)) return
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault()
      submit()
    } else if (e.key === 'Escape' && draft) {
      e.preventDefault()
      cancel()
    }
  }

  function onSubmit(e: FormEvent) {
    e.preventDefault()
    submit()
  }

  const rows = Math.min(6, Math.max(1, text.split('\n').length))
  return (
    <form className="composer" onSubmit={onSubmit} aria-label="Send a message">
      {quote && (
        <div className="composer__reply" data-testid="reply-bar">
          <p className="composer__reply-text" id={`${id}-reply`}>
            Replying to <span className="composer__reply-sender">{quote.sender_name}</span>:{' '}
            <span className="composer__reply-excerpt">
              {quote.deleted ? 'Original message deleted' : oneLine(quote.text)}
            </span>
          </p>
          <button
            type="button"
            className="button button--small button--ghost"
            aria-label="Cancel reply"
            title="Cancel reply (Escape)"
            data-testid="cancel-reply"
            onClick={cancel}
          >
            <span aria-hidden="true">×</span>
          </button>
        </div>
      )}
      {mention.listbox}
      <div className="composer__row">
        <label htmlFor={`${id}-text`} className="visually-hidden">
          Message
        </label>
        <textarea
          ref={input}
          id={`${id}-text`}
          data-testid="composer"
          className="composer__input"
          placeholder="Write a message… (Enter to send, Shift+Enter for a new line)"
          rows={rows}
          maxLength={Limits.maxMessageChars}
          value={text}
          aria-describedby={quote ? `${id}-reply` : undefined}
          onChange={(e) => onChange(e.target.value)}
          onKeyDown={onKeyDown}
          {...mention.inputProps}
        />
        <button
          type="submit"
          className="button button--primary"
          disabled={!text.trim()}
          data-testid="send-button"
        >
          Send
        </button>
      </div>
    </form>
  )
}
