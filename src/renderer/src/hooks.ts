import { useEffect, useState } from 'react'
import type { ClockStyle } from '../../shared/preferences'
import { useTimezone } from './stores/branding'
import { useClock } from './stores/preferences'

/** The current time in ms, refreshed every `intervalMs` (for relative times and countdowns). */
export function useNow(intervalMs: number): number {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs)
    return () => clearInterval(timer)
  }, [intervalMs])
  return now
}

/** The organization timezone and the user's clock style: every shown time depends on both. */
export function useTimeSettings(): { zone: string; clock: ClockStyle } {
  return { zone: useTimezone(), clock: useClock() }
}
