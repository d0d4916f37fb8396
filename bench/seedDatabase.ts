import type { SqliteDatabase } from '../server/storage/sqlite/sqliteDatabase'
import { hashSecret } from '../server/services/tokens'

/** Who and what a benchmark database holds. */
export interface SeedPlan {
  /** Users 1..users; user 1 is the admin. */
  users: number
  displayName: (id: number) => string
  username: (id: number) => string
  /** The bearer token of each user, stored hashed as the server does; none when absent. */
  token?: (id: number) => string
  conversations: Iterable<{ id: number; title: string; members: readonly number[] }>
}

/**
 * Writes users, token hashes, conversations and members straight into a SQLite file opened with the
 * server's own SqliteDatabase class (its migrations run first), in one transaction. Registering
 * 10,000 users over REST would spend minutes in scrypt; seeded users have no usable password.
 */
export function seedDatabase(db: SqliteDatabase, plan: SeedPlan): void {
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
  db.transactionSync(() => {
    for (let id = 1; id <= plan.users; id += 1) {
      const role = id === 1 ? 'admin' : 'member'
      user.run(id, plan.username(id), plan.displayName(id), 'seeded:no-password', role, now)
      if (plan.token) token.run(hashSecret(plan.token(id)), id, now, expires)
    }
    for (const { id, title, members } of plan.conversations) {
      conversation.run(id, title, 'group', 'tidings', members[0], now, now)
      for (const userId of members) member.run(id, userId, now)
    }
  })
}
