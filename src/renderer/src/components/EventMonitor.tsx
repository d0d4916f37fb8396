import { useId } from 'react'
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
  const { zone, clock } = useTimeSettings()
  const id = useId()
  const shown = filter === 'all' ? entries : entries.filter((e) => e.event.type === filter)
  return (
    <aside className="monitor" aria-labelledby={`${id}-title`} data-testid="event-monitor">
      <header className="monitor__header">
        <h2 id={`${id}-title`}>Event monitor</h2>
        <button type="button" className="button button--small" onClick={close}>
          Close
        </button>
      </header>
      <div className="monitor__controls">
        <label htmlFor={`${id}-filter`}>Type</label>
        <select
          id={`${id}-filter`}
          value={filter}
          data-testid="event-filter"
          onChange={(e) => setFilter(isEventType(e.target.value) ? e.target.value : 'all')}
        >
          <option value="all">All types</option>
          {EVENT_TYPES.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
        <button type="button" className="button button--small" onClick={clear}>
          Clear
        </button>
      </div>
      <p className="muted small">
        {shown.length} event{shown.length === 1 ? '' : 's'}
      </p>
      {/* Focusable so the scrolling list can be read with the keyboard. */}
      <ol className="monitor__list" tabIndex={0} aria-label="Stream events">
        {shown.map(({ seq, event }) => (
          <li key={seq} className="monitor__item" data-testid="event-entry" data-type={event.type}>
            <div className="monitor__line">
              <span className="monitor__type">{event.type}</span>
              <span className="muted small">#{event.id ?? '—'}</span>
              <time className="muted small" dateTime={event.timestamp}>
                {formatTimestamp(event.timestamp, zone, { format: 'time', clock, withZone: true })}
              </time>
            </div>
            <pre className="monitor__data">{JSON.stringify(event.data)}</pre>
          </li>
        ))}
      </ol>
    </aside>
  )
}
