import { useEffect, useId, useRef, useState, type FormEvent } from 'react'
import { FormattedMessage, useIntl } from 'react-intl'
import { defineMessages } from '../../../shared/i18n/defineMessages'
import { Limits } from '../../../shared/limits'
import { ConfirmGroup } from './ConfirmGroup'
import { translate } from '../stores/locale'
import { retentionText, useRetention } from '../stores/retention'
import { useSession } from '../stores/session'

const messages = defineMessages({
  daysProblem: {
    id: 'retention.days.problem',
    defaultMessage: 'Enter a number of days from 1 to {max, number}.',
  },
  loading: { id: 'retention.loading', defaultMessage: 'Loading…' },
  confirm: {
    id: 'retention.confirm',
    defaultMessage:
      'Delete every message older than {days, plural, one {# day} other {# days}}, and its files, for everyone? This cannot be undone.',
  },
  confirmButton: { id: 'retention.confirm.go', defaultMessage: 'Delete older messages' },
})

/** What is wrong with the number of days typed, or null. */
export function retentionDaysProblem(text: string): string | null {
  const days = Number(text)
  if (!/^\d+$/.test(text.trim()) || days < 1 || days > Limits.messageRetentionMaxDays) {
    return translate(messages.daysProblem, { max: Limits.messageRetentionMaxDays })
  }
  return null
}

/**
 * Admin console: how long messages and their files are kept. A shorter period deletes history
 * for everyone and cannot be undone, so the window asks first, the way signing out other devices
 * does. Members never see this section (the server refuses them the policy anyway).
 */
export function RetentionSection() {
  const isAdmin = useSession((s) => s.session?.user?.role === 'admin')
  const policy = useRetention((s) => s.policy)
  const busy = useRetention((s) => s.busy)
  const serverError = useRetention((s) => s.error)
  const done = useRetention((s) => s.done)
  const load = useRetention((s) => s.load)
  const save = useRetention((s) => s.save)
  const clearMessages = useRetention((s) => s.clearMessages)
  const [mode, setMode] = useState<'forever' | 'days' | null>(null)
  const [daysText, setDaysText] = useState<string | null>(null)
  const [problem, setProblem] = useState<string | null>(null)
  const [confirming, setConfirming] = useState<number | null>(null)
  const saveButton = useRef<HTMLButtonElement>(null)
  const confirmShown = useRef(false)
  const id = useId()
  const intl = useIntl()

  useEffect(() => {
    if (isAdmin) void load()
  }, [isAdmin, load])
  useEffect(() => {
    // The question takes focus (ConfirmGroup); the button that asked gets it back after.
    if (confirming === null && confirmShown.current) saveButton.current?.focus()
    confirmShown.current = confirming !== null
  }, [confirming])

  if (!isAdmin) return null
  const current = policy?.message_retention_days ?? null
  const chosenMode = mode ?? (current === null ? 'forever' : 'days')
  const chosenText = daysText ?? (current === null ? '90' : String(current))
  const error = problem ?? serverError

  async function apply(days: number | null) {
    setConfirming(null)
    if (await save(days)) {
      setMode(null)
      setDaysText(null)
    }
  }

  function submit(e: FormEvent) {
    e.preventDefault()
    clearMessages()
    if (chosenMode === 'forever') {
      setProblem(null)
      void apply(null)
      return
    }
    const found = retentionDaysProblem(chosenText)
    setProblem(found)
    if (found) return
    const days = Number(chosenText)
    // Keeping messages longer deletes nothing: no question then.
    if (current !== null && days >= current) void apply(days)
    else setConfirming(days)
  }

  return (
    <section className="card" aria-labelledby={`${id}-h`} data-testid="retention-section">
      <h2 id={`${id}-h`}>
        <FormattedMessage id="retention.heading" defaultMessage="Message retention" />
      </h2>
      <p className="muted small" data-testid="retention-current">
        <FormattedMessage
          id="retention.explanation"
          defaultMessage="{policy} The server deletes expired messages for everyone, pinned conversations included, and search no longer finds them."
          values={{
            policy: policy ? retentionText(current) : intl.formatMessage(messages.loading),
          }}
        />
      </p>
      <form onSubmit={submit} aria-labelledby={`${id}-h`} noValidate>
        <fieldset className="radios">
          <legend className="visually-hidden">
            <FormattedMessage id="retention.legend" defaultMessage="How long messages are kept" />
          </legend>
          <label>
            <input
              type="radio"
              name={`${id}-mode`}
              checked={chosenMode === 'forever'}
              onChange={() => {
                setMode('forever')
                setProblem(null)
                setConfirming(null)
              }}
            />
            <FormattedMessage id="retention.forever" defaultMessage="Keep messages forever" />
          </label>
          <label>
            <input
              type="radio"
              name={`${id}-mode`}
              checked={chosenMode === 'days'}
              onChange={() => {
                setMode('days')
                setConfirming(null)
              }}
            />
            <FormattedMessage
              id="retention.afterDays"
              defaultMessage="Delete messages after a number of days"
            />
          </label>
        </fieldset>
        {chosenMode === 'days' && (
          <>
            <label htmlFor={`${id}-days`}>
              <FormattedMessage id="retention.days" defaultMessage="Days a message is kept" />
            </label>
            <input
              id={`${id}-days`}
              type="number"
              inputMode="numeric"
              min={1}
              max={Limits.messageRetentionMaxDays}
              data-testid="retention-days"
              value={chosenText}
              aria-invalid={problem ? true : undefined}
              aria-describedby={error ? `${id}-error` : undefined}
              onChange={(e) => {
                setDaysText(e.target.value)
                setProblem(null)
                setConfirming(null)
              }}
            />
          </>
        )}
        {error && (
          <p id={`${id}-error`} className="form-error" role="alert" data-testid="retention-error">
            {error}
          </p>
        )}
        {confirming === null && (
          <div className="row">
            <button
              ref={saveButton}
              type="submit"
              className="button button--primary"
              disabled={busy || !policy}
              data-testid="retention-save"
            >
              <FormattedMessage id="retention.save" defaultMessage="Save retention" />
            </button>
          </div>
        )}
      </form>
      {confirming !== null && (
        <ConfirmGroup
          question={intl.formatMessage(messages.confirm, { days: confirming })}
          confirmLabel={intl.formatMessage(messages.confirmButton)}
          busy={busy}
          testId="retention-confirm"
          confirmTestId="retention-confirm-button"
          onCancel={() => setConfirming(null)}
          onConfirm={() => void apply(confirming)}
        />
      )}
      <p role="status" className="small" data-testid="retention-status">
        {done ?? ''}
      </p>
    </section>
  )
}
