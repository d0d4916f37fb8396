import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react'
import { Limits } from '../../../shared/limits'
import { notifyTyping } from '../stores/actions'
import { useDrafts } from '../stores/drafts'
import { useMessages } from '../stores/messages'

/** Stop the typing notice after this long without a keystroke. */
const TYPING_IDLE_MS = 3_000

/**
 * Message input: Enter sends, Shift+Enter inserts a newline. Mounted once per conversation (the
 * thread keys it by id): it starts from the conversation's draft, and keeps the draft as it goes.
 */
export function Composer({ conversationId }: { conversationId: number }) {
  const [text, setText] = useState(() => useDrafts.getState().byConversation[conversationId] ?? '')
  const send = useMessages((s) => s.send)
  const idleTimer = useRef<ReturnType<typeof setTimeout> | null>(null)
  const input = useRef<HTMLTextAreaElement>(null)
  const id = useId()

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
    void send(conversationId, body)
  }

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault()
      submit()
    }
  }

  function onSubmit(e: FormEvent) {
    e.preventDefault()
    submit()
  }

  const rows = Math.min(6, Math.max(1, text.split('\n').length))
  return (
    <form className="composer" onSubmit={onSubmit} aria-label="Send a message">
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
        onChange={(e) => onChange(e.target.value)}
        onKeyDown={onKeyDown}
      />
      <button
        type="submit"
        className="button button--primary"
        disabled={!text.trim()}
        data-testid="send-button"
      >
        Send
      </button>
    </form>
  )
}
