import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { SqliteDatabase } from '../../server/storage/sqlite/sqliteDatabase'
import { runSqliteMigrations } from '../../server/storage/sqlite/sqliteMigrations'
import { startServer } from '../../server/startServer'
import { seedDatabase } from '../seedDatabase'
import { Layout, readConfig } from '../shared'
import { announceReady, installProbe } from './probe'

/**
 * Tidings as shipped (real auth, SQLite persistence, presence, heartbeat) in a temp data dir,
 * seeded before the server opens it (see seedDatabase); users authenticate with their bearer
 * token only.
 */
const config = readConfig()
const layout = new Layout(config)
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidings-bench-'))

async function seed(): Promise<void> {
  const db = new SqliteDatabase(path.join(dataDir, 'tidings.db'))
  runSqliteMigrations(db)
  seedDatabase(db, {
    users: config.users,
    username: (id) => layout.username(id),
    displayName: (id) => `Bench User ${id}`,
    token: (id) => layout.token(id),
    conversations: Array.from({ length: layout.bigId }, (_, i) => ({
      id: i + 1,
      title: layout.title(i + 1),
      members: layout.members(i + 1),
    })),
  })
  await db.close()
}

await seed()
const server = await startServer({ port: 0, host: '127.0.0.1', dataDir })
installProbe(async () => {
  await server.close()
  fs.rmSync(dataDir, { recursive: true, force: true })
})
announceReady(server.port)
