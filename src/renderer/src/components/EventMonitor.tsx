import { useId } from 'react'
import { FormattedMessage, useIntl } from 'react-intl'
import { EVENT_TYPES, isEventType } from '../../../shared/eventTypes'
import { formatTimestamp } from '../../../shared/time'
import { useTimeSettings } from '../hooks'
import { useEventMonitor } from '../stores/eventMonitor'
import { useUi } from '../stores/ui'

/** Live list of stream events with a type filter (toggle: Ctrl+Shift+E). */
export function EventMonitor() {
  const entries = useEventMonitor((s) => s.entries)
  const filter = useEventMonitor((s) => s.filter)
  const setFilter = useEventMonitor((s) => s.setFilter)
  const clear = useEventMonitor((s) => s.clear)
  const close = () => useUi.getState().setMonitorOpen(false)
  const { zone, clock, locale } = useTimeSettings()
  const intl = useIntl()
  const id = useId()
  const shown = filter === 'all' ? entries : entries.filter((e) => e.event.type === filter)
  return (
    <aside className="monitor" aria-labelledby={`${id}-title`} data-testid="event-monitor">
      <header className="monitor__header">
        <h2 id={`${id}-title`}>
          <FormattedMessage id="monitor.title" defaultMessage="Event monitor" />
        </h2>
        <button type="button" className="button button--small" onClick={close}>
          <FormattedMessage id="monitor.close" defaultMessage="Close" />
        </button>
      </header>
      <div className="monitor__controls">
        <label htmlFor={`${id}-filter`}>
          <FormattedMessage id="monitor.filter" defaultMessage="Type" />
        </label>
        <select
          id={`${id}-filter`}
          value={filter}
          data-testid="event-filter"
          onChange={(e) => setFilter(isEventType(e.target.value) ? e.target.value : 'all')}
        >
          <option value="all">
            {intl.formatMessage({ id: 'monitor.filter.all', defaultMessage: 'All types' })}
          </option>
          {EVENT_TYPES.map((t) => (
            // The protocol's event names, as docs/protocol.md spells them.
            <option key={t} value={t} translate="no">
              {t}
            </option>
          ))}
        </select>
        <button type="button" className="button button--small" onClick={clear}>
          <FormattedMessage id="monitor.clear" defaultMessage="Clear" />
        </button>
      </div>
      <p className="muted small">
        <FormattedMessage
          id="monitor.count"
          defaultMessage="{count, plural, one {# event} other {# events}}"
          values={{ count: shown.length }}
        />
      </p>
      {/* Focusable so the scrolling list can be read with the keyboard. */}
      <ol
        className="monitor__list"
        tabIndex={0}
        aria-label={intl.formatMessage({ id: 'monitor.list', defaultMessage: 'Stream events' })}
      >
        {shown.map(({ seq, event }) => (
          <li key={seq} className="monitor__item" data-testid="event-entry" data-type={event.type}>
            <div className="monitor__line">
              <span className="monitor__type" translate="no">
                {event.type}
              </span>
              <span className="muted small">#{event.id ?? '—'}</span>
              <time className="muted small" dateTime={event.timestamp}>
                {formatTimestamp(event.timestamp, zone, {
                  format: 'time',
                  clock,
                  withZone: true,
                  locale,
                })}
              </time>
            </div>
            <pre className="monitor__data" translate="no">
              {JSON.stringify(event.data)}
            </pre>
          </li>
        ))}
      </ol>
    </aside>
  )
}
