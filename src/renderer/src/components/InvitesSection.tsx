import { useEffect, useId, useState, type FormEvent } from 'react'
import { FormattedMessage, useIntl } from 'react-intl'
import { inviteLink } from '../../../shared/deepLinks'
import { defineMessages } from '../../../shared/i18n/defineMessages'
import { Limits } from '../../../shared/limits'
import type { Invite, InviteState } from '../../../shared/models'
import { formatTimestamp } from '../../../shared/time'
import { useTimeSettings } from '../hooks'
import { useInvites } from '../stores/invites'
import { useSession } from '../stores/session'

const messages = defineMessages({
  pending: { id: 'invites.state.pending', defaultMessage: 'Not used yet' },
  used: { id: 'invites.state.used', defaultMessage: 'Used' },
  expired: { id: 'invites.state.expired', defaultMessage: 'Expired' },
  revoked: { id: 'invites.state.revoked', defaultMessage: 'Revoked' },
  lifetime: {
    id: 'invites.lifetime',
    defaultMessage: '{days, plural, one {# day} other {# days}}',
  },
  newInvite: { id: 'invites.form.label', defaultMessage: 'New invite' },
  unnamed: { id: 'invites.unnamed', defaultMessage: 'Invite' },
  someoneGone: { id: 'invites.creator.unknown', defaultMessage: 'someone no longer listed' },
  created: { id: 'invites.created', defaultMessage: 'Created by {creator} on {time}' },
  usedBy: { id: 'invites.usedBy', defaultMessage: 'used by {name} on {time}' },
  revokedOn: { id: 'invites.revokedOn', defaultMessage: 'revoked on {time}' },
  expiredOn: { id: 'invites.expiredOn', defaultMessage: 'expired {time}' },
  expiresOn: { id: 'invites.expiresOn', defaultMessage: 'expires {time}' },
  revokeNamed: { id: 'invites.revoke.labelNamed', defaultMessage: 'Revoke invite {note}' },
  revokeUnnamed: {
    id: 'invites.revoke.label',
    defaultMessage: 'Revoke invite created on {time}',
  },
})

const STATE_LABELS = {
  pending: messages.pending,
  used: messages.used,
  expired: messages.expired,
  revoked: messages.revoked,
} satisfies Record<InviteState, object>

/** The lifetimes offered for a new invite, in days. */
const LIFETIME_DAYS = [1, 7, 30]

/**
 * Settings, administrators only: a new invite (a note saying who it is for, a lifetime), every
 * invite listed with its creator, expiry and use, and revoking one not used yet.
 */
