import { describe, expect, it } from 'vitest'
import {
  dayKey,
  dayKeyer,
  formatDayLabel,
  formatOffset,
  formatRelative,
  formatTimestamp,
  instantToZonedLocal,
  isSameDay,
  isValidZone,
  listZones,
  resolveZone,
  zonedLocalToInstant,
  zoneOffsetLabel,
} from '../../src/shared/time'

const time = (ts: string, zone: string, clock: '12h' | '24h' = '24h', withZone = true) =>
  formatTimestamp(ts, zone, { format: 'time', clock, withZone })

describe('formatTimestamp', () => {
  it('formats time, date and datetime in a zone with both clock styles', () => {
    const ts = '2026-01-15T15:30:00Z'
    expect(formatTimestamp(ts, 'America/New_York', { format: 'time', clock: '12h' })).toBe(
      '10:30 AM',
    )
    expect(time(ts, 'America/New_York', '12h')).toBe('10:30 AM EST')
    expect(time(ts, 'America/New_York', '24h')).toBe('10:30 EST')
    expect(formatTimestamp(ts, 'America/New_York', { format: 'date' })).toBe('Jan 15, 2026')
    expect(formatTimestamp(ts, 'America/New_York', { format: 'datetime', clock: '12h' })).toBe(
      'Jan 15, 2026, 10:30 AM',
    )
    expect(formatTimestamp(ts, 'Asia/Tokyo', { format: 'datetime', clock: '24h' })).toBe(
      'Jan 16, 2026, 00:30',
    )
    expect(formatTimestamp('2026-01-15T00:05:00Z', 'UTC', { format: 'time', clock: '12h' })).toBe(
      '12:05 AM',
    )
    expect(formatTimestamp('2026-01-15T12:05:00Z', 'UTC', { format: 'time', clock: '12h' })).toBe(
      '12:05 PM',
    )
    expect(formatTimestamp('2026-01-15T00:05:00Z', 'UTC', { format: 'time', clock: '24h' })).toBe(
      '00:05',
    )
  })

  it('accepts Date and epoch milliseconds and returns "" for garbage', () => {
    const ms = Date.UTC(2026, 0, 15, 15, 30)
    expect(formatTimestamp(ms, 'UTC', { format: 'time', clock: '24h' })).toBe('15:30')
    expect(formatTimestamp(new Date(ms), 'UTC', { format: 'time', clock: '24h' })).toBe('15:30')
    expect(formatTimestamp('not a time', 'UTC')).toBe('')
  })

  it('follows the America/New_York DST transitions in March and November', () => {
    // 2026-03-08 02:00 EST jumps to 03:00 EDT.
    expect(time('2026-03-08T06:59:00Z', 'America/New_York')).toBe('01:59 EST')
    expect(time('2026-03-08T07:00:00Z', 'America/New_York')).toBe('03:00 EDT')
    expect(time('2026-03-08T07:00:00Z', 'America/New_York', '12h')).toBe('3:00 AM EDT')
    // 2026-11-01 02:00 EDT falls back to 01:00 EST: 01:30 happens twice.
    expect(time('2026-11-01T05:30:00Z', 'America/New_York')).toBe('01:30 EDT')
    expect(time('2026-11-01T06:30:00Z', 'America/New_York')).toBe('01:30 EST')
  })

  it('follows the Australia/Sydney DST transitions in April and October', () => {
    // 2026-04-05 03:00 AEDT (+11) falls back to 02:00 AEST (+10).
    expect(zoneOffsetLabel('Australia/Sydney', Date.parse('2026-04-04T15:59:00Z'))).toBe(
      'UTC+11:00',
    )
    expect(zoneOffsetLabel('Australia/Sydney', Date.parse('2026-04-04T16:00:00Z'))).toBe(
      'UTC+10:00',
    )
    expect(time('2026-04-04T15:59:00Z', 'Australia/Sydney')).toMatch(/^02:59 /)
    expect(time('2026-04-04T16:00:00Z', 'Australia/Sydney')).toMatch(/^02:00 /)
    // 2026-10-04 02:00 AEST springs forward to 03:00 AEDT.
    expect(time('2026-10-03T15:59:00Z', 'Australia/Sydney')).toMatch(/^01:59 /)
    expect(time('2026-10-03T16:00:00Z', 'Australia/Sydney')).toMatch(/^03:00 /)
    expect(zoneOffsetLabel('Australia/Sydney', Date.parse('2026-10-03T16:00:00Z'))).toBe(
      'UTC+11:00',
    )
    // The zone label names the offset in effect.
    expect(time('2026-01-15T00:00:00Z', 'Australia/Sydney')).not.toBe(
      time('2026-07-15T00:00:00Z', 'Australia/Sydney'),
    )
  })

  it('follows the Europe/London transitions in March and October', () => {
    expect(
      formatTimestamp('2026-03-29T00:59:00Z', 'Europe/London', { format: 'time', clock: '24h' }),
    ).toBe('00:59')
    expect(
      formatTimestamp('2026-03-29T01:00:00Z', 'Europe/London', { format: 'time', clock: '24h' }),
    ).toBe('02:00')
    expect(
      formatTimestamp('2026-10-25T00:59:00Z', 'Europe/London', { format: 'time', clock: '24h' }),
    ).toBe('01:59')
    expect(
      formatTimestamp('2026-10-25T01:00:00Z', 'Europe/London', { format: 'time', clock: '24h' }),
    ).toBe('01:00')
    expect(zoneOffsetLabel('Europe/London', Date.parse('2026-07-01T00:00:00Z'))).toBe('UTC+01:00')
    expect(zoneOffsetLabel('Europe/London', Date.parse('2026-12-01T00:00:00Z'))).toBe('UTC+00:00')
  })

  it('handles half-hour and quarter-hour zones', () => {
    expect(time('2026-01-15T15:30:00Z', 'Asia/Kolkata', '12h')).toBe('9:00 PM GMT+5:30')
    expect(time('2026-01-15T15:30:00Z', 'Asia/Kathmandu')).toMatch(/^21:15 /)
    // Adelaide: +10:30 in (southern) summer, +09:30 in winter.
    expect(zoneOffsetLabel('Australia/Adelaide', Date.parse('2026-01-15T00:00:00Z'))).toBe(
      'UTC+10:30',
    )
    expect(zoneOffsetLabel('Australia/Adelaide', Date.parse('2026-07-15T00:00:00Z'))).toBe(
      'UTC+09:30',
    )
    // St. John's: -03:30 in winter, -02:30 in summer.
    expect(zoneOffsetLabel('America/St_Johns', Date.parse('2026-01-15T00:00:00Z'))).toBe(
      'UTC-03:30',
    )
    expect(zoneOffsetLabel('America/St_Johns', Date.parse('2026-07-15T00:00:00Z'))).toBe(
      'UTC-02:30',
    )
  })

  it('falls back to UTC for an invalid zone', () => {
    expect(time('2026-01-15T15:30:00Z', 'Not/AZone')).toBe('15:30 UTC')
    expect(time('2026-01-15T15:30:00Z', '')).toBe('15:30 UTC')
    expect(dayKey('2026-01-15T23:30:00Z', 'Mars/Olympus_Mons')).toBe('2026-01-15')
    expect(resolveZone('Not/AZone')).toBe('UTC')
    expect(resolveZone(null)).toBe('UTC')
    expect(resolveZone('Asia/Kolkata')).toBe('Asia/Kolkata')
  })
})

