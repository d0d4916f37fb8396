import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Database } from '../../server/db/database'
import { hashSecret } from '../../server/services/tokens'
import { startServer } from '../../server/startServer'
import { Layout, readConfig } from '../shared'
import { announceReady, installProbe } from './probe'

/**
 * Tidings as shipped (real auth, SQLite persistence, presence, heartbeat) in a temp data dir.
 * Seeding writes users, token hashes (hashed with the server's own hashSecret), conversations and
 * members straight into the SQLite file through the server's Database class (which runs the real
 * migrations) before the server opens it: registering 10,000 users over REST would spend minutes in
 * scrypt. Seeded users have no usable password; they authenticate with their bearer token only.
 */
const config = readConfig()
const layout = new Layout(config)
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidings-bench-'))

function seed(): void {
  const db = new Database(path.join(dataDir, 'tidings.db'))
  const now = new Date().toISOString()
  const expires = new Date(Date.now() + 24 * 3600_000).toISOString()
  const s = db.sqlite
  const user = s.prepare(
    'insert into users (id, username, display_name, password_hash, role, created_at) values (?, ?, ?, ?, ?, ?)',
  )
  const token = s.prepare(
    'insert into tokens (token_hash, user_id, created_at, expires_at) values (?, ?, ?, ?)',
  )
  const conversation = s.prepare(
    'insert into conversations (id, title, kind, platform, created_by, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?)',
  )
  const member = s.prepare(
    'insert into conversation_members (conversation_id, user_id, joined_at, last_read_message_id, last_delivered_message_id) values (?, ?, ?, 0, 0)',
  )
  db.transaction(() => {
    for (let id = 1; id <= config.users; id += 1) {
      const name = layout.username(id)
      user.run(
        id,
        name,
        `Bench User ${id}`,
        'seeded:no-password',
        id === 1 ? 'admin' : 'member',
        now,
      )
      token.run(hashSecret(layout.token(id)), id, now, expires)
    }
    for (let id = 1; id <= layout.bigId; id += 1) {
      const members = layout.members(id)
      conversation.run(id, layout.title(id), 'group', 'tidings', members[0], now, now)
      for (const userId of members) member.run(id, userId, now)
    }
  })
  db.close()
}

seed()
const server = await startServer({ port: 0, host: '127.0.0.1', dataDir })
installProbe(async () => {
  await server.close()
  fs.rmSync(dataDir, { recursive: true, force: true })
})
announceReady(server.port)
