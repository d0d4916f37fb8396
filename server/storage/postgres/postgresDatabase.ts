import { createHash } from 'node:crypto'
import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type Compilable,
} from 'kysely'
import pg from 'pg'
import type { Database, Queryable, RawSql } from '../database'
import type { DB } from '../schema'

/**
 * How values come back: 64-bit integers (ids, counts) as numbers, as SQLite gives them. pg
 * returns them as strings by default, since they may pass 2^53; no id or count of this server
 * comes near that.
 */
const TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) => {
    if (oid === pg.types.builtins.INT8) return (value: string) => Number(value)
    return pg.types.getTypeParser(oid, format as 'text')
  }) as pg.CustomTypesConfig['getTypeParser'],
}

/** The query builder for PostgreSQL: it compiles and never executes (DummyDriver). */
export function postgresQueryBuilder(): Kysely<DB> {
  return new Kysely<DB>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  })
}

/** Anything pg runs queries on: the pool, or one client of it (a transaction). */
type PgRunner = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>

/** The name a hand-written statement is prepared under on each connection (its text's hash). */
const statementNames = new Map<string, string>()
function statementName(text: string): string {
  let name = statementNames.get(text)
  if (!name) {
    name = `t_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`
    statementNames.set(text, name)
  }
  return name
}

/**
 * Queries on PostgreSQL through one runner. Hand-written statements (a fixed set) are prepared
 * once per connection under a name; builder queries, whose text varies with their lists, are not.
 */
export class PgQueryable implements Queryable {
  readonly dialect = 'postgres' as const

  constructor(
    readonly q: Kysely<DB>,
    protected readonly runner: PgRunner,
  ) {}

  async all<O>(query: Compilable<O>): Promise<O[]> {
    const { sql, parameters } = query.compile()
    return (await this.runner.query(sql, parameters as unknown[])).rows as O[]
  }

  async first<O>(query: Compilable<O>): Promise<O | undefined> {
    return (await this.all(query))[0]
  }

  async run(query: Compilable<unknown>): Promise<number> {
    const { sql, parameters } = query.compile()
    return (await this.runner.query(sql, parameters as unknown[])).rowCount ?? 0
  }

  async allRaw<O>(statement: RawSql, parameters: readonly unknown[]): Promise<O[]> {
    return (await this.prepared(statement, parameters)).rows as O[]
  }

  async firstRaw<O>(statement: RawSql, parameters: readonly unknown[]): Promise<O | undefined> {
    return (await this.allRaw<O>(statement, parameters))[0]
  }

  async runRaw(statement: RawSql, parameters: readonly unknown[]): Promise<number> {
    return (await this.prepared(statement, parameters)).rowCount ?? 0
  }

  private prepared(statement: RawSql, parameters: readonly unknown[]) {
    return this.runner.query({
      name: statementName(statement.postgres),
      text: statement.postgres,
      values: parameters as unknown[],
    })
  }
}

/** Settings of the pool's connections. */
export interface PostgresPoolOptions {
  url: string
  /** Connections in the pool. */
  max: number
  /** Names the connections in pg_stat_activity (the node's id). */
  applicationName: string
}

/**
 * Settings of every session of a node, for when the node's host vanishes without closing its
 * connections (power loss, a partition): the database probes an idle peer after 10 s and drops it
 * after three unanswered probes, which frees its advisory locks (the leases of its one-owner
 * jobs), and ends a transaction left idle for 10 s (a batch holding the event-order lock).
 */
const SESSION_OPTIONS =
  '-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3 ' +
  '-c idle_in_transaction_session_timeout=10000'

/**
 * A pool of connections, with the session settings every connection of a node gets. Its
 * connections pipeline (node-postgres `pipeline`): a statement issued while the one before it on
 * the same connection is still under way is sent at once rather than after its answer, and
 * answers still come back in order. Only a batch's transaction issues statements that way (a
 * unit's savepoint and its first statement, see postgresUnitOfWork); everything else awaits each
 * statement before the next, for which pipelining changes nothing.
 */
export function createPool(options: PostgresPoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max,
    pipeline: true,
    types: TYPES,
    application_name: options.applicationName,
    options: SESSION_OPTIONS,
    keepAlive: true,
    keepAliveInitialDelayMillis: 5_000,
    connectionTimeoutMillis: 10_000,
  })
  // An idle connection that fails (the server restarted) is dropped by the pool; without a
  // listener the error would end the process.
  pool.on('error', () => {})
  // So may one that is checked out (a batch's transaction, between two of its statements): the
  // pool listens only while it is idle. The statement under way, or the next, fails with it.
  pool.on('connect', (client) => client.on('error', () => {}))
  return pool
}

/** A client outside the pool, for a session of its own (LISTEN, session advisory locks). */
export function createClient(options: PostgresPoolOptions, name: string): pg.Client {
  return new pg.Client({
    connectionString: options.url,
    types: TYPES,
    application_name: `${options.applicationName}:${name}`,
    options: SESSION_OPTIONS,
    keepAlive: true,
    keepAliveInitialDelayMillis: 5_000,
    connectionTimeoutMillis: 10_000,
  })
}

/** The cluster's storage: a pool of connections to one PostgreSQL database. */
export class PostgresDatabase extends PgQueryable implements Database {
  constructor(
    readonly pool: pg.Pool,
    q: Kysely<DB> = postgresQueryBuilder(),
  ) {
    super(q, pool)
  }

  /** Runs `work` in a transaction of its own on one pooled connection. */
  async transaction<T>(work: (tx: PgQueryable, client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect()
    try {
      await client.query('BEGIN')
      const result = await work(new PgQueryable(this.q, client), client)
      await client.query('COMMIT')
      return result
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined)
      throw error
    } finally {
      client.release()
    }
  }

  async ping(): Promise<void> {
    await this.pool.query('select 1')
  }

  async close(): Promise<void> {
    await this.pool.end()
  }
}
