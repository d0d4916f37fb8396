import {
  useEffect,
  useId,
  useLayoutEffect,
  useRef,
  useState,
  type ClipboardEvent,
  type FormEvent,
  type KeyboardEvent,
} from 'react'
import { FormattedMessage, useIntl } from 'react-intl'
import { defineMessages } from '../../../shared/i18n/defineMessages'
import { Limits } from '../../../shared/limits'
import { plainLine } from '../../../shared/markdown'
import { notifyTyping } from '../stores/typing'
import { useDrafts } from '../stores/drafts'
import { useTranslator } from '../stores/locale'
import { loadedMessage, useMessages } from '../stores/messages'
import {
  humanSize,
  usePendingAttachments,
  type PendingAttachment,
} from '../stores/pendingAttachments'
import { currentQuote, useReplies } from '../stores/replies'
import { BOLD, ITALIC, toggleMarker } from '../formatting/wrapSelection'
import { useMentionAutocomplete } from './MentionAutocomplete'
import { useShortcodeAutocomplete } from './ShortcodeAutocomplete'

/** The key that holds formatting shortcuts: Cmd on macOS, Ctrl elsewhere. */
const IS_MAC = /Mac/.test(navigator.userAgent)

const messages = defineMessages({
  cancelReply: { id: 'composer.reply.cancel', defaultMessage: 'Cancel reply' },
  attachFiles: { id: 'composer.attach.label', defaultMessage: 'Attach files' },
  cmd: { id: 'composer.hint.cmd', defaultMessage: 'Cmd', description: 'The Command key on macOS' },
  ctrl: { id: 'composer.hint.ctrl', defaultMessage: 'Ctrl', description: 'The Control key' },
})

/** Stop the typing notice after this long without a keystroke. */
const TYPING_IDLE_MS = 3_000
/** A stable empty list: a selector returning a new [] each time would re-render forever. */
const NO_FILES: PendingAttachment[] = []

/**
 * Message input: Enter sends, Shift+Enter inserts a newline. Mounted once per conversation (the
 * thread keys it by id): it starts from the conversation's draft, and keeps the draft as it goes.
 * A reply started on a message shows above it until sent, cancelled (× or Escape) or another
 * conversation is opened. Files (Attach, dropped on the thread, or a pasted image) upload as soon
 * as they are added and show as chips above the text until sent or removed; a message may be
 * files alone.
 */
