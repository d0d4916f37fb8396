import {
  useId,
  useLayoutEffect,
  useRef,
  useState,
  type KeyboardEvent,
  type ReactNode,
  type RefObject,
  type SyntheticEvent,
} from 'react'
import { useIntl } from 'react-intl'
import { insertMention, mentionOptions, mentionQueryAt, type MentionQuery } from '../mentionQuery'
import { useConversations } from '../stores/conversations'
import { usePresence } from '../stores/presence'
import { selfId } from '../stores/session'

interface Options {
  conversationId: number
  input: RefObject<HTMLTextAreaElement | null>
  text: string
  /** Replaces the composer's text (as typing would: the draft and typing notice follow). */
  onText(text: string): void
}

export interface MentionAutocomplete {
  /** Spread on the textarea: the ARIA combobox attributes and caret tracking. */
  inputProps: {
    role: 'combobox'
    'aria-autocomplete': 'list'
    'aria-expanded': boolean
    'aria-controls': string | undefined
    'aria-activedescendant': string | undefined
    onSelect(e: SyntheticEvent<HTMLTextAreaElement>): void
  }
  /** Called first by the textarea's key handler; true when the key was the list's. */
  onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>): boolean
  /** The listbox while open, else null. */
  listbox: ReactNode
}

/**
 * `@` completion in the composer, as an ARIA 1.2 combobox: typing `@` and a letter lists the
 * conversation's other members matching by username or display name; ↑/↓ move, Enter or Tab
 * picks (inserting `@username `), Escape closes and keeps the text (typing on opens it again).
 * Focus stays in the textarea (aria-activedescendant), so typing goes on while the list follows.
 */
export function useMentionAutocomplete({
  conversationId,
  input,
  text,
  onText,
}: Options): MentionAutocomplete {
  const listId = useId()
  const intl = useIntl()
  const [caret, setCaret] = useState<{ start: number; end: number } | null>(null)
  const [active, setActive] = useState(0)
  /** What was typed when Escape closed the list: it stays closed until that changes. */
  const [dismissed, setDismissed] = useState<MentionQuery | null>(null)
  const pendingCaret = useRef<number | null>(null)
  const members = useConversations((s) => s.byId[conversationId]?.members)
  const people = usePresence((s) => s.people)

  useLayoutEffect(() => {
    // After a pick, the caret goes right after the inserted `@username `.
    const el = input.current
    if (!el || pendingCaret.current === null) return
    el.setSelectionRange(pendingCaret.current, pendingCaret.current)
    pendingCaret.current = null
  }, [text, input])

  const query: MentionQuery | null =
    caret && caret.start <= text.length ? mentionQueryAt(text, caret.start, caret.end) : null
  const options =
    query && !(query.start === dismissed?.start && query.query === dismissed.query) && members
      ? mentionOptions(members, people, selfId(), query.query)
      : []
  const open = options.length > 0
  const current = open ? Math.min(active, options.length - 1) : 0
  const optionId = (userId: number) => `${listId}-option-${userId}`

  function pick(username: string) {
    if (!query || !caret) return
    const next = insertMention(text, query, caret.start, username)
    pendingCaret.current = next.caret
    setCaret({ start: next.caret, end: next.caret })
    setActive(0)
    onText(next.text)
  }

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>): boolean {
    if (!open || e.nativeEvent.isComposing) return false
    switch (e.key) {
      case 'ArrowDown':
        setActive((current + 1) % options.length)
        break
      case 'ArrowUp':
        setActive((current - 1 + options.length) % options.length)
        break
      case 'Enter':
      case 'Tab':
        if (e.shiftKey) return false
        pick(options[current]!.username)
        break
      case 'Escape':
        setDismissed(query)
        break
      default:
        return false
    }
    e.preventDefault()
    return true
  }

  const listbox = open ? (
    <ul
      id={listId}
      role="listbox"
      aria-label={intl.formatMessage({
        id: 'mentions.list.label',
        defaultMessage: 'People to mention',
      })}
      className="mention-list"
      data-testid="mention-list"
    >
      {options.map((option, i) => (
        <li
          key={option.user_id}
          id={optionId(option.user_id)}
          role="option"
          aria-selected={i === current}
          className={`mention-list__option${i === current ? ' mention-list__option--active' : ''}`}
          data-testid="mention-option"
          // Keeps the focus (and the caret) in the textarea.
          onMouseDown={(e) => e.preventDefault()}
          onClick={() => pick(option.username)}
        >
          <bdi className="mention-list__name">{option.display_name}</bdi>{' '}
          <span className="muted" translate="no">
            @{option.username}
          </span>
        </li>
      ))}
    </ul>
  ) : null

  return {
    inputProps: {
      role: 'combobox',
      'aria-autocomplete': 'list',
      'aria-expanded': open,
      'aria-controls': open ? listId : undefined,
      'aria-activedescendant': open ? optionId(options[current]!.user_id) : undefined,
      onSelect: (e) => {
        const el = e.currentTarget
        setCaret({ start: el.selectionStart, end: el.selectionEnd })
      },
    },
    onKeyDown,
    listbox,
  }
}
