import type { Clock, TimerHandle } from '../../../../src/main/core/clock'

/** A clock the test moves by hand: timers fire only inside advance(), in due order. */
export class ManualClock implements Clock {
  private current: number
  private nextId = 1
  private readonly timers = new Map<number, { due: number; callback: () => void }>()

  constructor(startMs = Date.parse('2026-01-15T12:00:00Z')) {
    this.current = startMs
  }

  now(): number {
    return this.current
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    const id = this.nextId++
    this.timers.set(id, { due: this.current + Math.max(0, delayMs), callback })
    return id as unknown as TimerHandle
  }

  clearTimeout(handle: TimerHandle | null): void {
    if (handle !== null) this.timers.delete(handle as unknown as number)
  }

  get pendingTimers(): number {
    return this.timers.size
  }

  advance(ms: number): void {
    const target = this.current + ms
    for (;;) {
      let nextId: number | null = null
      let nextDue = Infinity
      for (const [id, timer] of this.timers) {
        if (timer.due <= target && timer.due < nextDue) {
          nextDue = timer.due
          nextId = id
        }
      }
      if (nextId === null) break
      const timer = this.timers.get(nextId)
      this.timers.delete(nextId)
      this.current = nextDue
      timer?.callback()
    }
    this.current = target
  }
}
