import { useEffect, useId, useRef, useState } from 'react'
import { FormattedMessage, useIntl } from 'react-intl'
import { passwordResetLink } from '../../../shared/deepLinks'
import { defineMessages } from '../../../shared/i18n/defineMessages'
import type { AdminUser } from '../../../shared/models'
import { formatTimestamp } from '../../../shared/time'
import { useTimeSettings } from '../hooks'
import { usePeople } from '../stores/people'
import { useSession } from '../stores/session'

/** An action that asks first: it signs the person out, and only the server can undo it. */
type Confirmable = 'deactivate' | 'signOut'

const messages = defineMessages({
  confirmDeactivate: {
    id: 'people.confirm.deactivate',
    defaultMessage:
      'Deactivate {name}? They are signed out everywhere and cannot sign in until reactivated; their messages stay.',
  },
  confirmSignOut: {
    id: 'people.confirm.signOut',
    defaultMessage: 'Sign {name} out on every device? They can sign in again with their password.',
  },
  deactivate: { id: 'people.deactivate', defaultMessage: 'Deactivate' },
  signOutEverywhere: { id: 'people.signOutEverywhere', defaultMessage: 'Sign out everywhere' },
  onlineNow: { id: 'people.lastSeen.online', defaultMessage: 'online now' },
  lastSeen: { id: 'people.lastSeen', defaultMessage: 'last seen {time}' },
  notSeen: { id: 'people.lastSeen.never', defaultMessage: 'not seen yet' },
  admin: { id: 'people.role.admin', defaultMessage: 'Administrator' },
  member: { id: 'people.role.member', defaultMessage: 'Member' },
  active: { id: 'people.state.active', defaultMessage: 'Active' },
  deactivatedState: { id: 'people.state.deactivated', defaultMessage: 'Deactivated' },
  manage: { id: 'people.actions.label', defaultMessage: 'Manage {name}' },
  removeAdmin: { id: 'people.role.remove', defaultMessage: 'Remove administrator' },
  makeAdmin: { id: 'people.role.make', defaultMessage: 'Make administrator' },
})

/** The question before each action that asks first. */
const CONFIRM_TEXT = {
  deactivate: messages.confirmDeactivate,
  signOut: messages.confirmSignOut,
} satisfies Record<Confirmable, object>

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
      <h2 id={`${id}-h`}>
        <FormattedMessage id="people.heading" defaultMessage="People" />
      </h2>
      <label htmlFor={`${id}-search`}>
        <FormattedMessage id="people.search" defaultMessage="Search people" />
      </label>
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
        <p className="muted small">
          <FormattedMessage id="people.loading" defaultMessage="Loading…" />
        </p>
      ) : shown.length === 0 ? (
        <p className="muted small">
          <FormattedMessage id="people.noMatch" defaultMessage="No one matches." />
        </p>
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
  const { zone, clock, locale } = useTimeSettings()
  const intl = useIntl()
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
    ? intl.formatMessage(messages.onlineNow)
    : user.last_seen_at
      ? intl.formatMessage(messages.lastSeen, {
          time: formatTimestamp(user.last_seen_at, zone, { clock, locale }),
        })
      : intl.formatMessage(messages.notSeen)
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
        <bdi>
          <strong id={`${id}-name`}>{name}</strong>
        </bdi>{' '}
        <span className="muted small" translate="no">
          @{user.username}
        </span>
        {self && (
          <span className="muted small">
            {' '}
            <FormattedMessage id="people.you" defaultMessage="(you)" />
          </span>
        )}
      </div>
      <p className="small admin-list__facts">
        <span data-testid="person-role">
          {intl.formatMessage(user.role === 'admin' ? messages.admin : messages.member)}
        </span>
        {' · '}
        <span data-testid="person-state">
          {intl.formatMessage(active ? messages.active : messages.deactivatedState)}
        </span>
        {' · '}
        {lastSeen}
        {' · '}
        <span data-testid="person-devices">
          <FormattedMessage
            id="people.devices"
            defaultMessage="{count, plural, one {# device} other {# devices}} signed in"
            values={{ count: user.devices }}
          />
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
          <p id={`${id}-confirm`}>{intl.formatMessage(CONFIRM_TEXT[confirming], { name })}</p>
          <div className="row">
            <button
              ref={cancelButton}
              type="button"
              className="button button--small"
              onClick={() => setConfirming(null)}
            >
              <FormattedMessage id="people.confirm.cancel" defaultMessage="Cancel" />
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
              {intl.formatMessage(
                confirming === 'deactivate' ? messages.deactivate : messages.signOutEverywhere,
              )}
            </button>
          </div>
        </div>
      ) : (
        <div
          className="row admin-list__actions"
          role="group"
          aria-label={intl.formatMessage(messages.manage, { name })}
        >
          {active && (
            <button
              type="button"
              className="button button--small"
              disabled={busy}
              data-testid="person-role-toggle"
              onClick={() => void people.setRole(user, user.role === 'admin' ? 'member' : 'admin')}
            >
              {intl.formatMessage(
                user.role === 'admin' ? messages.removeAdmin : messages.makeAdmin,
              )}
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
              <FormattedMessage id="people.resetPassword" defaultMessage="Reset password" />
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
              {intl.formatMessage(messages.signOutEverywhere)}
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
              {intl.formatMessage(messages.deactivate)}
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
              <FormattedMessage id="people.reactivate" defaultMessage="Reactivate" />
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
  const { zone, clock, locale } = useTimeSettings()
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
        <FormattedMessage
          id="people.resetIssued"
          defaultMessage="Password reset code for {username}, valid once until {time}. Hand it over in person or over a trusted channel; it is not shown again."
          values={{
            username: <span translate="no">@{issued.username}</span>,
            time: formatTimestamp(issued.expires_at, zone, { clock, withZone: true, locale }),
          }}
        />
      </p>
      <p>
        <FormattedMessage
          id="people.resetIssued.code"
          defaultMessage="Code: {code}"
          values={{
            code: (
              <code data-testid="reset-code-value" translate="no">
                {issued.code}
              </code>
            ),
          }}
        />
      </p>
      {link && (
        <p className="small">
          <FormattedMessage
            id="people.resetIssued.link"
            defaultMessage="Link: {link}"
            values={{
              link: (
                <code data-testid="reset-link-value" translate="no">
                  {link}
                </code>
              ),
            }}
          />
        </p>
      )}
      <button type="button" className="button button--small" onClick={dismiss}>
        <FormattedMessage id="people.resetIssued.done" defaultMessage="Done" />
      </button>
    </div>
  )
}
