import type { LatencySummary, ServerKind } from '../shared'

export interface ConnectResult {
  connections: number
  failures: number
  rampMs: number
  p50Ms: number
  p99Ms: number
  maxMs: number
  /** RSS growth per connection, measured after GC before the ramp and after it settled. */
  rssPerConnBytes: number
  /** V8 heap + external (incl. ArrayBuffers) growth per connection. */
  heapPerConnBytes: number
  rssBeforeBytes: number
  rssAfterBytes: number
  serverCpuCores: number
  loopDelayP99Ms: number
  loadgenCores: number
}

export interface FanoutStep {
  targetRate: number
  /** Messages per second the server accepted during the step. */
  sentRate: number
  accepted: number
  failed: number
  /** Sends not attempted because too many were unanswered (the server could not keep up). */
  skipped: number
  expected: number
  delivered: number
  missing: number
  doubled: number
  deliveriesPerSec: number
  latency: LatencySummary
  serverCpuCores: number
  loopDelayP99Ms: number
  loopDelayMaxMs: number
  loadgenCores: number
  /** The generator's own longest event-loop stall in the step (absent in older results). */
  loadgenLoopDelayMaxMs?: number
}

export interface ResumeResult {
  events: number
  failedSends: number
  /** Until the connection was ready (Tidings: replay_complete; Socket.IO: connect). */
  readyMs: number
  /** Until the last missed event arrived. */
  totalMs: number
  received: number
  missing: number
  doubled: number
  recovered: boolean
}

export interface StormResult {
  clients: number
  /** Clients not back and caught up when the storm's time bound ran out. */
  notCaughtUp: number
  messages: number
  failedSends: number
  reconnectFailures: number
  /** Tidings clients answered with resync_required instead of a replay. */
  resyncs: number
  /** Until every reconnect attempt ended; null when some were still trying at the time bound. */
  allBackMs: number | null
  /** Until every client was back with everything; null when some were not by the time bound. */
  caughtUpMs: number | null
  expectedDeliveries: number
  missing: number
  doubled: number
  /** The floor has no replay: what was sent while a client was away is lost by design. */
  lossExpected: boolean
  serverCpuCores: number
  loopDelayP99Ms: number
  loopDelayMaxMs: number
}

export interface KindResult {
  kind: ServerKind
  users: number
  bigSize: number
  connect: ConnectResult | null
  fanoutSmall: FanoutStep[]
  fanoutBig: FanoutStep[]
  resume: ResumeResult | null
  storm: StormResult | null
  notes: string[]
  /** Scenarios (or steps) cut short by the time budget. */
  incomplete: string[]
}
