import { useEffect, useRef, type KeyboardEvent, type RefObject } from 'react'
import { useIntl } from 'react-intl'
import { REACTION_CHOICES } from '../stores/reactions'

interface Props {
  /** What the picker is for, e.g. "React to Jane's message sent at 10:02". */
  label: string
  /** The user's current emoji (shown pressed; choosing it again removes it). */
  current: string | null
  /** The button that opened the picker: focus goes back to it when the picker closes. */
  trigger: RefObject<HTMLButtonElement | null>
  onChoose(emoji: string): void
  onClose(): void
}

/**
 * The six reactions to choose from, as a toolbar under the message's header. Left and Right (or
 * Tab) move between them, Enter or Space chooses, Escape closes; focus starts on the current
 * choice and goes back to the React button when the picker closes.
 */
export function ReactionPicker({ label, current, trigger, onChoose, onClose }: Props) {
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
          aria-pressed={current === emoji}
          title={intl.formatMessage(name)}
          onClick={() => {
            onChoose(emoji)
            close()
          }}
        >
          {emoji}
        </button>
      ))}
    </div>
  )
}
