import { useEffect, useId } from 'react'
import { AUDIT_KINDS, AUDIT_KIND_LABELS, isAuditKind } from '../../../shared/audit'
import type { AuditEntry, UserRef } from '../../../shared/models'
import { formatTimestamp } from '../../../shared/time'
import { useTimeSettings } from '../hooks'
import { useAuditLog } from '../stores/auditLog'
import { usePeople } from '../stores/people'

const who = (ref: UserRef | null) => (ref ? `${ref.display_name} (@${ref.username})` : 'unknown')

/** An entry's details in a few words: "from member to admin", "zone: Asia/Tokyo". */
function detailsText(entry: AuditEntry): string {
  return Object.entries(entry.details)
    .map(([key, value]) => `${key.replace(/_/g, ' ')}: ${String(value)}`)
    .join(', ')
}

/**
 * Settings, administrators only: the audit log, newest first, filtered by person (as actor or
 * target) and kind, times in the organization's zone; exported as CSV with the same filters.
 * Nothing here changes an entry: the server offers no way to.
 */
export function AuditLogSection() {
  const entries = useAuditLog((s) => s.entries)
  const filters = useAuditLog((s) => s.filters)
  const nextBefore = useAuditLog((s) => s.nextBefore)
  const loaded = useAuditLog((s) => s.loaded)
  const busy = useAuditLog((s) => s.busy)
  const error = useAuditLog((s) => s.error)
  const exported = useAuditLog((s) => s.exported)
  const people = usePeople((s) => s.users)
  const { zone, clock } = useTimeSettings()
  const id = useId()
  useEffect(() => void useAuditLog.getState().load(), [])
  const audit = useAuditLog.getState()
  return (
    <section className="card" aria-labelledby={`${id}-h`} data-testid="audit-section">
      <h2 id={`${id}-h`}>Audit log</h2>
      <p className="muted small">
        What administrators did and every sign-in, password and device change, in{' '}
        {zone.replace(/_/g, ' ')} time. Entries cannot be changed or deleted.
      </p>
      <div className="row">
        <span>
          <label htmlFor={`${id}-person`}>Person</label>
          <select
            id={`${id}-person`}
            data-testid="audit-person"
            value={filters.user_id ?? ''}
            onChange={(e) => {
              const { user_id: _user, ...rest } = filters
              void audit.load(e.target.value ? { ...rest, user_id: Number(e.target.value) } : rest)
            }}
          >
            <option value="">Everyone</option>
            {people.map((p) => (
              <option key={p.id} value={p.id}>
                {p.display_name} (@{p.username})
              </option>
            ))}
          </select>
        </span>
        <span>
          <label htmlFor={`${id}-kind`}>Kind</label>
          <select
            id={`${id}-kind`}
            data-testid="audit-kind"
            value={filters.kind ?? ''}
            onChange={(e) => {
              const { kind: _kind, ...rest } = filters
              const kind = e.target.value
              void audit.load(isAuditKind(kind) ? { ...rest, kind } : rest)
            }}
          >
            <option value="">Every kind</option>
            {AUDIT_KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {AUDIT_KIND_LABELS[kind]}
              </option>
            ))}
          </select>
        </span>
        <button
          type="button"
          className="button"
          disabled={busy}
          data-testid="audit-refresh"
          onClick={() => void audit.load()}
        >
          Refresh
        </button>
        <button
          type="button"
          className="button"
          data-testid="audit-export"
          onClick={() => void audit.exportCsv()}
        >
          Export CSV
        </button>
        <span role="status" className="small" data-testid="audit-status">
          {exported ?? ''}
        </span>
      </div>
      {error && (
        <p className="form-error" role="alert" data-testid="audit-error">
          {error}
        </p>
      )}
      {loaded && entries.length === 0 ? (
        <p className="muted small">No entries.</p>
      ) : (
        <div className="audit-table-wrap">
          <table className="audit-table" data-testid="audit-table" aria-labelledby={`${id}-h`}>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Event</th>
                <th scope="col">By</th>
                <th scope="col">About</th>
                <th scope="col">Address</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => (
                <tr key={entry.id} data-testid="audit-row" data-kind={entry.kind}>
                  <td>
                    <time dateTime={entry.at}>
                      {formatTimestamp(entry.at, zone, { clock, withSeconds: true })}
                    </time>
                  </td>
                  <td>{AUDIT_KIND_LABELS[entry.kind]}</td>
                  <td>{who(entry.actor)}</td>
                  <td>{entry.target ? who(entry.target) : ''}</td>
                  <td>{entry.address ?? ''}</td>
                  <td>{detailsText(entry)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {nextBefore !== null && (
        <button
          type="button"
          className="button button--small"
          disabled={busy}
          data-testid="audit-older"
          onClick={() => void audit.loadOlder()}
        >
          Show older entries
        </button>
      )}
    </section>
  )
}