describe('isValidZone', () => {
  it('accepts IANA zones and UTC, rejects the rest', () => {
    expect(isValidZone('America/New_York')).toBe(true)
    expect(isValidZone('UTC')).toBe(true)
    expect(isValidZone('Asia/Kolkata')).toBe(true)
    expect(isValidZone('Not/AZone')).toBe(false)
    expect(isValidZone('')).toBe(false)
    expect(isValidZone(42)).toBe(false)
  })
})

describe('formatRelative', () => {
  const now = Date.parse('2026-01-15T15:30:00Z')
  it('reads "just now", then minutes and hours ago, up to the cutoff', () => {
    expect(formatRelative('2026-01-15T15:29:40Z', 'UTC', { now })).toBe('just now')
    // A timestamp slightly ahead of the local clock is still "just now".
    expect(formatRelative('2026-01-15T15:30:05Z', 'UTC', { now })).toBe('just now')
    expect(formatRelative('2026-01-15T15:25:00Z', 'UTC', { now })).toBe('5 minutes ago')
    expect(formatRelative('2026-01-15T15:29:00Z', 'UTC', { now })).toBe('1 minute ago')
    expect(formatRelative('2026-01-15T13:30:00Z', 'UTC', { now, cutoffMs: 6 * 3600_000 })).toBe(
      '2 hours ago',
    )
  })

  it('shows the time on the same day and the date before it after the cutoff', () => {
    expect(formatRelative('2026-01-15T10:00:00Z', 'UTC', { now, clock: '12h' })).toBe('10:00 AM')
    expect(formatRelative('2026-01-15T10:00:00Z', 'UTC', { now, clock: '24h' })).toBe('10:00')
    expect(formatRelative('2026-01-14T10:00:00Z', 'UTC', { now })).toBe('Jan 14, 2026')
    // 04:00Z on the 15th is still the 14th in New York.
    expect(formatRelative('2026-01-15T04:00:00Z', 'America/New_York', { now })).toBe('Jan 14, 2026')
    expect(formatRelative('2026-01-15T06:00:00Z', 'America/New_York', { now })).toBe('1:00 AM')
    expect(
      formatRelative('2026-01-15T10:00:00Z', 'UTC', { now, fallback: 'datetime', clock: '24h' }),
    ).toBe('Jan 15, 2026, 10:00')
  })
})

