import { useId, useMemo, useState } from 'react'
import type { ClockStyle } from '../../../shared/preferences'
import { formatTimestamp, listZones, zoneOffsetLabel } from '../../../shared/time'
import { useNow } from '../hooks'

interface Props {
  value: string
  onChange(zone: string): void
  disabled: boolean
  clock: ClockStyle
}

/** Searchable list of every IANA zone with its current offset, and a live clock in the choice. */
export function TimezonePicker({ value, onChange, disabled, clock }: Props) {
  const [query, setQuery] = useState('')
  const now = useNow(1000)
  // Offsets change only at DST transitions: recompute the list once a minute at most.
  const minute = Math.floor(now / 60_000)
  const zones = useMemo(() => listZones(minute * 60_000), [minute])
  const id = useId()
  const shown = useMemo(() => {
    const q = query.trim().toLowerCase().replace(/\s+/g, '_')
    const matches = q
      ? zones.filter(
          (z) => z.zone.toLowerCase().includes(q) || z.offsetLabel.toLowerCase().includes(q),
        )
      : zones
    // Keep the current choice visible even when the search hides it.
    if (!matches.some((z) => z.zone === value)) {
      const current = zones.find((z) => z.zone === value) ?? {
        zone: value,
        offset: 0,
        offsetLabel: zoneOffsetLabel(value, now),
      }
      return [current, ...matches]
    }
    return matches
  }, [zones, query, value, now])

  const preview = (
    <p className="tz-picker__preview" data-testid="timezone-preview" aria-live="off">
      Now in {value.replace(/_/g, ' ')}:{' '}
      <strong>
        {formatTimestamp(now, value, {
          format: 'datetime',
          clock,
          withZone: true,
          withSeconds: true,
        })}
      </strong>
    </p>
  )

  if (disabled) {
    // Read-only for members: the current zone and its clock, no picker.
    return (
      <div className="tz-picker" data-testid="timezone-picker" data-readonly="true">
        <p className="tz-picker__current" data-testid="timezone-readonly">
          <span className="muted">Time zone:</span>{' '}
          <strong>
            ({zoneOffsetLabel(value, now)}) {value.replace(/_/g, ' ')}
          </strong>
        </p>
        {preview}
      </div>
    )
  }

  return (
    <div className="tz-picker" data-testid="timezone-picker">
      <label htmlFor={`${id}-search`}>Search time zones</label>
      <input
        id={`${id}-search`}
        type="search"
        data-testid="timezone-search"
        placeholder="e.g. Tokyo, New York, UTC+05:30"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
      />
      <label htmlFor={`${id}-select`}>Organization time zone</label>
      <select
        id={`${id}-select`}
        size={8}
        data-testid="timezone-select"
        value={value}
        onChange={(e) => onChange(e.target.value)}
      >
        {shown.map((z) => (
          <option key={z.zone} value={z.zone}>
            ({z.offsetLabel}) {z.zone.replace(/_/g, ' ')}
          </option>
        ))}
      </select>
      {preview}
    </div>
  )
}
