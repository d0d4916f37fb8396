import { useEffect, useId, useRef, useState } from 'react'
import { passwordResetLink } from '../../../shared/deepLinks'
import type { AdminUser } from '../../../shared/models'
import { formatTimestamp } from '../../../shared/time'
import { useTimeSettings } from '../hooks'
import { usePeople } from '../stores/people'
import { useSession } from '../stores/session'

/** An action that asks first: it signs the person out, and only the server can undo it. */
type Confirmable = 'deactivate' | 'signOut'

const CONFIRM_TEXT: Record<Confirmable, (name: string) => string> = {
  deactivate: (name) =>
    `Deactivate ${name}? They are signed out everywhere and cannot sign in until reactivated; ` +
    'their messages stay.',
  signOut: (name) =>
    `Sign ${name} out on every device? They can sign in again with their password.`,
}

/** Whether a person matches the search: by username or display name, any letter case. */
export function matchesPerson(user: AdminUser, query: string): boolean {
  const q = query.trim().toLowerCase()
  return (
    q === '' ||
    user.username.toLowerCase().includes(q) ||
    user.display_name.toLowerCase().includes(q)
  )
}

/**
 * Settings, administrators only: every person with role, state, last seen and devices signed in;
 * promote or demote, deactivate or reactivate, sign out everywhere, and a one-time password
 * reset code to hand over. The server keeps the last active administrator and says so.
 */
export function PeopleSection() {
  const users = usePeople((s) => s.users)
  const loaded = usePeople((s) => s.loaded)
  const error = usePeople((s) => s.error)
  const done = usePeople((s) => s.done)
  const me = useSession((s) => s.session?.user?.id ?? null)
  const [query, setQuery] = useState('')
  const id = useId()
  useEffect(() => void usePeople.getState().load(), [])
  const shown = users.filter((u) => matchesPerson(u, query))
  return (
    <section className="card" aria-labelledby={`${id}-h`} data-testid="people-section">
      <h2 id={`${id}-h`}>People</h2>
      <label htmlFor={`${id}-search`}>Search people</label>
      <input
        id={`${id}-search`}
        type="search"
        data-testid="people-search"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
      />
      <IssuedResetCode />
      {error && (
        <p className="form-error" role="alert" data-testid="people-error">
          {error}
        </p>
      )}
      <p role="status" className="small" data-testid="people-status">
        {done ?? ''}
      </p>
      {!loaded ? (
        <p className="muted small">Loading…</p>
      ) : shown.length === 0 ? (
        <p className="muted small">No one matches.</p>
      ) : (
        <ul className="admin-list" data-testid="people-list" aria-labelledby={`${id}-h`}>
          {shown.map((user) => (
            <PersonRow key={user.id} user={user} self={user.id === me} />
          ))}
        </ul>
      )}
    </section>
  )
}