describe('days', () => {
  it('groups by calendar day in the zone, across DST changes', () => {
    // New York spring-forward day is 23 hours long.
    expect(dayKey('2026-03-08T04:59:00Z', 'America/New_York')).toBe('2026-03-07')
    expect(dayKey('2026-03-08T05:00:00Z', 'America/New_York')).toBe('2026-03-08')
    expect(dayKey('2026-03-09T03:59:00Z', 'America/New_York')).toBe('2026-03-08')
    expect(dayKey('2026-03-09T04:00:00Z', 'America/New_York')).toBe('2026-03-09')
    // Sydney fall-back day is 25 hours long.
    expect(isSameDay('2026-04-04T13:00:00Z', '2026-04-05T13:59:00Z', 'Australia/Sydney')).toBe(true)
    expect(isSameDay('2026-04-04T13:00:00Z', '2026-04-05T14:00:00Z', 'Australia/Sydney')).toBe(
      false,
    )
    expect(isSameDay('2026-01-15T18:00:00Z', '2026-01-15T19:00:00Z', 'Asia/Kolkata')).toBe(false)
    expect(isSameDay('2026-01-15T18:00:00Z', '2026-01-15T19:00:00Z', 'UTC')).toBe(true)
    expect(isSameDay('garbage', 'garbage', 'UTC')).toBe(false)
  })

  it('labels day separators', () => {
    const now = '2026-01-15T15:30:00Z'
    expect(formatDayLabel('2026-01-15T01:00:00Z', 'UTC', now)).toBe('Today')
    expect(formatDayLabel('2026-01-14T23:00:00Z', 'UTC', now)).toBe('Yesterday')
    expect(formatDayLabel('2026-01-13T23:00:00Z', 'UTC', now)).toBe('Tuesday, January 13, 2026')
    // The day after New York's spring-forward is still "Yesterday" across the 23-hour day.
    expect(formatDayLabel('2026-03-08T05:30:00Z', 'America/New_York', '2026-03-09T20:00:00Z')).toBe(
      'Yesterday',
    )
  })
})

describe('listZones', () => {
  it('lists every supported zone plus UTC, sorted by offset then name', () => {
    const now = Date.parse('2026-01-15T12:00:00Z')
    const zones = listZones(now)
    const names = zones.map((z) => z.zone)
    expect(names).toContain('UTC')
    for (const name of Intl.supportedValuesOf('timeZone')) expect(names).toContain(name)
    expect(new Set(names).size).toBe(names.length)
    for (let i = 1; i < zones.length; i++) {
      const a = zones[i - 1]!
      const b = zones[i]!
      expect(
        a.offset < b.offset || (a.offset === b.offset && a.zone.localeCompare(b.zone) < 0),
      ).toBe(true)
    }
    expect(zones.find((z) => z.zone === 'Asia/Kolkata')?.offsetLabel).toBe('UTC+05:30')
    expect(zones.find((z) => z.zone === 'UTC')?.offsetLabel).toBe('UTC+00:00')
    expect(zones.find((z) => z.zone === 'America/New_York')?.offset).toBe(-300)
    expect(zones.find((z) => z.zone === 'Australia/Sydney')?.offsetLabel).toBe('UTC+11:00')
  })

  it('reports offsets in effect at the given instant', () => {
    const july = listZones(Date.parse('2026-07-15T12:00:00Z'))
    expect(july.find((z) => z.zone === 'America/New_York')?.offsetLabel).toBe('UTC-04:00')
    expect(july.find((z) => z.zone === 'Australia/Sydney')?.offsetLabel).toBe('UTC+10:00')
  })

  it('formats offsets', () => {
    expect(formatOffset(0)).toBe('UTC+00:00')
    expect(formatOffset(330)).toBe('UTC+05:30')
    expect(formatOffset(-210)).toBe('UTC-03:30')
    expect(formatOffset(345)).toBe('UTC+05:45')
  })
})

