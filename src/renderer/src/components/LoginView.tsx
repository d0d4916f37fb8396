import { useId, useState, type FormEvent } from 'react'
import { FormattedMessage, useIntl } from 'react-intl'
import { defineMessages } from '../../../shared/i18n/defineMessages'
import type { LinkPrefill, SessionState } from '../../../shared/ipc'
import { Limits } from '../../../shared/limits'
import { register, resetPassword, signIn } from '../actions/userData'
import { useSession } from '../stores/session'

type Mode = 'signin' | 'register' | 'reset'

const messages = defineMessages({
  firstAccount: {
    id: 'login.heading.firstAccount',
    defaultMessage: 'Create the administrator account',
  },
  register: { id: 'login.heading.register', defaultMessage: 'Create an account' },
  signIn: { id: 'login.heading.signIn', defaultMessage: 'Sign in to Tidings' },
  reset: { id: 'login.heading.reset', defaultMessage: 'Set a new password' },
  createAccount: { id: 'login.submit.createAccount', defaultMessage: 'Create account' },
  submitRegister: { id: 'login.submit.register', defaultMessage: 'Register' },
  submitSignIn: { id: 'login.submit.signIn', defaultMessage: 'Sign in' },
  submitReset: { id: 'login.submit.reset', defaultMessage: 'Set password and sign in' },
  haveAccount: { id: 'login.switch.haveAccount', defaultMessage: 'I already have an account' },
  haveInvite: { id: 'login.switch.haveInvite', defaultMessage: 'I have an invite code' },
  haveResetCode: {
    id: 'login.switch.haveResetCode',
    defaultMessage: 'I have a password reset code',
  },
})

/**
 * Sign in, register with an invite code, create the first (admin) account, or set a new password
 * with a reset code an administrator handed over. A `tidings://` invite or reset link for this
 * server fills in its form (one for another server waits until that server is shown).
 */
