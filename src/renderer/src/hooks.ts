import { useEffect, useState } from 'react'
import type { ClockStyle } from '../../shared/preferences'
import type { TimeLocale } from '../../shared/time'
import { useTimezone } from './stores/branding'
import { useTimeLocale } from './stores/locale'
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

/**
 * The organization timezone, the user's clock style and the window's locale: every shown time
 * depends on all three.
 */
export function useTimeSettings(): { zone: string; clock: ClockStyle; locale: TimeLocale } {
  return { zone: useTimezone(), clock: useClock(), locale: useTimeLocale() }
}
