import type { Compilable, Kysely } from 'kysely'
import type { DB } from './schema'

/** The two storage engines: SQLite in one file (the default), PostgreSQL for a cluster. */
export type Dialect = 'sqlite' | 'postgres'

/**
 * SQL written by hand, for what the query builder cannot say or for the hottest statements (a
 * statement's text is its cache key: built per call it would be compiled per call). Written once
 * with `?` placeholders; the PostgreSQL text is derived (`$1`, `$2`, …) unless given, for the few
 * statements whose SQL differs between the two (see `rawSql`).
 */
export interface RawSql {
  readonly sqlite: string
  readonly postgres: string
}

/**
 * Hand-written SQL with `?` placeholders. `postgres` is that dialect's own text where the two
 * differ (functions such as `max(a, b)` versus `greatest(a, b)`, JSON versus arrays); otherwise it
 * is derived by numbering the placeholders, which is safe because no statement of this server has
 * a `?` inside a literal.
 */
export function rawSql(sqlite: string, postgres?: string): RawSql {
  if (postgres !== undefined) return { sqlite, postgres }
  let n = 0
  return { sqlite, postgres: sqlite.replace(/\?/g, () => `$${++n}`) }
}

/** Hand-written SQL of a module that runs on PostgreSQL only (numbered `$n` placeholders). */
export function postgresSql(text: string): RawSql {
  return { sqlite: '-- not used on SQLite', postgres: text }
}

/**
 * Where queries run: the database itself (reads outside any change) or one unit of work's
 * transaction (see UnitOfWork). Services take one of these per call, so that what a unit reads
 * is what it wrote: on PostgreSQL a unit's transaction is one connection of a pool, and a read on
 * another connection would not see its uncommitted rows.
 */
export interface Queryable {
  readonly dialect: Dialect
  /** The query builder: it compiles for this dialect and never executes. */
  readonly q: Kysely<DB>
  /** Every row a query returns. */
  all<O>(query: Compilable<O>): Promise<O[]>
  /** The first row, or undefined. */
  first<O>(query: Compilable<O>): Promise<O | undefined>
  /** A statement run for its effect; resolves with the number of rows it changed. */
  run(query: Compilable<unknown>): Promise<number>
  /** Every row of hand-written SQL (prepared once per connection). */
  allRaw<O>(statement: RawSql, parameters: readonly unknown[]): Promise<O[]>
  /** The first row of hand-written SQL, or undefined. */
  firstRaw<O>(statement: RawSql, parameters: readonly unknown[]): Promise<O | undefined>
  /** Hand-written SQL run for its effect; resolves with the number of rows it changed. */
  runRaw(statement: RawSql, parameters: readonly unknown[]): Promise<number>
}

/** The storage as a whole: queries outside units of work, and its lifecycle. */
export interface Database extends Queryable {
  /** A round trip to the database, for health checks; rejects when it cannot be reached. */
  ping(): Promise<void>
  close(): Promise<void>
}
