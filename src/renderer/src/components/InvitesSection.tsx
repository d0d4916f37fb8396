import { useEffect, useId, useState, type FormEvent } from 'react'
import { inviteLink } from '../../../shared/deepLinks'
import { Limits } from '../../../shared/limits'
import type { Invite, InviteState } from '../../../shared/models'
import { formatTimestamp } from '../../../shared/time'
import { useTimeSettings } from '../hooks'
import { useInvites } from '../stores/invites'
import { useSession } from '../stores/session'

const STATE_LABELS: Record<InviteState, string> = {
  pending: 'Not used yet',
  used: 'Used',
  expired: 'Expired',
  revoked: 'Revoked',
}

/** The lifetimes offered for a new invite, in hours. */
const LIFETIMES = [
  { hours: 24, label: '1 day' },
  { hours: 24 * 7, label: '7 days' },
  { hours: 24 * 30, label: '30 days' },
]

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
  useEffect(() => void useInvites.getState().load(), [])
  async function submit(e: FormEvent) {
    e.preventDefault()
    if (await useInvites.getState().create(note, hours)) setNote('')
  }
  return (
    <section className="card" aria-labelledby={`${id}-h`} data-testid="invites-section">
      <h2 id={`${id}-h`}>Invites</h2>
      <form onSubmit={(e) => void submit(e)} aria-label="New invite">
        <label htmlFor={`${id}-note`}>Who it is for (optional)</label>
        <input
          id={`${id}-note`}
          data-testid="invite-note"
          maxLength={Limits.inviteNoteMaxChars}
          value={note}
          onChange={(e) => setNote(e.target.value)}
        />
        <label htmlFor={`${id}-lifetime`}>Valid for</label>
        <select
          id={`${id}-lifetime`}
          data-testid="invite-lifetime"
          value={hours}
          onChange={(e) => setHours(Number(e.target.value))}
        >
          {LIFETIMES.map((l) => (
            <option key={l.hours} value={l.hours}>
              {l.label}
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
            Create invite
          </button>
        </div>
      </form>
      {created && (
        <div className="admin-issued" data-testid="invite-created">
          <p>
            Invite code (shown once): <code data-testid="invite-created-code">{created.code}</code>
          </p>
          {sharedServer && (
            <p className="small">
              Link: <code>{inviteLink(sharedServer, created.code)}</code>
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
        <p className="muted small">Loading…</p>
      ) : invites.length === 0 ? (
        <p className="muted small">No invites yet.</p>
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
  const { zone, clock } = useTimeSettings()
  const when = (ts: string) => formatTimestamp(ts, zone, { clock })
  const creator = invite.created_by?.display_name ?? 'someone no longer listed'
  return (
    <li
      className="admin-list__item"
      data-testid="invite-row"
      data-invite-id={invite.id}
      data-state={invite.state}
    >
      <div className="admin-list__head">
        <strong>{invite.note ?? 'Invite'}</strong>{' '}
        <span className="small" data-testid="invite-state">
          {STATE_LABELS[invite.state]}
        </span>
      </div>
      <p className="small admin-list__facts">
        Created by {creator} on {when(invite.created_at)}
        {invite.state === 'used' && invite.used_by && invite.used_at
          ? ` · used by ${invite.used_by.display_name} on ${when(invite.used_at)}`
          : invite.state === 'revoked' && invite.revoked_at
            ? ` · revoked on ${when(invite.revoked_at)}`
            : ` · ${invite.state === 'expired' ? 'expired' : 'expires'} ${when(invite.expires_at)}`}
      </p>
      {invite.state === 'pending' && (
        <button
          type="button"
          className="button button--small button--danger"
          disabled={busy}
          data-testid="invite-revoke"
          aria-label={`Revoke invite ${invite.note ?? `created on ${when(invite.created_at)}`}`}
          onClick={() => void useInvites.getState().revoke(invite)}
        >
          Revoke
        </button>
      )}
    </li>
  )
}