export function Composer({
  conversationId,
  canAttach,
}: {
  conversationId: number
  /** False where the server takes no files (email and bridged conversations). */
  canAttach: boolean
}) {
  const [text, setText] = useState(() => useDrafts.getState().byConversation[conversationId] ?? '')
  const send = useMessages((s) => s.send)
  const draft = useReplies((s) => (s.draft?.conversationId === conversationId ? s.draft : null))
  const cancelReply = useReplies((s) => s.cancel)
  // The original as loaded now: an edit or a deletion while the reply is written shows at once.
  const original = useMessages((s) =>
    draft ? loadedMessage(s.threads[conversationId], draft.quote.id) : undefined,
  )
  const quote = draft ? currentQuote(draft.quote.id, draft.quote, () => original) : null
  const files = usePendingAttachments((s) => s.byConversation[conversationId] ?? NO_FILES)
  const ready = files.flatMap((f) => (f.status === 'ready' && f.attachment ? [f.attachment] : []))
  const uploading = files.some((f) => f.status === 'uploading')
  const canSend = !uploading && (text.trim() !== '' || ready.length > 0)
  const idleTimer = useRef<ReturnType<typeof setTimeout> | null>(null)
  const input = useRef<HTMLTextAreaElement>(null)
  const id = useId()
  const intl = useIntl()
  const translator = useTranslator()
  const mention = useMentionAutocomplete({ conversationId, input, text, onText: onChange })
  const shortcode = useShortcodeAutocomplete({ input, text, onText: onChange })
  // One combobox: its ARIA state is the open list's; both follow the caret.
  const completion = shortcode.listbox ? shortcode : mention
  /** Where the selection goes once a shortcut's change to the text is on screen. */
  const pendingSelection = useRef<{ start: number; end: number } | null>(null)

  useLayoutEffect(() => {
    const selection = pendingSelection.current
    if (!selection || !input.current) return
    input.current.setSelectionRange(selection.start, selection.end)
    pendingSelection.current = null
  }, [text])

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
    if (!canSend) return
    if (idleTimer.current) clearTimeout(idleTimer.current)
    notifyTyping(conversationId, false)
    setText('')
    useDrafts.getState().drop(conversationId)
    usePendingAttachments.getState().clear(conversationId)
    if (draft) cancelReply()
    void send(
      conversationId,
      body,
      draft?.quote.id,
      ready.map((a) => a.id),
    )
  }

  function addFiles(list: FileList | null) {
    if (!canAttach || !list || list.length === 0) return
    usePendingAttachments.getState().add(conversationId, [...list])
  }

  function onPaste(e: ClipboardEvent<HTMLTextAreaElement>) {
    // A pasted image (a screenshot) becomes a file to send; pasted text stays text.
    if (!canAttach || e.clipboardData.files.length === 0) return
    e.preventDefault()
    addFiles(e.clipboardData.files)
  }

  function cancel() {
    cancelReply()
    input.current?.focus()
  }

  /** Ctrl/Cmd+B and Ctrl/Cmd+I: bold or italic markers around the selection, or off again. */
  function formatShortcut(e: KeyboardEvent<HTMLTextAreaElement>): boolean {
    const held = IS_MAC ? e.metaKey && !e.ctrlKey : e.ctrlKey && !e.metaKey
    if (!held || e.shiftKey || e.altKey) return false
    const key = e.key.toLowerCase()
    const marker = key === 'b' ? BOLD : key === 'i' ? ITALIC : null
    if (!marker) return false
    e.preventDefault()
    const el = e.currentTarget
    const next = toggleMarker({ text, start: el.selectionStart, end: el.selectionEnd }, marker)
    pendingSelection.current = { start: next.start, end: next.end }
    onChange(next.text)
    return true
  }

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (mention.onKeyDown(e)) return
    if (shortcode.onKeyDown(e)) return
    if (formatShortcut(e)) return
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
    <form
      className="composer"
      onSubmit={onSubmit}
      aria-label={intl.formatMessage({ id: 'composer.label', defaultMessage: 'Send a message' })}
    >
      {quote && (
        <div className="composer__reply" data-testid="reply-bar">
          <p className="composer__reply-text" id={`${id}-reply`}>
            <FormattedMessage
              id="composer.replyingTo"
              defaultMessage="Replying to {sender}: {text}"
              values={{
                sender: <bdi className="composer__reply-sender">{quote.sender_name}</bdi>,
                text: (
                  <span className="composer__reply-excerpt" dir="auto">
                    {quote.deleted
                      ? intl.formatMessage({
                          id: 'message.quote.originalDeleted',
                          defaultMessage: 'Original message deleted',
                        })
                      : plainLine(quote.text)}
                  </span>
                ),
              }}
            />
          </p>
          <button
            type="button"
            className="button button--small button--ghost"
            aria-label={intl.formatMessage(messages.cancelReply)}
            title={intl.formatMessage({
              id: 'composer.reply.cancelTitle',
              defaultMessage: 'Cancel reply (Escape)',
            })}
            data-testid="cancel-reply"
            onClick={cancel}
          >
            <span aria-hidden="true">×</span>
          </button>
        </div>
      )}
      {mention.listbox}
      {shortcode.listbox}
      {files.length > 0 && (
        <ul
          className="composer__files"
          aria-label={intl.formatMessage({
            id: 'composer.files.label',
            defaultMessage: 'Files to send',
          })}
          data-testid="pending-files"
        >
          {files.map((file) => (
            <li
              key={file.key}
              className={`file-chip file-chip--${file.status}`}
              data-testid="pending-file"
              data-status={file.status}
            >
              <span className="file-chip__name">{file.name}</span>
              <span className="file-chip__size">{humanSize(file.size, translator)}</span>
              {file.status === 'uploading' && (
                <span className="file-chip__status" role="status">
                  <FormattedMessage id="composer.file.uploading" defaultMessage="Uploading…" />
                </span>
              )}
              {file.error && (
                <span className="file-chip__error" role="alert" data-testid="pending-file-error">
                  {file.error}
                </span>
              )}
              <button
                type="button"
                className="button button--small button--ghost"
                aria-label={intl.formatMessage(
                  { id: 'composer.file.remove.label', defaultMessage: 'Remove {name}' },
                  { name: file.name },
                )}
                title={intl.formatMessage({
                  id: 'composer.file.remove',
                  defaultMessage: 'Remove',
                })}
                onClick={() => usePendingAttachments.getState().remove(conversationId, file.key)}
              >
                <span aria-hidden="true">×</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="composer__row">
        {canAttach && (
          <label
            className="button composer__attach"
            title={intl.formatMessage(messages.attachFiles)}
          >
            <input
              type="file"
              multiple
              className="visually-hidden"
              aria-label={intl.formatMessage(messages.attachFiles)}
              data-testid="attach-input"
              onChange={(e) => {
                addFiles(e.target.files)
                // The same file can be chosen again after it was removed.
                e.target.value = ''
              }}
            />
            <FormattedMessage id="composer.attach" defaultMessage="Attach" />
          </label>
        )}
        <label htmlFor={`${id}-text`} className="visually-hidden">
          <FormattedMessage id="composer.input.label" defaultMessage="Message" />
        </label>
        <textarea
          ref={input}
          id={`${id}-text`}
          data-testid="composer"
          className="composer__input"
          // Right to left as soon as the text starts in Arabic or Hebrew.
          dir="auto"
          placeholder={intl.formatMessage({
            id: 'composer.input.placeholder',
            defaultMessage: 'Write a message… (Enter to send, Shift+Enter for a new line)',
          })}
          rows={rows}
          maxLength={Limits.maxMessageChars}
          value={text}
          aria-describedby={quote ? `${id}-reply ${id}-hint` : `${id}-hint`}
          onChange={(e) => onChange(e.target.value)}
          onKeyDown={onKeyDown}
          {...completion.inputProps}
          onSelect={(e) => {
            mention.inputProps.onSelect(e)
            shortcode.inputProps.onSelect(e)
          }}
          onPaste={onPaste}
        />
        <button
          type="submit"
          className="button button--primary"
          disabled={!canSend}
          data-testid="send-button"
        >
          <FormattedMessage id="composer.send" defaultMessage="Send" />
        </button>
      </div>
      <FormattingHint id={`${id}-hint`} />
    </form>
  )
}

/** How to format, under the input: the Markdown people type in chat, and the two shortcuts. */
function FormattingHint({ id }: { id: string }) {
  const intl = useIntl()
  return (
    <p className="composer__hint" id={id} data-testid="formatting-hint">
      <FormattedMessage
        id="composer.hint"
        defaultMessage="<hidden>Formatting:</hidden> <bold>**bold**</bold> <italic>_italic_</italic> <strike>~~strike~~</strike> <code>`code`</code> <code>```code block```</code> <item>> quote</item> <item>- list</item> <item>[text](link)</item> <item>:emoji:</item> · {modifier}+B bold, {modifier}+I italic"
        description="The Markdown a message may use, as typed; the words inside the marks are examples"
        values={{
          hidden: (chunks) => <span className="visually-hidden">{chunks}</span>,
          bold: (chunks) => <b>{chunks}</b>,
          italic: (chunks) => <i>{chunks}</i>,
          strike: (chunks) => <s>{chunks}</s>,
          code: (chunks) => <code>{chunks}</code>,
          item: (chunks) => <span>{chunks}</span>,
          modifier: intl.formatMessage(IS_MAC ? messages.cmd : messages.ctrl),
        }}
      />
    </p>
  )
}
