import BetterSqlite3 from 'better-sqlite3'
import {
  DummyDriver,
  Kysely,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type Compilable,
} from 'kysely'
import type { Database, RawSql } from '../database'
import type { DB } from '../schema'
import { startCheckpointer, type Checkpointer } from './checkpointer'

/**
 * The embedded storage: one SQLite file through better-sqlite3, with a cache of prepared
 * statements. Queries are written with Kysely's builder, which compiles and never executes
 * (DummyDriver); this class runs the compiled SQL. better-sqlite3 is synchronous: the promises
 * below are settled when returned, so a unit of work made of them finishes within the turn of the
 * event loop that started it, which is what lets SQLite's group commit (sqliteUnitOfWork) batch
 * a turn's units in one transaction.
 */
export class SqliteDatabase implements Database {
  readonly dialect = 'sqlite' as const
  readonly sqlite: BetterSqlite3.Database
  /** Query builder only: it compiles, it never executes (DummyDriver). */
  readonly q: Kysely<DB>
  private readonly statements = new Map<string, BetterSqlite3.Statement>()
  private readonly checkpointer: Checkpointer | undefined

  constructor(file: string) {
    this.sqlite = new BetterSqlite3(file)
    this.sqlite.pragma('journal_mode = WAL')
    // Every commit answers clients (a 201, an ack): FULL syncs the WAL at each commit, so what
    // was acknowledged survives an OS crash or a power loss too, not only a crash of the process
    // (NORMAL syncs only at checkpoints, and a power loss could drop commits already answered).
    // Group commit makes it one fsync per batch, whatever the batch holds (npm run bench:storage).
    this.sqlite.pragma('synchronous = FULL')
    this.sqlite.pragma('foreign_keys = ON')
    this.sqlite.pragma('busy_timeout = 5000')
    this.q = new Kysely<DB>({
      dialect: {
        createAdapter: () => new SqliteAdapter(),
        createDriver: () => new DummyDriver(),
        createIntrospector: (db) => new SqliteIntrospector(db),
        createQueryCompiler: () => new SqliteQueryCompiler(),
      },
    })
    // Checkpoints run on a worker thread so no request waits for their fsyncs (see checkpointer).
    this.checkpointer = this.sqlite.memory
      ? undefined
      : startCheckpointer(file, (pages) => {
          if (this.sqlite.open) this.sqlite.pragma(`wal_autocheckpoint = ${pages}`)
        })
  }

  /** A statement prepared once per SQL text. */
  prepare(sql: string): BetterSqlite3.Statement {
    let statement = this.statements.get(sql)
    if (!statement) {
      statement = this.sqlite.prepare(sql)
      this.statements.set(sql, statement)
    }
    return statement
  }

  /** Runs `fn` in one transaction, synchronously (migrations and tools; services use units). */
  transactionSync<T>(fn: () => T): T {
    return this.sqlite.transaction(fn)()
  }

  async all<O>(query: Compilable<O>): Promise<O[]> {
    const { sql, parameters } = query.compile()
    return this.prepare(sql).all(...(parameters as unknown[])) as O[]
  }

  async first<O>(query: Compilable<O>): Promise<O | undefined> {
    const { sql, parameters } = query.compile()
    return this.prepare(sql).get(...(parameters as unknown[])) as O | undefined
  }

  async run(query: Compilable<unknown>): Promise<number> {
    const { sql, parameters } = query.compile()
    return this.prepare(sql).run(...(parameters as unknown[])).changes
  }

  async allRaw<O>(statement: RawSql, parameters: readonly unknown[]): Promise<O[]> {
    return this.prepare(statement.sqlite).all(...parameters) as O[]
  }

  async firstRaw<O>(statement: RawSql, parameters: readonly unknown[]): Promise<O | undefined> {
    return this.prepare(statement.sqlite).get(...parameters) as O | undefined
  }

  async runRaw(statement: RawSql, parameters: readonly unknown[]): Promise<number> {
    return this.prepare(statement.sqlite).run(...parameters).changes
  }

  async ping(): Promise<void> {
    this.prepare('select 1').get()
  }

  /**
   * Stops the background checkpointer and resolves once its worker is gone; the WAL then grows
   * until SQLite's own auto-checkpoint (if enabled). For measurements that read the WAL
   * (bench/sendStorage.ts); the server never calls it.
   */
  async stopCheckpointer(): Promise<void> {
    await this.checkpointer?.stop()
  }

  async close(): Promise<void> {
    void this.checkpointer?.stop()
    this.statements.clear()
    if (this.sqlite.open) {
      try {
        this.sqlite.pragma('optimize')
      } catch {
        // Statistics for the next start only: a full disk must not keep the database open.
      }
      this.sqlite.close()
    }
  }
}
