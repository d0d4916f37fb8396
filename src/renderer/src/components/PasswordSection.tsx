import { useEffect, useId, useRef, useState, type FormEvent } from 'react'
import { FormattedMessage, useIntl } from 'react-intl'
import { defineMessages } from '../../../shared/i18n/defineMessages'
import type { Translate } from '../../../shared/i18n/translator'
import { Limits } from '../../../shared/limits'
import { ConfirmGroup } from './ConfirmGroup'
import { usePassword } from '../stores/password'
import { useSession } from '../stores/session'

const problems = defineMessages({
  current: { id: 'password.problem.current', defaultMessage: 'Enter your current password.' },
  tooShort: {
    id: 'password.problem.tooShort',
    defaultMessage: 'The new password needs at least {min} characters.',
  },
  tooLong: {
    id: 'password.problem.tooLong',
    defaultMessage: 'The new password may have at most {max} characters.',
  },
  mismatch: {
    id: 'password.problem.mismatch',
    defaultMessage: 'The new password and its confirmation differ.',
  },
  unchanged: {
    id: 'password.problem.unchanged',
    defaultMessage: 'The new password must differ from the current one.',
  },
})

/** What is wrong with the form before anything is sent, or null when it may be sent. */
export function passwordFormProblem(
  current: string,
  next: string,
  confirm: string,
  t: Translate,
): string | null {
  if (!current) return t(problems.current)
  if (next.length < Limits.passwordMinChars) {
    return t(problems.tooShort, { min: Limits.passwordMinChars })
  }
  if (next.length > Limits.passwordMaxChars) {
    return t(problems.tooLong, { max: Limits.passwordMaxChars })
  }
  if (next !== confirm) return t(problems.mismatch)
  if (next === current) return t(problems.unchanged)
  return null
}

/**
 * Settings: change the password (which signs out every other device) or only sign out the other
 * devices, which asks first (it cannot be undone from here: each device needs the password
 * again), the way leaving a conversation does. This device stays signed in either way.
 */
export function PasswordSection() {
  const signedIn = useSession((s) => Boolean(s.session?.user))
  const busy = usePassword((s) => s.busy)
  const serverError = usePassword((s) => s.error)
  const done = usePassword((s) => s.done)
  const changePassword = usePassword((s) => s.changePassword)
  const signOutOthers = usePassword((s) => s.signOutOthers)
  const clearMessages = usePassword((s) => s.clearMessages)
  const [current, setCurrent] = useState('')
  const [next, setNext] = useState('')
  const [confirm, setConfirm] = useState('')
  const [problem, setProblem] = useState<string | null>(null)
  const [confirmSignOut, setConfirmSignOut] = useState(false)
  const signOutButton = useRef<HTMLButtonElement>(null)
  const confirmShown = useRef(false)
  const intl = useIntl()
  const id = useId()
  const error = problem ?? serverError

  useEffect(() => {
    // The confirmation takes focus (ConfirmGroup); the button that asked gets it back after.
    if (!confirmSignOut && confirmShown.current) signOutButton.current?.focus()
    confirmShown.current = confirmSignOut
  }, [confirmSignOut])

  async function submit(e: FormEvent) {
    e.preventDefault()
    const found = passwordFormProblem(current, next, confirm, intl.formatMessage)
    setProblem(found)
    if (found) {
      clearMessages()
      return
    }
    if (await changePassword(current, next)) {
      setCurrent('')
      setNext('')
      setConfirm('')
    }
  }

  function edit(setter: (value: string) => void) {
    return (value: string) => {
      setter(value)
      setProblem(null)
    }
  }

  return (
    <section className="card" aria-labelledby={`${id}-h`} data-testid="password-section">
      <h2 id={`${id}-h`}>
        <FormattedMessage id="password.title" defaultMessage="Password and devices" />
      </h2>
      {!signedIn ? (
        <p className="muted small">
          <FormattedMessage
            id="password.signInFirst"
            defaultMessage="Sign in to change your password."
          />
        </p>
      ) : (
        <>
          <p className="muted small">
            <FormattedMessage
              id="password.hint"
              defaultMessage="Changing your password signs you out on every other device; this one stays signed in."
            />
          </p>
          <form onSubmit={(e) => void submit(e)} aria-labelledby={`${id}-h`} noValidate>
            <PasswordField
              id={`${id}-current`}
              label={intl.formatMessage({
                id: 'password.current',
                defaultMessage: 'Current password',
              })}
              autoComplete="current-password"
              testId="password-current"
              value={current}
              onChange={edit(setCurrent)}
              errorId={error ? `${id}-error` : undefined}
            />
            <PasswordField
              id={`${id}-new`}
              label={intl.formatMessage(
                {
                  id: 'password.new',
                  defaultMessage: 'New password (at least {min} characters)',
                },
                { min: Limits.passwordMinChars },
              )}
              autoComplete="new-password"
              testId="password-new"
              value={next}
              onChange={edit(setNext)}
              errorId={error ? `${id}-error` : undefined}
            />
            <PasswordField
              id={`${id}-confirm`}
              label={intl.formatMessage({
                id: 'password.confirm',
                defaultMessage: 'Confirm the new password',
              })}
              autoComplete="new-password"
              testId="password-confirm"
              value={confirm}
              onChange={edit(setConfirm)}
              errorId={error ? `${id}-error` : undefined}
            />
            {error && (
              <p
                id={`${id}-error`}
                className="form-error"
                role="alert"
                data-testid="password-error"
              >
                {error}
              </p>
            )}
            <div className="row">
              <button
                type="submit"
                className="button button--primary"
                disabled={busy}
                data-testid="password-save"
              >
                <FormattedMessage id="password.change" defaultMessage="Change password" />
              </button>
              {!confirmSignOut && (
                <button
                  ref={signOutButton}
                  type="button"
                  className="button"
                  disabled={busy}
                  data-testid="sign-out-others"
                  onClick={() => setConfirmSignOut(true)}
                >
                  <FormattedMessage
                    id="password.signOutOthers"
                    defaultMessage="Sign out other devices"
                  />
                </button>
              )}
            </div>
            {confirmSignOut && (
              <ConfirmGroup
                question={intl.formatMessage({
                  id: 'password.signOutOthers.confirm',
                  defaultMessage:
                    'Sign out every other device signed in to your account? Each will need your password to sign in again; this one stays signed in.',
                })}
                confirmLabel={intl.formatMessage({
                  id: 'password.signOutOthers.go',
                  defaultMessage: 'Sign out',
                })}
                busy={busy}
                testId="sign-out-others-confirm"
                confirmTestId="sign-out-others-confirm-button"
                onCancel={() => setConfirmSignOut(false)}
                onConfirm={() => {
                  setProblem(null)
                  // Closed once done, so that focus goes back to a button no longer disabled.
                  void signOutOthers().then(() => setConfirmSignOut(false))
                }}
              />
            )}
            <p role="status" className="small" data-testid="password-status">
              {done ?? ''}
            </p>
          </form>
        </>
      )}
    </section>
  )
}

function PasswordField(props: {
  id: string
  label: string
  autoComplete: 'current-password' | 'new-password'
  testId: string
  value: string
  errorId: string | undefined
  onChange(value: string): void
}) {
  return (
    <>
      <label htmlFor={props.id}>{props.label}</label>
      <input
        id={props.id}
        type="password"
        autoComplete={props.autoComplete}
        data-testid={props.testId}
        value={props.value}
        aria-describedby={props.errorId}
        onChange={(e) => props.onChange(e.target.value)}
      />
    </>
  )
}
