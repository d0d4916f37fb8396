import { performance } from 'node:perf_hooks'

/** Which server a run measures. */
export type ServerKind = 'tidings' | 'socketio' | 'rawws'

export const SERVER_KINDS: readonly ServerKind[] = ['tidings', 'socketio', 'rawws']

export const SERVER_LABELS: Record<ServerKind, string> = {
  tidings: 'Tidings',
  socketio: 'Socket.IO 4',
  rawws: 'raw ws',
}

/** Everything both the servers and the load generator must agree on, passed as JSON in env. */
export interface BenchConfig {
  kind: ServerKind
  /** Users, one idle connection each. */
  users: number
  /** Members of the large conversation (users 1..bigSize). */
  bigSize: number
  /** Members of each small conversation. */
  smallSize: number
  /** Makes tokens unguessable across runs. */
  seed: string
  quick: boolean
  port?: number
  /** Time the load generator may spend on this server; it reports what it finished by then. */
  budgetMs?: number
  /** Tidings sends over REST instead of its events socket. */
  restSend?: boolean
  /** Scenarios to run after connect (all when absent): for profiling one of them. */
  scenarios?: readonly Scenario[]
}

export const SCENARIOS = ['small', 'big', 'resume', 'storm'] as const
export type Scenario = (typeof SCENARIOS)[number]

export const CONFIG_ENV = 'TIDINGS_BENCH_CONFIG'

export function readConfig(): BenchConfig {
  const raw = process.env[CONFIG_ENV]
  if (!raw) throw new Error(`${CONFIG_ENV} is not set; start this file through bench/run.ts`)
  return JSON.parse(raw) as BenchConfig
}

/**
 * The users and conversations every server is seeded with: users 1..N; small conversations of
 * `smallSize` consecutive users (ids 1..ceil(N/smallSize)); one large conversation of users
 * 1..bigSize (the id after the small ones). Every user is in one small conversation; the first
 * `bigSize` users are also in the large one.
 */
export class Layout {
  readonly smallCount: number
  readonly bigId: number

  constructor(readonly config: BenchConfig) {
    this.smallCount = Math.ceil(config.users / config.smallSize)
    this.bigId = this.smallCount + 1
  }

  token(userId: number): string {
    return `bench_${this.config.seed}_${userId}`
  }

  username(userId: number): string {
    return `bench${userId}`
  }

  smallOf(userId: number): number {
    return Math.floor((userId - 1) / this.config.smallSize) + 1
  }

  members(conversationId: number): number[] {
    const { users, smallSize, bigSize } = this.config
    if (conversationId === this.bigId) return range(1, Math.min(bigSize, users))
    const first = (conversationId - 1) * smallSize + 1
    return range(first, Math.min(first + smallSize - 1, users))
  }

  conversationsOf(userId: number): number[] {
    const list = [this.smallOf(userId)]
    if (userId <= this.config.bigSize) list.push(this.bigId)
    return list
  }

  title(conversationId: number): string {
    return conversationId === this.bigId ? 'Everyone' : `Team ${conversationId}`
  }
}

export function range(from: number, to: number): number[] {
  const out: number[] = []
  for (let i = from; i <= to; i += 1) out.push(i)
  return out
}

/** Milliseconds on the load generator's monotonic clock. */
export function nowMs(): number {
  return performance.now()
}

/** What a server reports about itself over IPC. */
export interface ServerStats {
  rssBytes: number
  heapUsedBytes: number
  externalBytes: number
  /** CPU time since the last reset, as a share of one core (1 = 100 %). */
  cpuCores: number
  /** Event-loop delay since the last reset, ms. */
  loopDelayP50Ms: number
  loopDelayP99Ms: number
  loopDelayMaxMs: number
  windowMs: number
}

export type ServerRequest = { type: 'stats'; id: number; reset: boolean; gc: boolean }
export type ServerMessage =
  { type: 'ready'; port: number } | { type: 'stats'; id: number; stats: ServerStats }

export type LoadgenMessage =
  | { type: 'stats'; id: number; reset: boolean; gc: boolean }
  | { type: 'log'; text: string }
  | { type: 'result'; result: unknown }

/** Sorted-array percentile (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[rank]!
}

export interface LatencySummary {
  count: number
  p50: number
  p95: number
  p99: number
  max: number
}

export function summarize(values: number[]): LatencySummary {
  const sorted = Float64Array.from(values).sort()
  const arr = Array.from(sorted)
  return {
    count: arr.length,
    p50: percentile(arr, 50),
    p95: percentile(arr, 95),
    p99: percentile(arr, 99),
    max: arr.length ? arr[arr.length - 1]! : NaN,
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
