import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react'
import { Limits } from '../../../shared/limits'
import { notifyTyping } from '../stores/actions'
import { useMessages } from '../stores/messages'

/** Stop the typing notice after this long without a keystroke. */
const TYPING_IDLE_MS = 3_000

/** Message input: Enter sends, Shift+Enter inserts a newline. */
export function Composer({ conversationId }: { conversationId: number }) {
  const [text, setText] = useState('')
  const send = useMessages((s) => s.send)
  const idleTimer = useRef<ReturnType<typeof setTimeout> | null>(null)
  const id = useId()

  useEffect(() => {
    return () => {
      if (idleTimer.current) clearTimeout(idleTimer.current)
      notifyTyping(conversationId, false)
    }
  }, [conversationId])

  function onChange(value: string) {
    setText(value)
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
