import type { FastifyRateLimitStoreCtor } from '@fastify/rate-limit'
import { postgresSql } from '../database'
import type { PostgresDatabase } from './postgresDatabase'

/**
 * Counts an attempt under `key` in a fixed window of `$2` ms starting at the key's first attempt,
 * atomically (one statement: two nodes counting at once both count). Returns the attempts in the
 * window and the ms left of it.
 */
const INCREMENT = postgresSql(
  `insert into rate_limits (key, hits, reset_at)
   values ($1, 1, now() + make_interval(secs => $2::float8 / 1000))
   on conflict (key) do update set
     hits = case when rate_limits.reset_at <= now() then 1 else rate_limits.hits + 1 end,
     reset_at = case when rate_limits.reset_at <= now()
       then now() + make_interval(secs => $2::float8 / 1000) else rate_limits.reset_at end
   returning hits, greatest(0, ceil(extract(epoch from (reset_at - now())) * 1000))::int as ttl`,
)

const PEEK = postgresSql(
  `select hits, greatest(0, ceil(extract(epoch from (reset_at - now())) * 1000))::int as ttl
   from rate_limits where key = $1 and reset_at > now()`,
)

/** Windows that ended an hour ago: nothing reads them any more. */
export const SWEEP_RATE_LIMITS = postgresSql(
  `delete from rate_limits where reset_at < now() - interval '1 hour'`,
)

type Callback = (error: Error | null, result?: { current: number; ttl: number }) => void

/**
 * @fastify/rate-limit's store over the rate_limits table, so that every node of a cluster counts
 * the same attempts: a guesser cannot spread logins over nodes to get past the limit. Each route
 * counts apart (its method and path prefix the key), as the plugin's in-memory store does.
 */
export function postgresRateLimitStore(db: PostgresDatabase): FastifyRateLimitStoreCtor {
  class PostgresRateLimitStore {
    constructor(private readonly prefix = '') {}

    incr(key: string, callback: Callback, timeWindow: number): void {
      db.firstRaw<{ hits: number; ttl: number }>(INCREMENT, [this.prefix + key, timeWindow]).then(
        (row) => callback(null, { current: row!.hits, ttl: row!.ttl }),
        (error: unknown) => callback(error as Error),
      )
    }

    read(key: string, callback: Callback): void {
      db.firstRaw<{ hits: number; ttl: number }>(PEEK, [this.prefix + key]).then(
        (row) => callback(null, { current: row?.hits ?? 0, ttl: row?.ttl ?? 0 }),
        (error: unknown) => callback(error as Error),
      )
    }

    child(options: { routeInfo?: { method?: string | string[]; url?: string } }) {
      const route = options.routeInfo
      return new PostgresRateLimitStore(`${String(route?.method ?? '')} ${route?.url ?? ''}|`)
    }
  }
  return PostgresRateLimitStore as unknown as FastifyRateLimitStoreCtor
}
