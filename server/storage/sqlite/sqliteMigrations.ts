import { SCHEMA_VERSION, migrations } from '../migrations'
import type { SqliteDatabase } from './sqliteDatabase'

/**
 * Brings a SQLite file up to the current schema, one transaction per migration. The applied
 * version is SQLite's `user_version`; a file from a newer server is refused rather than guessed at.
 */
export function runSqliteMigrations(db: SqliteDatabase): void {
  const current = db.sqlite.pragma('user_version', { simple: true }) as number
  if (current > SCHEMA_VERSION) {
    throw new Error(
      `The database schema (version ${current}) is newer than this server (version ${SCHEMA_VERSION}).`,
    )
  }
  for (const migration of migrations) {
    if (migration.version <= current) continue
    db.transactionSync(() => {
      for (const statement of migration.up({ q: db.q, dialect: 'sqlite', pg: false })) {
        if (typeof statement === 'string') {
          db.sqlite.exec(statement)
        } else {
          const { sql, parameters } = statement.compile()
          db.sqlite.prepare(sql).run(...(parameters as unknown[]))
        }
      }
      db.sqlite.pragma(`user_version = ${migration.version}`)
    })
  }
}
