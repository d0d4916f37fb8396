import { useEffect, useId, useRef, useState, type FormEvent } from 'react'
import { Limits } from '../../../shared/limits'
import { ConfirmGroup } from './ConfirmGroup'
import { usePassword } from '../stores/password'
import { useSession } from '../stores/session'

/** What is wrong with the form before anything is sent, or null when it may be sent. */
export function passwordFormProblem(current: string, next: string, confirm: string): string | null {
  if (!current) return 'Enter your current password.'
  if (next.length < Limits.passwordMinChars) {
    return `The new password needs at least ${Limits.passwordMinChars} characters.`
  }
  if (next.length > Limits.passwordMaxChars) {
    return `The new password may have at most ${Limits.passwordMaxChars} characters.`
  }
  if (next !== confirm) return 'The new password and its confirmation differ.'
  if (next === current) return 'The new password must differ from the current one.'
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
  const id = useId()
  const error = problem ?? serverError

  useEffect(() => {
    // The confirmation takes focus (ConfirmGroup); the button that asked gets it back after.
    if (!confirmSignOut && confirmShown.current) signOutButton.current?.focus()
    confirmShown.current = confirmSignOut
  }, [confirmSignOut])

  async function submit(e: FormEvent) {
    e.preventDefault()
    const found = passwordFormProblem(current, next, confirm)
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
      <h2 id={`${id}-h`}>Password and devices</h2>
      {!signedIn ? (
        <p className="muted small">Sign in to change your password.</p>
      ) : (
        <>
          <p className="muted small">
            Changing your password signs you out on every other device; this one stays signed in.
          </p>
          <form onSubmit={(e) => void submit(e)} aria-labelledby={`${id}-h`} noValidate>
            <PasswordField
              id={`${id}-current`}
              label="Current password"
              autoComplete="current-password"
              testId="password-current"
              value={current}
              onChange={edit(setCurrent)}
              errorId={error ? `${id}-error` : undefined}
            />
            <PasswordField
              id={`${id}-new`}
              label={`New password (at least ${Limits.passwordMinChars} characters)`}
              autoComplete="new-password"
              testId="password-new"
              value={next}
              onChange={edit(setNext)}
              errorId={error ? `${id}-error` : undefined}
            />
            <PasswordField
              id={`${id}-confirm`}
              label="Confirm the new password"
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
                Change password
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
                  Sign out other devices
                </button>
              )}
            </div>
            {confirmSignOut && (
              <ConfirmGroup
                question="Sign out every other device signed in to your account? Each will need your password to sign in again; this one stays signed in."
                confirmLabel="Sign out"
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
