import { describe, expect, it } from 'vitest'
import { CalendarDays, type CalendarDay } from '../../src/shared/calendarDays'

const HOUR = 3_600_000

/** Days of 23, 24 and 25 hours back to back, as a zone with DST changes has them. */
function days(count: number): CalendarDay[] {
  const out: CalendarDay[] = []
  let start = Date.UTC(2026, 0, 1)
  for (let i = 0; i < count; i += 1) {
    const end = start + (23 + (i % 3)) * HOUR
    out.push({ start, end, key: `day-${i}` })
    start = end
  }
  return out
}

describe('CalendarDays', () => {
  it('finds every instant of days added in any order, and nothing outside them', () => {
    const all = days(300)
    const known = new CalendarDays()
    // Every other day, in a scrambled order (a history loaded newest first, then jumps).
    const added = all.filter((_, i) => i % 2 === 0)
    for (let i = 0; i < added.length; i += 1) known.add(added[(i * 37) % added.length]!)
    expect(known.size).toBe(added.length)
    for (const [i, day] of all.entries()) {
      for (const ms of [day.start, day.start + HOUR, day.end - 1]) {
        expect(known.find(ms)?.key).toBe(i % 2 === 0 ? day.key : undefined)
      }
    }
    expect(known.find(all[0]!.start - 1)).toBeUndefined()
    expect(known.find(all[299]!.end)).toBeUndefined()
  })

  it('ignores a day that is already known or overlaps one', () => {
    const [first, second] = days(2)
    const known = new CalendarDays()
    known.add(first!)
    known.add(second!)
    known.add({ ...first! })
    known.add({ start: first!.start + HOUR, end: second!.start + HOUR, key: 'overlap' })
    expect(known.size).toBe(2)
    expect(known.find(second!.start)?.key).toBe(second!.key)
  })

  it('starts over past its capacity', () => {
    const known = new CalendarDays(10)
    for (const day of days(25)) known.add(day)
    expect(known.size).toBe(5)
  })
})
