import type { BackoffPolicy } from './backoff'
import type { Clock } from './clock'
import type { HeartbeatPolicy } from './eventsClient'

/** Knobs tests turn to make time-based behaviour fast and deterministic. */
export interface CoreTuning {
  backoff?: BackoffPolicy
  heartbeat?: HeartbeatPolicy
  coalesceWindowMs?: number
  clock?: Clock
  random?: () => number
  requestTimeoutMs?: number
  /** How long after a change drafts are written to disk (see Drafts). */
  draftWriteDelayMs?: number
  /** The fetch the core's REST calls go through (tests count the requests it makes). */
  fetchImpl?: typeof fetch
}
