/**
 * Time and timers behind one small interface, so tests of reconnect backoff, heartbeats and
 * notification coalescing can drive time themselves instead of sleeping.
 */
export type TimerHandle = { readonly __timer: unique symbol }

export interface Clock {
  now(): number
  setTimeout(callback: () => void, delayMs: number): TimerHandle
  clearTimeout(handle: TimerHandle | null): void
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, delayMs) => {
    const timer = setTimeout(callback, delayMs)
    // Timers of the core must never keep a quitting process alive.
    timer.unref()
    return timer as unknown as TimerHandle
  },
  clearTimeout: (handle) => {
    if (handle !== null) clearTimeout(handle as unknown as NodeJS.Timeout)
  },
}
