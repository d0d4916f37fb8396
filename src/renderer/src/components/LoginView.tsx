import { useEffect, useId, useState, type FormEvent } from 'react'
import type { Invite, SessionState } from '../../../shared/ipc'
import { register, signIn } from '../actions/userData'
import { useInvite } from '../stores/invite'
import { useSession } from '../stores/session'

type Mode = 'signin' | 'register'

/**
 * Sign in, register with an invite code, or create the first (admin) account. A tidings:// invite
 * for this server switches to the registration form with its code filled in: one pushed while
 * the form shows, or one that arrived before it (taken from main when the form mounts).
 */
export function LoginView() {
  const session = useSession((s) => s.session)
  const busy = useSession((s) => s.busy)
  const error = useSession((s) => s.error)
  const clearError = useSession((s) => s.clearError)
  const [mode, setMode] = useState<Mode>('signin')
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const [displayName, setDisplayName] = useState('')
  const [invite, setInvite] = useState('')
  const id = useId()
  const invited = inviteForServer(
    useInvite((s) => s.pending),
    session,
  )
  const [filledFrom, setFilledFrom] = useState<Invite | null>(null)
  if (invited && invited !== filledFrom) {
    setFilledFrom(invited)
    setMode('register')
    setInvite(invited.code)
  }

  useEffect(() => {
    void useInvite.getState().fetch()
  }, [])

  useEffect(() => {
    if (!invited) return
    useInvite.getState().take()
    clearError()
  }, [invited, clearError])

  const firstAccount = session?.needs_first_account ?? false
  const registering = firstAccount || mode === 'register'

  function submit(e: FormEvent) {
    e.preventDefault()
    if (registering) {
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

  const heading = firstAccount
    ? 'Create the administrator account'
    : registering
      ? 'Create an account'
      : 'Sign in to Tidings'

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
            This server has no accounts yet. The first account becomes its administrator.
          </p>
        )}
        {session && (
          <p className="muted small">
            Server: {session.embedded ? 'built-in server' : session.server_url}
          </p>
        )}
        <label htmlFor={`${id}-username`}>Username</label>
        <input
          id={`${id}-username`}
          name="username"
          autoComplete="username"
          required
          value={username}
          onChange={(e) => setUsername(e.target.value)}
        />
        {registering && (
          <>
            <label htmlFor={`${id}-display`}>Display name (optional)</label>
            <input
              id={`${id}-display`}
              name="display_name"
              autoComplete="name"
              value={displayName}
              onChange={(e) => setDisplayName(e.target.value)}
            />
          </>
        )}
        <label htmlFor={`${id}-password`}>Password</label>
        <input
          id={`${id}-password`}
          name="password"
          type="password"
          autoComplete={registering ? 'new-password' : 'current-password'}
          required
          minLength={registering ? 8 : undefined}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        {registering && !firstAccount && (
          <>
            <label htmlFor={`${id}-invite`}>Invite code</label>
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
          {firstAccount ? 'Create account' : registering ? 'Register' : 'Sign in'}
        </button>
        {!firstAccount && (
          <button
            type="button"
            className="button button--link"
            onClick={() => switchMode(registering ? 'signin' : 'register')}
          >
            {registering ? 'I already have an account' : 'I have an invite code'}
          </button>
        )}
      </form>
    </div>
  )
}

/**
 * The invite the form fills in: only one for the server shown (the bundled one has no address
 * anyone could be invited to); null otherwise.
 */
export function inviteForServer(
  pending: Invite | null,
  session: SessionState | null,
): Invite | null {
  if (!pending || !session || session.embedded) return null
  return pending.server_url === session.server_url ? pending : null
}
