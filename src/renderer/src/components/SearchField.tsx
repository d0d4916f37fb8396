import { useEffect, useRef } from 'react'
import { useIntl } from 'react-intl'
import { defineMessages } from '../../../shared/i18n/defineMessages'
import { Limits } from '../../../shared/limits'
import { useSearch } from '../stores/search'

const messages = defineMessages({
  search: { id: 'search.field', defaultMessage: 'Search messages' },
})

/** Wait this long after the last keystroke before searching. */
export const SEARCH_DEBOUNCE_MS = 250

/**
 * The message search field at the top of the sidebar. Ctrl+F (Cmd+F on macOS) focuses it;
 * Enter searches again at once; Escape empties it, which brings the conversation list back (and,
 * when already empty, leaves it).
 */
export function SearchField() {
  const query = useSearch((s) => s.query)
  const setQuery = useSearch((s) => s.setQuery)
  const run = useSearch((s) => s.run)
  const input = useRef<HTMLInputElement>(null)
  const intl = useIntl()

  useEffect(() => {
    if (query.trim() === '') return
    const timer = setTimeout(() => void run(), SEARCH_DEBOUNCE_MS)
    return () => clearTimeout(timer)
  }, [query, run])

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.shiftKey && !e.altKey && e.key.toLowerCase() === 'f') {
        e.preventDefault()
        input.current?.focus()
        input.current?.select()
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [])

  return (
    <div role="search" className="search-field">
      <label htmlFor="message-search" className="visually-hidden">
        {intl.formatMessage(messages.search)}
      </label>
      <input
        ref={input}
        id="message-search"
        type="search"
        placeholder={intl.formatMessage(messages.search)}
        dir="auto"
        autoComplete="off"
        maxLength={Limits.maxSearchQueryChars}
        aria-keyshortcuts="Control+F Meta+F"
        data-testid="message-search"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') void run(true)
          if (e.key !== 'Escape') return
          e.preventDefault()
          if (query === '') e.currentTarget.blur()
          else useSearch.getState().clear()
        }}
      />
    </div>
  )
}
