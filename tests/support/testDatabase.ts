import { createHash } from 'node:crypto'
import pg from 'pg'
import type { ServerOptions } from '../../server/config'

/**
 * Which engine the server tests run on: SQLite by default, PostgreSQL when
 * TIDINGS_TEST_DATABASE=postgres (npm test runs the server suites on both). On PostgreSQL the
 * global setup (postgresGlobalSetup.ts) starts a private server and a migrated template
 * database; each test server gets a database of its own, copied from the template.
 */
export const TEST_DATABASE: 'sqlite' | 'postgres' =
  process.env.TIDINGS_TEST_DATABASE === 'postgres' ? 'postgres' : 'sqlite'

export const onPostgres = TEST_DATABASE === 'postgres'

/** The migrated database every test database is copied from. */
export const TEMPLATE_DATABASE = 'tidings_template'

/** The key every test node seals mail passwords with (a cluster's nodes share one). */
export const TEST_SECRET_KEY = Buffer.alloc(32, 7).toString('base64')

/** Timings short enough for tests: delivery, leases and the janitor within tens of ms. */
export const TEST_CLUSTER = {
  pollIntervalMs: 100,
  heartbeatMs: 200,
  nodeLeaseMs: 1000,
  poolSize: 6,
}

/** The private server's URL (its maintenance database), set by the global setup. */
export function postgresServerUrl(): string {
  const url = process.env.TIDINGS_TEST_POSTGRES_URL
  if (!url) throw new Error('TIDINGS_TEST_POSTGRES_URL is not set: is the global setup running?')
  return url
}

/** The URL of database `name` on the test server. */
export function databaseUrl(name: string): string {
  const url = new URL(postgresServerUrl())
  url.pathname = `/${name}`
  return url.toString()
}

/** The database that stands for a data folder: the same folder, the same database. */
export function databaseNameFor(dataDir: string): string {
  return `t_${createHash('sha1').update(dataDir).digest('hex').slice(0, 20)}`
}

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: postgresServerUrl() })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

/** Creates the database of `name` from the template unless it exists. */
export async function ensureDatabase(name: string): Promise<void> {
  await withAdmin(async (client) => {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name])
    if (rowCount) return
    await client.query(`create database ${name} template ${TEMPLATE_DATABASE}`)
  })
}

/** Drops the database of `name` (its connections are ended first). */
export async function dropDatabase(name: string): Promise<void> {
  await withAdmin((client) => client.query(`drop database if exists ${name} with (force)`))
}

/**
 * What a test server needs besides its data folder: nothing on SQLite; on PostgreSQL the URL of
 * the folder's own database (created now if new), the shared key and short cluster timings.
 */
export async function storageOptionsFor(dataDir: string): Promise<ServerOptions> {
  if (!onPostgres) return {}
  const name = databaseNameFor(dataDir)
  await ensureDatabase(name)
  return { databaseUrl: databaseUrl(name), secretKey: TEST_SECRET_KEY, cluster: TEST_CLUSTER }
}

/** Removes what storageOptionsFor made for the folder (nothing on SQLite). */
export async function dropStorageFor(dataDir: string): Promise<void> {
  if (onPostgres) await dropDatabase(databaseNameFor(dataDir))
}
