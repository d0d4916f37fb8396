import { useEffect, useId, useRef, type ReactNode } from 'react'
import { FormattedMessage } from 'react-intl'

/**
 * An inline question before something that cannot be undone: Cancel (focused when it appears, as
 * Escape does) and the action, in the danger style. The caller shows it in place of the button
 * that asked and gives focus back to that button when it closes.
 */
export function ConfirmGroup(props: {
  question: ReactNode
  confirmLabel: string
  busy: boolean
  testId: string
  confirmTestId: string
  onCancel(): void
  onConfirm(): void
}) {
  const cancelButton = useRef<HTMLButtonElement>(null)
  const id = useId()
  useEffect(() => cancelButton.current?.focus(), [])
  return (
    <div
      className="details__confirm"
      role="group"
      aria-labelledby={id}
      data-testid={props.testId}
      onKeyDown={(e) => {
        if (e.key === 'Escape') props.onCancel()
      }}
    >
      <p id={id}>{props.question}</p>
      <div className="row">
        <button
          ref={cancelButton}
          type="button"
          className="button"
          disabled={props.busy}
          onClick={props.onCancel}
        >
          <FormattedMessage id="confirm.cancel" defaultMessage="Cancel" />
        </button>
        <button
          type="button"
          className="button button--danger"
          disabled={props.busy}
          data-testid={props.confirmTestId}
          onClick={props.onConfirm}
        >
          {props.confirmLabel}
        </button>
      </div>
    </div>
  )
}