export function LoginView() {
  const session = useSession((s) => s.session)
  const linkPrefill = prefillForServer(
    useSession((s) => s.linkPrefill),
    session,
  )
  const busy = useSession((s) => s.busy)
  const error = useSession((s) => s.error)
  const clearError = useSession((s) => s.clearError)
  const [mode, setMode] = useState<Mode>('signin')
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const [displayName, setDisplayName] = useState('')
  const [invite, setInvite] = useState('')
  const intl = useIntl()
  const [resetCode, setResetCode] = useState('')
  const id = useId()
  const firstAccount = session?.needs_first_account ?? false
  const registering = firstAccount || mode === 'register'
  const resetting = !firstAccount && mode === 'reset'

  // A link's form (its latest) fills in the fields once, as it arrives; typing may change them.
  const [appliedPrefill, setAppliedPrefill] = useState<LinkPrefill | null>(null)
  if (linkPrefill !== appliedPrefill) {
    setAppliedPrefill(linkPrefill)
    if (linkPrefill?.form === 'register') {
      setMode('register')
      setInvite(linkPrefill.code)
    } else if (linkPrefill?.form === 'password_reset') {
      setMode('reset')
      setResetCode(linkPrefill.code)
    }
  }

  function submit(e: FormEvent) {
    e.preventDefault()
    if (resetting) {
      void resetPassword(resetCode.trim(), password)
    } else if (registering) {
      void register({
        username: username.trim(),
        password,
        display_name: displayName.trim() || undefined,
        invite_code: firstAccount ? undefined : invite.trim() || undefined,
      })
    } else {
      void signIn(username.trim(), password)
    }
  }

  function switchMode(next: Mode) {
    clearError()
    setMode(next)
  }

  const heading = intl.formatMessage(
    firstAccount
      ? messages.firstAccount
      : resetting
        ? messages.reset
        : registering
          ? messages.register
          : messages.signIn,
  )

  return (
    <div className="login">
      <form
        className="login__card"
        data-testid="login-form"
        data-mode={firstAccount ? 'first_account' : mode}
        aria-labelledby={`${id}-heading`}
        onSubmit={submit}
      >
        <h1 id={`${id}-heading`}>{heading}</h1>
        {firstAccount && (
          <p className="muted">
            <FormattedMessage
              id="login.firstAccount.hint"
              defaultMessage="This server has no accounts yet. The first account becomes its administrator."
            />
          </p>
        )}
        {session && (
          <p className="muted small">
            {session.embedded ? (
              <FormattedMessage
                id="login.server.builtIn"
                defaultMessage="Server: built-in server"
              />
            ) : (
              <FormattedMessage
                id="login.server.remote"
                defaultMessage="Server: {url}"
                values={{ url: session.server_url }}
              />
            )}
          </p>
        )}
        {resetting ? (
          <>
            <p className="muted small">
              <FormattedMessage
                id="login.reset.explanation"
                defaultMessage="Enter the reset code your administrator gave you and a new password. Every other device signed in to your account is signed out."
              />
            </p>
            <label htmlFor={`${id}-reset-code`}>
              <FormattedMessage id="login.reset.code" defaultMessage="Reset code" />
            </label>
            <input
              id={`${id}-reset-code`}
              name="reset_code"
              autoComplete="one-time-code"
              required
              data-testid="reset-code"
              value={resetCode}
              onChange={(e) => setResetCode(e.target.value)}
            />
          </>
        ) : (
          <>
            <label htmlFor={`${id}-username`}>
              <FormattedMessage id="login.username" defaultMessage="Username" />
            </label>
            <input
              id={`${id}-username`}
              name="username"
              autoComplete="username"
              required
              value={username}
              onChange={(e) => setUsername(e.target.value)}
            />
          </>
        )}
        {registering && (
          <>
            <label htmlFor={`${id}-display`}>
              <FormattedMessage id="login.displayName" defaultMessage="Display name (optional)" />
            </label>
            <input
              id={`${id}-display`}
              name="display_name"
              autoComplete="name"
              value={displayName}
              onChange={(e) => setDisplayName(e.target.value)}
            />
          </>
        )}
        <label htmlFor={`${id}-password`}>
          {resetting ? (
            <FormattedMessage
              id="login.newPassword"
              defaultMessage="New password (at least {min} characters)"
              values={{ min: Limits.passwordMinChars }}
            />
          ) : (
            <FormattedMessage id="login.password" defaultMessage="Password" />
          )}
        </label>
        <input
          id={`${id}-password`}
          name="password"
          type="password"
          autoComplete={registering || resetting ? 'new-password' : 'current-password'}
          required
          minLength={registering || resetting ? Limits.passwordMinChars : undefined}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        {registering && !firstAccount && (
          <>
            <label htmlFor={`${id}-invite`}>
              <FormattedMessage id="login.inviteCode" defaultMessage="Invite code" />
            </label>
            <input
              id={`${id}-invite`}
              name="invite_code"
              value={invite}
              onChange={(e) => setInvite(e.target.value)}
            />
          </>
        )}
        {error && (
          <p className="form-error" role="alert" data-testid="login-error">
            {error}
          </p>
        )}
        <button type="submit" className="button button--primary" disabled={busy}>
          {intl.formatMessage(
            firstAccount
              ? messages.createAccount
              : resetting
                ? messages.submitReset
                : registering
                  ? messages.submitRegister
                  : messages.submitSignIn,
          )}
        </button>
        {!firstAccount && (
          <button
            type="button"
            className="button button--link"
            onClick={() => switchMode(mode === 'signin' ? 'register' : 'signin')}
          >
            {intl.formatMessage(mode === 'signin' ? messages.haveInvite : messages.haveAccount)}
          </button>
        )}
        {!firstAccount && mode === 'signin' && (
          <button
            type="button"
            className="button button--link"
            data-testid="use-reset-code"
            onClick={() => switchMode('reset')}
          >
            {intl.formatMessage(messages.haveResetCode)}
          </button>
        )}
      </form>
    </div>
  )
}

/**
 * The link's form (an invite, a password reset) this view fills in: only one for the server
 * shown (the bundled one has no address a link could name); null otherwise.
 */
export function prefillForServer(
  pending: LinkPrefill | null,
  session: SessionState | null,
): LinkPrefill | null {
  if (!pending || !session || session.embedded) return null
  return pending.server_url === session.server_url ? pending : null
}
