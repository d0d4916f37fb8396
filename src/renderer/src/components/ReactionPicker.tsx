import { useEffect, useRef, useState, type KeyboardEvent, type RefObject } from 'react'
import { useIntl } from 'react-intl'
import { usePreferences } from '../stores/preferences'
import { REACTION_CHOICES } from '../stores/reactions'
import { EmojiPicker } from './EmojiPicker'
import { defineMessages } from '../../../shared/i18n/defineMessages'

const { moreEmoji } = defineMessages({
  moreEmoji: { id: 'reaction.picker.more', defaultMessage: 'More emoji' },
})

interface Props {
  /** What the picker is for, e.g. "React to Jane's message sent at 10:02". */
  label: string
  /** The user's emoji on the message (shown pressed; choosing one again takes it back). */
  mine: ReadonlySet<string>
  /** The button that opened the picker: focus goes back to it when the picker closes. */
  trigger: RefObject<HTMLButtonElement | null>
  onChoose(emoji: string): void
  onClose(): void
}

/**
 * Six quick reactions as a toolbar under the message's header, and "More emoji" for the full
 * picker (any emoji). Left and Right (or Tab) move between them, Enter or Space chooses, Escape
 * closes; focus starts on the current choice and goes back to the React button when the picker
 * closes.
 */
export function ReactionPicker(props: Props) {
  const [full, setFull] = useState(false)
  const { label, mine, trigger, onChoose, onClose } = props
  if (!full) return <QuickReactions {...props} onMore={() => setFull(true)} />
  return (
    <EmojiPicker
      label={label}
      pressed={mine}
      trigger={trigger}
      onChoose={(emoji) => {
        onChoose(emoji)
        onClose()
        trigger.current?.focus()
      }}
      onClose={(refocus) => {
        onClose()
        if (refocus) trigger.current?.focus()
      }}
    />
  )
}

function QuickReactions({
  label,
  mine,
  trigger,
  onChoose,
  onClose,
  onMore,
}: Props & { onMore(): void }) {
  const bar = useRef<HTMLDivElement>(null)
  const intl = useIntl()

  useEffect(() => {
    const buttons = [...(bar.current?.querySelectorAll('button') ?? [])]
    ;(buttons.find((b) => b.getAttribute('aria-pressed') === 'true') ?? buttons[0])?.focus()
  }, [])

  function close() {
    onClose()
    trigger.current?.focus()
  }

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    const buttons = [...(bar.current?.querySelectorAll('button') ?? [])]
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement)
    const move = (to: number) => {
      e.preventDefault()
      buttons[(to + buttons.length) % buttons.length]?.focus()
    }
    if (e.key === 'Escape') {
      e.preventDefault()
      e.stopPropagation()
      close()
    } else if (e.key === 'ArrowRight') move(at + 1)
    else if (e.key === 'ArrowLeft') move(at - 1)
    else if (e.key === 'Home') move(0)
    else if (e.key === 'End') move(buttons.length - 1)
  }

  return (
    <div
      ref={bar}
      className="reaction-picker"
      role="toolbar"
      aria-label={label}
      data-testid="reaction-picker"
      onKeyDown={onKeyDown}
      onBlur={(e) => {
        // Focus moved elsewhere (a click outside): close, without pulling focus back. The React
        // button toggles the picker itself.
        const to = e.relatedTarget as Node | null
        if (to && (bar.current?.contains(to) || to === trigger.current)) return
        onClose()
      }}
    >
      {REACTION_CHOICES.map(({ emoji, name }) => (
        <button
          key={emoji}
          type="button"
          className="reaction-picker__choice"
          data-testid="reaction-choice"
          data-emoji={emoji}
          aria-label={intl.formatMessage(
            { id: 'reaction.picker.choice', defaultMessage: 'React with {name}' },
            { name: intl.formatMessage(name) },
          )}
          aria-pressed={mine.has(emoji)}
          title={intl.formatMessage(name)}
          onClick={() => {
            void usePreferences.getState().emojiUsed(emoji)
            onChoose(emoji)
            close()
          }}
        >
          {emoji}
        </button>
      ))}
      <button
        type="button"
        className="reaction-picker__choice reaction-picker__more"
        data-testid="more-emoji"
        aria-label={intl.formatMessage(moreEmoji)}
        aria-haspopup="dialog"
        title={intl.formatMessage(moreEmoji)}
        onClick={onMore}
      >
        <span aria-hidden="true">…</span>
      </button>
    </div>
  )
}