describe('zoned local wall-clock conversions', () => {
  it('round-trips a local time in a zone', () => {
    expect(zonedLocalToInstant('2026-01-15T10:30', 'America/New_York')).toBe('2026-01-15T15:30:00Z')
    expect(zonedLocalToInstant('2026-07-15T10:30', 'America/New_York')).toBe('2026-07-15T14:30:00Z')
    expect(instantToZonedLocal('2026-01-15T15:30:00Z', 'America/New_York')).toBe('2026-01-15T10:30')
    expect(zonedLocalToInstant('nonsense', 'UTC')).toBeNull()
  })
})

describe('live clock format', () => {
  it('shows seconds on request', () => {
    const ts = '2026-01-15T15:30:05Z'
    expect(
      formatTimestamp(ts, 'Asia/Kolkata', { format: 'time', clock: '12h', withSeconds: true }),
    ).toBe('9:00:05 PM')
    expect(formatTimestamp(ts, 'UTC', { format: 'time', clock: '24h', withSeconds: true })).toBe(
      '15:30:05',
    )
  })
})

describe('dayKeyer', () => {
  // Zones with DST changes at midnight (Santiago, Havana), half-hour shifts (Lord Howe), a
  // skipped calendar day (Apia, 2011-12-30), a quarter-hour offset (Kathmandu), and UTC.
  const zones = [
    'America/New_York',
    'America/Santiago',
    'America/Havana',
    'Australia/Lord_Howe',
    'Pacific/Apia',
    'Asia/Kathmandu',
    'UTC',
    'Not/AZone',
  ]
  const from = Date.parse('2011-01-01T00:00:00Z')
  const to = Date.parse('2013-01-01T00:00:00Z')

  /** A deterministic walk: mostly small steps forward, some jumps back (edits, imports). */
  function instants(count: number, seed: number): string[] {
    let state = seed
    const random = () => {
      state = (state * 1_103_515_245 + 12_345) % 2_147_483_648
      return state / 2_147_483_648
    }
    const out: string[] = []
    let t = from
    for (let i = 0; i < count; i += 1) {
      const r = random()
      t = r < 0.05 ? from + random() * (to - from) : t + random() * 6 * 3_600_000
      if (t > to) t = from
      out.push(new Date(Math.floor(t)).toISOString())
    }
    return out
  }

  it.each(zones)('agrees with dayKey for every instant in %s', (zone) => {
    const dayOf = dayKeyer(zone)
    const mismatches = instants(20_000, zones.indexOf(zone) + 1)
      .map((ts) => [ts, dayOf(ts), dayKey(ts, zone)] as const)
      .filter(([, fast, slow]) => fast !== slow)
    expect(mismatches).toEqual([])
  })

  /** Asks one keyer for each instant in turn, as a thread rebuild does; returns the keyer. */
  function expectAgreement(zone: string, timestamps: string[]): (ts: string) => string {
    const dayOf = dayKeyer(zone)
    for (const ts of timestamps) expect(dayOf(ts), ts).toBe(dayKey(ts, zone))
    return dayOf
  }

  it('agrees with dayKey on the last millisecond of a day and the first of the next', () => {
    // Fall-back day (25 hours): 2012-11-04 runs from 04:00Z to 05:00Z the next day.
    const dayOf = expectAgreement('America/New_York', [
      '2012-11-04T04:00:00.000Z',
      '2012-11-05T04:59:59.999Z',
      '2012-11-05T05:00:00.000Z',
      '2012-11-04T03:59:59.999Z',
    ])
    expect(dayOf('2012-11-05T04:59:59.999Z')).toBe('2012-11-04')
    // Spring-forward day (23 hours): 2012-03-11 runs from 05:00Z to 04:00Z the next day, so the
    // hour after it is already 2012-03-12.
    expect(dayOf('2012-03-11T12:00:00Z')).toBe('2012-03-11')
    expect(dayOf('2012-03-12T04:30:00Z')).toBe('2012-03-12')
  })

  it('reads offsets and offset-less strings as dayKey does', () => {
    expectAgreement('Asia/Kolkata', [
      '2026-01-15T23:30:00+05:30',
      '2026-01-15T18:29:59-00:00',
      '2026-01-15T23:30:00',
      'not a time',
      '',
    ])
  })
})
