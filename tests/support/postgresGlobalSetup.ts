import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { PostgresDatabase, createPool } from '../../server/storage/postgres/postgresDatabase'
import { runPostgresMigrations } from '../../server/storage/postgres/postgresMigrations'
import { TEMPLATE_DATABASE } from './testDatabase'

const ROOT = path.resolve(import.meta.dirname, '../..')

/**
 * Vitest global setup for the PostgreSQL run of the server suites (TIDINGS_TEST_DATABASE=postgres):
 * starts a private PostgreSQL with scripts/postgres/start.sh (unless TIDINGS_TEST_POSTGRES_URL
 * names one already running), migrates a template database with the server's own migrations, and
 * stops the server at the end. On SQLite it does nothing.
 */
export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env.TIDINGS_TEST_DATABASE !== 'postgres') return undefined
  let workdir: string | undefined
  if (!process.env.TIDINGS_TEST_POSTGRES_URL) {
    workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidings-test-postgres-'))
    const url = execFileSync(path.join(ROOT, 'scripts/postgres/start.sh'), [workdir], {
      encoding: 'utf8',
    }).trim()
    process.env.TIDINGS_TEST_POSTGRES_URL = url
  }
  const admin = new pg.Client({ connectionString: process.env.TIDINGS_TEST_POSTGRES_URL })
  await admin.connect()
  await admin.query(`drop database if exists ${TEMPLATE_DATABASE} with (force)`)
  await admin.query(`create database ${TEMPLATE_DATABASE}`)
  await admin.end()
  const url = new URL(process.env.TIDINGS_TEST_POSTGRES_URL)
  url.pathname = `/${TEMPLATE_DATABASE}`
  const template = new PostgresDatabase(
    createPool({ url: url.toString(), max: 1, applicationName: 'tidings-test-template' }),
  )
  await runPostgresMigrations(template)
  await template.close()
  return async () => {
    if (workdir) execFileSync(path.join(ROOT, 'scripts/postgres/stop.sh'), [workdir, '--clean'])
  }
}
