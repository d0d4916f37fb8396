import {
  useId,
  useLayoutEffect,
  useRef,
  useState,
  type KeyboardEvent,
  type RefObject,
  type SyntheticEvent,
} from 'react'

/** What is being typed at the caret: `text.slice(start, caret)` is the trigger and `query`. */
export interface CaretQuery {
  start: number
  query: string
}

interface Options<Q extends CaretQuery, O> {
  input: RefObject<HTMLTextAreaElement | null>
  text: string
  /** Replaces the composer's text (as typing would: the draft and typing notice follow). */
  onText(text: string): void
  /** The query the caret is writing, if any (nothing while text is selected). */
  queryAt(text: string, start: number, end: number): Q | null
  options(query: Q): O[]
  /** The text with `option` in place of the query typed up to `caret`, and the caret after it. */
  insert(text: string, query: Q, caret: number, option: O): { text: string; caret: number }
}

/** Spread on the textarea: the ARIA combobox attributes and caret tracking. */
export interface ComboboxInputProps {
  role: 'combobox'
  'aria-autocomplete': 'list'
  'aria-expanded': boolean
  'aria-controls': string | undefined
  'aria-activedescendant': string | undefined
  onSelect(e: SyntheticEvent<HTMLTextAreaElement>): void
}

/**
 * The composer's completions (@mentions, :shortcodes:) as an ARIA 1.2 combobox on the textarea:
 * the list follows what is typed at the caret; ↑/↓ move, Enter or Tab picks (the caret lands after
 * what was put in), Escape closes and keeps the text (typing on opens it again). Focus stays in
 * the textarea (aria-activedescendant), so typing goes on while the list follows.
 */
export function useCaretCompletion<Q extends CaretQuery, O>({
  input,
  text,
  onText,
  queryAt,
  options: optionsFor,
  insert,
}: Options<Q, O>) {
  const listId = useId()
  const [caret, setCaret] = useState<{ start: number; end: number } | null>(null)
  const [active, setActive] = useState(0)
  /** What was typed when Escape closed the list: it stays closed until that changes. */
  const [dismissed, setDismissed] = useState<Q | null>(null)
  const pendingCaret = useRef<number | null>(null)

  useLayoutEffect(() => {
    // After a pick, the caret goes right after what was put in.
    const el = input.current
    if (!el || pendingCaret.current === null) return
    el.setSelectionRange(pendingCaret.current, pendingCaret.current)
    pendingCaret.current = null
  }, [text, input])

  const query = caret && caret.start <= text.length ? queryAt(text, caret.start, caret.end) : null
  const options =
    query && !(query.start === dismissed?.start && query.query === dismissed.query)
      ? optionsFor(query)
      : []
  const open = options.length > 0
  const current = open ? Math.min(active, options.length - 1) : 0
  const optionId = (index: number) => `${listId}-option-${index}`

  function pick(index: number) {
    const option = options[index]
    if (!query || !caret || option === undefined) return
    const next = insert(text, query, caret.start, option)
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
        pick(current)
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

  const inputProps: ComboboxInputProps = {
    role: 'combobox',
    'aria-autocomplete': 'list',
    'aria-expanded': open,
    'aria-controls': open ? listId : undefined,
    'aria-activedescendant': open ? optionId(current) : undefined,
    onSelect: (e) => {
      const el = e.currentTarget
      setCaret({ start: el.selectionStart, end: el.selectionEnd })
    },
  }

  return {
    listId,
    options,
    open,
    current,
    optionId,
    pick,
    onKeyDown,
    inputProps,
    wanted: query !== null,
  }
}
