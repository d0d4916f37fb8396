import BetterSqlite3 from 'better-sqlite3'
import {
  DummyDriver,
  Kysely,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type Compilable,
} from 'kysely'
import type { DB } from './schema'
import { startCheckpointer, type Checkpointer } from './checkpointer'
import { runMigrations } from './migrations'

/**
 * The server's storage. Queries are written with Kysely's builder, which is dialect-neutral, and
 * compiled to SQL; this class executes them synchronously on better-sqlite3 with a cache of
 * prepared statements. Synchronous execution matters: a write and the fan-out that follows it happen
 * in one tick, so a socket that registers for live events in the same tick it replays history can
 * neither miss nor double an event. A PostgreSQL back end would supply another executor for the
 * same compiled queries.
 */
export class Database {
  readonly sqlite: BetterSqlite3.Database
  /** Query builder only: it compiles, it never executes (DummyDriver). */
  readonly q: Kysely<DB>
  private readonly statements = new Map<string, BetterSqlite3.Statement>()
  private readonly checkpointer: Checkpointer | undefined
  /**
   * One better-sqlite3 transaction function for every call: building one per call (four wrapper
   * closures and their properties) cost about 2 % of the server's CPU on the send path.
   */
  private readonly runInTransaction: (fn: () => unknown) => unknown

  constructor(file: string) {
    this.sqlite = new BetterSqlite3(file)
    this.sqlite.pragma('journal_mode = WAL')
    // WAL + NORMAL is durable against application crashes; only an OS crash can lose the last
    // transactions, which the resume protocol then re-requests.
    this.sqlite.pragma('synchronous = NORMAL')
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
    this.runInTransaction = this.sqlite.transaction((fn: () => unknown) => fn())
    runMigrations(this)
    // Checkpoints run on a worker thread so no request waits for their fsyncs (see checkpointer).
    this.checkpointer = this.sqlite.memory
      ? undefined
      : startCheckpointer(file, (pages) => {
          if (this.sqlite.open) this.sqlite.pragma(`wal_autocheckpoint = ${pages}`)
        })
  }

  private prepare(sql: string): BetterSqlite3.Statement {
    let statement = this.statements.get(sql)
    if (!statement) {
      statement = this.sqlite.prepare(sql)
      this.statements.set(sql, statement)
    }
    return statement
  }

  /** Every row a query returns. */
  all<O>(query: Compilable<O>): O[] {
    const { sql, parameters } = query.compile()
    return this.prepare(sql).all(...(parameters as unknown[])) as O[]
  }

  /** The first row, or undefined. */
  first<O>(query: Compilable<O>): O | undefined {
    const { sql, parameters } = query.compile()
    return this.prepare(sql).get(...(parameters as unknown[])) as O | undefined
  }

  /** A statement run for its effect. */
  run(query: Compilable<unknown>): BetterSqlite3.RunResult {
    const { sql, parameters } = query.compile()
    return this.prepare(sql).run(...(parameters as unknown[]))
  }

  /** Runs `fn` in one transaction (nested calls become savepoints). */
  transaction<T>(fn: () => T): T {
    return this.runInTransaction(fn) as T
  }

  /**
   * Stops the background checkpointer and resolves once its worker is gone; the WAL then grows
   * until SQLite's own auto-checkpoint (if enabled). For measurements that read the WAL
   * (bench/sendStorage.ts); the server never calls it.
   */
  async stopCheckpointer(): Promise<void> {
    await this.checkpointer?.stop()
  }

  close(): void {
    void this.checkpointer?.stop()
    this.statements.clear()
    if (this.sqlite.open) {
      this.sqlite.pragma('optimize')
      this.sqlite.close()
    }
  }
}
