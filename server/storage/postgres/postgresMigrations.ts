import { SCHEMA_VERSION, migrations } from '../migrations'
import type { PostgresDatabase } from './postgresDatabase'

/** The session advisory lock held while one node migrates (the others wait, then find it done). */
const MIGRATION_LOCK = 7_305_000_002n

/**
 * Brings a PostgreSQL database up to the current schema, one transaction per migration, recorded
 * in schema_migrations. Nodes starting together take turns under an advisory lock, so each
 * migration runs once; a database of a newer server is refused rather than guessed at.
 */
export async function runPostgresMigrations(db: PostgresDatabase): Promise<void> {
  const client = await db.pool.connect()
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK])
    await client.query(
      `create table if not exists schema_migrations (
         version int primary key,
         name text not null,
         applied_at timestamptz not null default now()
       )`,
    )
    const { rows } = await client.query<{ version: number | null }>(
      'select max(version) as version from schema_migrations',
    )
    const current = rows[0]?.version ?? 0
    if (current > SCHEMA_VERSION) {
      throw new Error(
        `The database schema (version ${current}) is newer than this server (version ${SCHEMA_VERSION}).`,
      )
    }
    for (const migration of migrations) {
      if (migration.version <= current) continue
      await client.query('BEGIN')
      try {
        for (const statement of migration.up({ q: db.q, dialect: 'postgres', pg: true })) {
          if (typeof statement === 'string') {
            await client.query(statement)
          } else {
            const { sql, parameters } = statement.compile()
            await client.query(sql, parameters as unknown[])
          }
        }
        await client.query('insert into schema_migrations (version, name) values ($1, $2)', [
          migration.version,
          migration.name,
        ])
        await client.query('COMMIT')
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined)
        throw new Error(
          `Migration ${migration.version} (${migration.name}) failed: ${(error as Error).message}`,
          { cause: error },
        )
      }
    }
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined)
    client.release()
  }
}
