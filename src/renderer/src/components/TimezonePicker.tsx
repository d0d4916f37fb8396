import { useId, useMemo, useState } from 'react'
import { FormattedMessage, useIntl } from 'react-intl'
import type { ClockStyle } from '../../../shared/preferences'
import { formatTimestamp, listZones, zoneOffsetLabel, type TimeLocale } from '../../../shared/time'
import { useNow } from '../hooks'

interface Props {
  value: string
  onChange(zone: string): void
  disabled: boolean
  clock: ClockStyle
  locale: TimeLocale
}

/** Searchable list of every IANA zone with its current offset, and a live clock in the choice. */
export function TimezonePicker({ value, onChange, disabled, clock, locale }: Props) {
  const [query, setQuery] = useState('')
  const intl = useIntl()
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
      <FormattedMessage
        id="timezone.now"
        defaultMessage="Now in {zone}: {time}"
        values={{
          zone: <span translate="no">{value.replace(/_/g, ' ')}</span>,
          time: (
            <strong>
              {formatTimestamp(now, value, {
                format: 'datetime',
                clock,
                withZone: true,
                withSeconds: true,
                locale,
              })}
            </strong>
          ),
        }}
      />
    </p>
  )

  if (disabled) {
    // Read-only for members: the current zone and its clock, no picker.
    return (
      <div className="tz-picker" data-testid="timezone-picker" data-readonly="true">
        <p className="tz-picker__current" data-testid="timezone-readonly">
          <FormattedMessage
            id="timezone.current"
            defaultMessage="<label>Time zone:</label> {zone}"
            values={{
              label: (chunks) => <span className="muted">{chunks}</span>,
              zone: (
                <strong translate="no">
                  ({zoneOffsetLabel(value, now)}) {value.replace(/_/g, ' ')}
                </strong>
              ),
            }}
          />
        </p>
        {preview}
      </div>
    )
  }

  return (
    <div className="tz-picker" data-testid="timezone-picker">
      <label htmlFor={`${id}-search`}>
        <FormattedMessage id="timezone.search" defaultMessage="Search time zones" />
      </label>
      <input
        id={`${id}-search`}
        type="search"
        data-testid="timezone-search"
        placeholder={intl.formatMessage({
          id: 'timezone.search.placeholder',
          defaultMessage: 'e.g. Tokyo, New York, UTC+05:30',
        })}
        value={query}
        onChange={(e) => setQuery(e.target.value)}
      />
      <label htmlFor={`${id}-select`}>
        <FormattedMessage id="timezone.select" defaultMessage="Organization time zone" />
      </label>
      <select
        id={`${id}-select`}
        size={8}
        // IANA names: identifiers, the same in every language.
        translate="no"
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
