/**
 * Reconnect delays: exponential backoff with "full jitter" (AWS Architecture Blog, "Exponential
 * Backoff And Jitter"): the delay is uniformly random between 0 and min(cap, base * 2^attempt).
 * The randomness spreads out the thousands of clients that lose the same server at the same
 * moment, so a restarted server is not hit by all of them in the same instant.
 */
export interface BackoffPolicy {
  baseMs: number
  capMs: number
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 500, capMs: 30_000 }

/** The largest delay attempt `attempt` (0-based) may wait. */
export function backoffCeilingMs(attempt: number, policy: BackoffPolicy): number {
  // Past 2^40 the product is far beyond any cap; clamping the exponent avoids Infinity.
  const exponent = Math.min(Math.max(attempt, 0), 40)
  return Math.min(policy.capMs, policy.baseMs * 2 ** exponent)
}

/** The delay before attempt `attempt`; `random` returns a number in [0, 1) like Math.random. */
export function fullJitterDelayMs(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const r = Math.min(Math.max(random(), 0), 1)
  return Math.floor(r * backoffCeilingMs(attempt, policy))
}