export function InvitesSection() {
  const invites = useInvites((s) => s.invites)
  const loaded = useInvites((s) => s.loaded)
  const busy = useInvites((s) => s.busy)
  const error = useInvites((s) => s.error)
  const created = useInvites((s) => s.created)
  const sharedServer = useSession((s) =>
    s.session && !s.session.embedded ? s.session.server_url : null,
  )
  const [note, setNote] = useState('')
  const [hours, setHours] = useState(24 * 7)
  const id = useId()
  const intl = useIntl()
  useEffect(() => void useInvites.getState().load(), [])
  async function submit(e: FormEvent) {
    e.preventDefault()
    if (await useInvites.getState().create(note, hours)) setNote('')
  }
  return (
    <section className="card" aria-labelledby={`${id}-h`} data-testid="invites-section">
      <h2 id={`${id}-h`}>
        <FormattedMessage id="invites.heading" defaultMessage="Invites" />
      </h2>
      <form onSubmit={(e) => void submit(e)} aria-label={intl.formatMessage(messages.newInvite)}>
        <label htmlFor={`${id}-note`}>
          <FormattedMessage id="invites.note" defaultMessage="Who it is for (optional)" />
        </label>
        <input
          id={`${id}-note`}
          data-testid="invite-note"
          maxLength={Limits.inviteNoteMaxChars}
          value={note}
          onChange={(e) => setNote(e.target.value)}
        />
        <label htmlFor={`${id}-lifetime`}>
          <FormattedMessage id="invites.validFor" defaultMessage="Valid for" />
        </label>
        <select
          id={`${id}-lifetime`}
          data-testid="invite-lifetime"
          value={hours}
          onChange={(e) => setHours(Number(e.target.value))}
        >
          {LIFETIME_DAYS.map((days) => (
            <option key={days} value={days * 24}>
              {intl.formatMessage(messages.lifetime, { days })}
            </option>
          ))}
        </select>
        <div className="row">
          <button
            type="submit"
            className="button button--primary"
            disabled={busy}
            data-testid="invite-create"
          >
            <FormattedMessage id="invites.create" defaultMessage="Create invite" />
          </button>
        </div>
      </form>
      {created && (
        <div className="admin-issued" data-testid="invite-created">
          <p>
            <FormattedMessage
              id="invites.createdCode"
              defaultMessage="Invite code (shown once): {code}"
              values={{
                code: (
                  <code data-testid="invite-created-code" translate="no">
                    {created.code}
                  </code>
                ),
              }}
            />
          </p>
          {sharedServer && (
            <p className="small">
              <FormattedMessage
                id="invites.createdLink"
                defaultMessage="Link: {link}"
                values={{
                  link: <code translate="no">{inviteLink(sharedServer, created.code)}</code>,
                }}
              />
            </p>
          )}
        </div>
      )}
      {error && (
        <p className="form-error" role="alert" data-testid="invites-error">
          {error}
        </p>
      )}
      {!loaded ? (
        <p className="muted small">
          <FormattedMessage id="invites.loading" defaultMessage="Loading…" />
        </p>
      ) : invites.length === 0 ? (
        <p className="muted small">
          <FormattedMessage id="invites.none" defaultMessage="No invites yet." />
        </p>
      ) : (
        <ul className="admin-list" data-testid="invite-list" aria-labelledby={`${id}-h`}>
          {invites.map((invite) => (
            <InviteRow key={invite.id} invite={invite} busy={busy} />
          ))}
        </ul>
      )}
    </section>
  )
}

function InviteRow({ invite, busy }: { invite: Invite; busy: boolean }) {
  const { zone, clock, locale } = useTimeSettings()
  const intl = useIntl()
  const when = (ts: string) => formatTimestamp(ts, zone, { clock, locale })
  const creator = invite.created_by?.display_name ?? intl.formatMessage(messages.someoneGone)
  return (
    <li
      className="admin-list__item"
      data-testid="invite-row"
      data-invite-id={invite.id}
      data-state={invite.state}
    >
      <div className="admin-list__head">
        <strong>
          {invite.note !== null ? <bdi>{invite.note}</bdi> : intl.formatMessage(messages.unnamed)}
        </strong>{' '}
        <span className="small" data-testid="invite-state">
          {intl.formatMessage(STATE_LABELS[invite.state])}
        </span>
      </div>
      <p className="small admin-list__facts">
        {intl.formatMessage(messages.created, { creator, time: when(invite.created_at) })}
        {' · '}
        {invite.state === 'used' && invite.used_by && invite.used_at
          ? intl.formatMessage(messages.usedBy, {
              name: invite.used_by.display_name,
              time: when(invite.used_at),
            })
          : invite.state === 'revoked' && invite.revoked_at
            ? intl.formatMessage(messages.revokedOn, { time: when(invite.revoked_at) })
            : intl.formatMessage(
                invite.state === 'expired' ? messages.expiredOn : messages.expiresOn,
                {
                  time: when(invite.expires_at),
                },
              )}
      </p>
      {invite.state === 'pending' && (
        <button
          type="button"
          className="button button--small button--danger"
          disabled={busy}
          data-testid="invite-revoke"
          aria-label={
            invite.note !== null
              ? intl.formatMessage(messages.revokeNamed, { note: invite.note })
              : intl.formatMessage(messages.revokeUnnamed, { time: when(invite.created_at) })
          }
          onClick={() => void useInvites.getState().revoke(invite)}
        >
          <FormattedMessage id="invites.revoke" defaultMessage="Revoke" />
        </button>
      )}
    </li>
  )
}
