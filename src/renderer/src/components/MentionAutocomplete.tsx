import type { KeyboardEvent, ReactNode, RefObject } from 'react'
import { useIntl } from 'react-intl'
import { insertMention, mentionOptions, mentionQueryAt } from '../mentionQuery'
import { useConversations } from '../stores/conversations'
import { usePresence } from '../stores/presence'
import { selfId } from '../stores/session'
import { useCaretCompletion, type ComboboxInputProps } from './useCaretCompletion'

interface Options {
  conversationId: number
  input: RefObject<HTMLTextAreaElement | null>
  text: string
  /** Replaces the composer's text (as typing would: the draft and typing notice follow). */
  onText(text: string): void
}

/** A completion of the composer's (this one, or :shortcode:). */
export interface MentionAutocomplete {
  /** Spread on the textarea: the ARIA combobox attributes and caret tracking. */
  inputProps: ComboboxInputProps
  /** Called first by the textarea's key handler; true when the key was the list's. */
  onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>): boolean
  /** The listbox while open, else null. */
  listbox: ReactNode
}

/**
 * `@` completion in the composer (useCaretCompletion's combobox): typing `@` and a letter lists
 * the conversation's other members matching by username or display name; a pick inserts
 * `@username `.
 */
export function useMentionAutocomplete({
  conversationId,
  input,
  text,
  onText,
}: Options): MentionAutocomplete {
  const intl = useIntl()
  const members = useConversations((s) => s.byId[conversationId]?.members)
  const people = usePresence((s) => s.people)
  const completion = useCaretCompletion({
    input,
    text,
    onText,
    queryAt: mentionQueryAt,
    options: (query) => (members ? mentionOptions(members, people, selfId(), query.query) : []),
    insert: (written, query, caret, option) =>
      insertMention(written, query, caret, option.username),
  })
  const { open, options, current, optionId, pick } = completion

  const listbox = open ? (
    <ul
      id={completion.listId}
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
          id={optionId(i)}
          role="option"
          aria-selected={i === current}
          className={`mention-list__option${i === current ? ' mention-list__option--active' : ''}`}
          data-testid="mention-option"
          // Keeps the focus (and the caret) in the textarea.
          onMouseDown={(e) => e.preventDefault()}
          onClick={() => pick(i)}
        >
          <bdi className="mention-list__name">{option.display_name}</bdi>{' '}
          <span className="muted" translate="no">
            @{option.username}
          </span>
        </li>
      ))}
    </ul>
  ) : null

  return { inputProps: completion.inputProps, onKeyDown: completion.onKeyDown, listbox }
}
