import { useState, type ReactNode } from 'react'
import { usePreferences } from '../stores/preferences'

interface HeaderToggleProps {
  /** On or off: shown by aria-pressed and the icon, never by another word. */
  pressed: boolean
  /** Asks main for the other state; false when it was refused. */
  change: (next: boolean) => Promise<boolean>
  /** The one word shown in both states; part of the accessible name. */
  word: string
  label: string
  title: string
  icon: ReactNode
  testId: string
  errorTestId: string
  /** Shown when main refused without saying why. */
  fallbackError: string
}

/**
 * A thread header toggle (Pin, Mute): one name in both states and the state in aria-pressed, as a
 * toggle button should, so speech users can say what they see; busy while main answers, and the
 * reason under it when main refuses (the preferences store holds it).
 */
export function HeaderToggle(props: HeaderToggleProps) {
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  async function toggle() {
    setBusy(true)
    setError(null)
    const ok = await props.change(!props.pressed)
    setBusy(false)
    if (!ok) setError(usePreferences.getState().error ?? props.fallbackError)
  }

  return (
    <div className="mute-toggle">
      <button
        type="button"
        className="button button--small mute-toggle__button"
        aria-pressed={props.pressed}
        aria-label={props.label}
        title={props.title}
        data-testid={props.testId}
        disabled={busy}
        onClick={() => void toggle()}
      >
        {props.pressed && props.icon}
        {props.word}
      </button>
      {error && (
        <p className="form-error small" role="alert" data-testid={props.errorTestId}>
          {error}
        </p>
      )}
    </div>
  )
}
