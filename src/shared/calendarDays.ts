/** One calendar day of a zone: `key` ("yyyy-MM-dd") for instants in [start, end) epoch ms. */
export interface CalendarDay {
  start: number
  end: number
  key: string
}

/**
 * The calendar days of one zone already bounded, kept disjoint and ascending by start so that
 * the day of an instant is a binary search away. Bounded in size: past `capacity` days it
 * starts over (a cache, not a record).
 */
export class CalendarDays {
  private readonly days: CalendarDay[] = []

  constructor(private readonly capacity = 20_000) {}

  get size(): number {
    return this.days.length
  }

  /** The known day holding `ms`, if any. */
  find(ms: number): CalendarDay | undefined {
    const day = this.days[this.lastStartingBy(ms)]
    return day && day.start <= ms && ms < day.end ? day : undefined
  }

  /** Remembers a day; one that overlaps a known day is ignored (days never overlap). */
  add(day: CalendarDay): void {
    if (this.days.length >= this.capacity) this.days.length = 0
    const at = this.lastStartingBy(day.start)
    const before = this.days[at]
    const after = this.days[at + 1]
    if ((before && before.end > day.start) || (after && after.start < day.end)) return
    this.days.splice(at + 1, 0, day)
  }

  /** The index of the last day starting at or before `ms`, or -1. */
  private lastStartingBy(ms: number): number {
    let low = 0
    let high = this.days.length - 1
    while (low <= high) {
      const mid = (low + high) >>> 1
      if (this.days[mid]!.start <= ms) low = mid + 1
      else high = mid - 1
    }
    return high
  }
}
