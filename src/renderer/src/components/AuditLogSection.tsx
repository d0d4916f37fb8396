import { useEffect, useId } from 'react'
import { FormattedMessage, useIntl, type IntlShape } from 'react-intl'
import { AUDIT_KINDS, isAuditKind } from '../../../shared/audit'
import { defineMessages } from '../../../shared/i18n/defineMessages'
import type { UserRef } from '../../../shared/models'
import { formatTimestamp } from '../../../shared/time'
import { auditDetailsText, auditKindLabel } from '../auditWords'
import { useTimeSettings } from '../hooks'
import { useAuditLog } from '../stores/auditLog'
import { usePeople } from '../stores/people'

const messages = defineMessages({
  everyone: { id: 'audit.filter.everyone', defaultMessage: 'Everyone' },
  everyKind: { id: 'audit.filter.everyKind', defaultMessage: 'Every kind' },
  unknown: { id: 'audit.who.unknown', defaultMessage: 'unknown' },
})

const who = (ref: UserRef | null, intl: IntlShape) =>
  ref ? `${ref.display_name} (@${ref.username})` : intl.formatMessage(messages.unknown)

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
  const { zone, clock, locale } = useTimeSettings()
  const intl = useIntl()
  const t = intl.formatMessage
  const id = useId()
  useEffect(() => void useAuditLog.getState().load(), [])
  const audit = useAuditLog.getState()
  return (
    <section className="card" aria-labelledby={`${id}-h`} data-testid="audit-section">
      <h2 id={`${id}-h`}>
        <FormattedMessage id="audit.heading" defaultMessage="Audit log" />
      </h2>
      <p className="muted small">
        <FormattedMessage
          id="audit.explanation"
          defaultMessage="What administrators did and every sign-in, password and device change, in {zone} time. Entries cannot be changed or deleted."
          values={{ zone: <span translate="no">{zone.replace(/_/g, ' ')}</span> }}
        />
      </p>
      <div className="row">
        <span>
          <label htmlFor={`${id}-person`}>
            <FormattedMessage id="audit.filter.person" defaultMessage="Person" />
          </label>
          <select
            id={`${id}-person`}
            data-testid="audit-person"
            value={filters.user_id ?? ''}
            onChange={(e) => {
              const { user_id: _user, ...rest } = filters
              void audit.load(e.target.value ? { ...rest, user_id: Number(e.target.value) } : rest)
            }}
          >
            <option value="">{t(messages.everyone)}</option>
            {people.map((p) => (
              <option key={p.id} value={p.id}>
                {p.display_name} (@{p.username})
              </option>
            ))}
          </select>
        </span>
        <span>
          <label htmlFor={`${id}-kind`}>
            <FormattedMessage id="audit.filter.kind" defaultMessage="Kind" />
          </label>
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
            <option value="">{t(messages.everyKind)}</option>
            {AUDIT_KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {auditKindLabel(kind, t)}
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
          <FormattedMessage id="audit.refresh" defaultMessage="Refresh" />
        </button>
        <button
          type="button"
          className="button"
          data-testid="audit-export"
          onClick={() => void audit.exportCsv()}
        >
          <FormattedMessage id="audit.exportCsv" defaultMessage="Export CSV" />
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
        <p className="muted small">
          <FormattedMessage id="audit.none" defaultMessage="No entries." />
        </p>
      ) : (
        <div className="audit-table-wrap">
          <table className="audit-table" data-testid="audit-table" aria-labelledby={`${id}-h`}>
            <thead>
              <tr>
                <th scope="col">
                  <FormattedMessage id="audit.column.time" defaultMessage="Time" />
                </th>
                <th scope="col">
                  <FormattedMessage id="audit.column.event" defaultMessage="Event" />
                </th>
                <th scope="col">
                  <FormattedMessage id="audit.column.by" defaultMessage="By" />
                </th>
                <th scope="col">
                  <FormattedMessage id="audit.column.about" defaultMessage="About" />
                </th>
                <th scope="col">
                  <FormattedMessage id="audit.column.address" defaultMessage="Address" />
                </th>
                <th scope="col">
                  <FormattedMessage id="audit.column.details" defaultMessage="Details" />
                </th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => (
                <tr key={entry.id} data-testid="audit-row" data-kind={entry.kind}>
                  <td>
                    <time dateTime={entry.at}>
                      {formatTimestamp(entry.at, zone, { clock, withSeconds: true, locale })}
                    </time>
                  </td>
                  <td>{auditKindLabel(entry.kind, t)}</td>
                  <td>
                    <bdi>{who(entry.actor, intl)}</bdi>
                  </td>
                  <td>{entry.target ? <bdi>{who(entry.target, intl)}</bdi> : ''}</td>
                  <td translate="no">{entry.address ?? ''}</td>
                  <td>
                    {auditDetailsText(entry.details, t, (at) =>
                      formatTimestamp(at, zone, { clock, locale }),
                    )}
                  </td>
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
          <FormattedMessage id="audit.older" defaultMessage="Show older entries" />
        </button>
      )}
    </section>
  )
}