function PersonRow({ user, self }: { user: AdminUser; self: boolean }) {
  const busy = usePeople((s) => s.busyId === user.id)
  const { zone, clock } = useTimeSettings()
  const [confirming, setConfirming] = useState<Confirmable | null>(null)
  const cancelButton = useRef<HTMLButtonElement>(null)
  const id = useId()
  const people = usePeople.getState()
  const name = user.display_name || user.username
  const active = user.state === 'active'
  useEffect(() => {
    if (confirming) cancelButton.current?.focus()
  }, [confirming])
  const lastSeen = user.online
    ? 'online now'
    : user.last_seen_at
      ? `last seen ${formatTimestamp(user.last_seen_at, zone, { clock })}`
      : 'not seen yet'
  return (
    <li
      className="admin-list__item"
      data-testid="person-row"
      data-username={user.username}
      data-state={user.state}
      data-role={user.role}
      aria-labelledby={`${id}-name`}
    >
      <div className="admin-list__head">
        <strong id={`${id}-name`}>{name}</strong>{' '}
        <span className="muted small">@{user.username}</span>
        {self && <span className="muted small"> (you)</span>}
      </div>
      <p className="small admin-list__facts">
        <span data-testid="person-role">{user.role === 'admin' ? 'Administrator' : 'Member'}</span>
        {' · '}
        <span data-testid="person-state">{active ? 'Active' : 'Deactivated'}</span>
        {' · '}
        {lastSeen}
        {' · '}
        <span data-testid="person-devices">
          {user.devices === 1 ? '1 device' : `${user.devices} devices`} signed in
        </span>
      </p>
      {confirming ? (
        <div
          className="details__confirm"
          role="group"
          aria-labelledby={`${id}-confirm`}
          onKeyDown={(e) => {
            if (e.key === 'Escape') setConfirming(null)
          }}
        >
          <p id={`${id}-confirm`}>{CONFIRM_TEXT[confirming](name)}</p>
          <div className="row">
            <button
              ref={cancelButton}
              type="button"
              className="button button--small"
              onClick={() => setConfirming(null)}
            >
              Cancel
            </button>
            <button
              type="button"
              className="button button--small button--danger"
              disabled={busy}
              data-testid="person-confirm"
              onClick={() => {
                const action =
                  confirming === 'deactivate' ? people.deactivate : people.signOutEverywhere
                void action(user).then(() => setConfirming(null))
              }}
            >
              {confirming === 'deactivate' ? 'Deactivate' : 'Sign out everywhere'}
            </button>
          </div>
        </div>
      ) : (
        <div className="row admin-list__actions" role="group" aria-label={`Manage ${name}`}>
          {active && (
            <button
              type="button"
              className="button button--small"
              disabled={busy}
              data-testid="person-role-toggle"
              onClick={() => void people.setRole(user, user.role === 'admin' ? 'member' : 'admin')}
            >
              {user.role === 'admin' ? 'Remove administrator' : 'Make administrator'}
            </button>
          )}
          {active && !self && (
            <button
              type="button"
              className="button button--small"
              disabled={busy}
              data-testid="person-reset-password"
              onClick={() => void people.resetPassword(user)}
            >
              Reset password
            </button>
          )}
          {active && !self && (
            <button
              type="button"
              className="button button--small"
              disabled={busy || user.devices === 0}
              data-testid="person-sign-out"
              onClick={() => setConfirming('signOut')}
            >
              Sign out everywhere
            </button>
          )}
          {active && !self && (
            <button
              type="button"
              className="button button--small button--danger"
              disabled={busy}
              data-testid="person-deactivate"
              onClick={() => setConfirming('deactivate')}
            >
              Deactivate
            </button>
          )}
          {!active && (
            <button
              type="button"
              className="button button--small"
              disabled={busy}
              data-testid="person-reactivate"
              onClick={() => void people.reactivate(user)}
            >
              Reactivate
            </button>
          )}
        </div>
      )}
    </li>
  )
}

/** The reset code just issued: shown once, with its link, to hand over to the person. */
function IssuedResetCode() {
  const issued = usePeople((s) => s.issued)
  const dismiss = usePeople((s) => s.dismissIssued)
  // The bundled server listens on this machine only: a link to it would help nobody else.
  const sharedServer = useSession((s) =>
    s.session && !s.session.embedded ? s.session.server_url : null,
  )
  const { zone, clock } = useTimeSettings()
  const id = useId()
  if (!issued) return null
  const link = sharedServer ? passwordResetLink(sharedServer, issued.code) : null
  return (
    <div
      className="admin-issued"
      role="group"
      aria-labelledby={`${id}-h`}
      data-testid="reset-issued"
    >
      <p id={`${id}-h`}>
        Password reset code for @{issued.username}, valid once until{' '}
        {formatTimestamp(issued.expires_at, zone, { clock, withZone: true })}. Hand it over in
        person or over a trusted channel; it is not shown again.
      </p>
      <p>
        Code: <code data-testid="reset-code-value">{issued.code}</code>
      </p>
      {link && (
        <p className="small">
          Link: <code data-testid="reset-link-value">{link}</code>
        </p>
      )}
      <button type="button" className="button button--small" onClick={dismiss}>
        Done
      </button>
    </div>
  )
}
