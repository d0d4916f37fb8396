import { sql, type Compilable } from 'kysely'
import type { Database } from './database'

/**
 * Versioned schema migrations, applied in order at start-up inside one transaction each. The
 * applied version is SQLite's `user_version`; a migration never changes once released.
 */
interface Migration {
  version: number
  name: string
  up(db: Database): Compilable<unknown>[]
}

const migrations: Migration[] = [
  {
    version: 1,
    name: 'accounts, conversations, messages, events',
    up: ({ q }) => [
      q.schema
        .createTable('users')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('username', 'text', (c) =>
          c
            .notNull()
            .unique()
            .modifyEnd(sql`collate nocase`),
        )
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull()),
      q.schema
        .createTable('tokens')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'integer', (c) =>
          c.notNull().references('users.id').onDelete('cascade'),
        )
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull()),
      q.schema.createIndex('tokens_user').on('tokens').column('user_id'),
      q.schema
        .createTable('invites')
        .addColumn('code_hash', 'text', (c) => c.primaryKey())
        .addColumn('created_by', 'integer', (c) => c.notNull().references('users.id'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('used_by', 'integer', (c) => c.references('users.id'))
        .addColumn('used_at', 'text'),
      q.schema
        .createTable('settings')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull()),
      q.schema
        .createTable('conversations')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('title', 'text')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('platform', 'text', (c) => c.notNull().defaultTo('tidings'))
        .addColumn('created_by', 'integer', (c) => c.notNull().references('users.id'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull()),
      q.schema
        .createTable('conversation_members')
        .addColumn('conversation_id', 'integer', (c) =>
          c.notNull().references('conversations.id').onDelete('cascade'),
        )
        .addColumn('user_id', 'integer', (c) =>
          c.notNull().references('users.id').onDelete('cascade'),
        )
        .addColumn('joined_at', 'text', (c) => c.notNull())
        .addColumn('last_read_message_id', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_delivered_message_id', 'integer', (c) => c.notNull().defaultTo(0))
        .addPrimaryKeyConstraint('conversation_members_pk', ['conversation_id', 'user_id'])
        .modifyEnd(sql`without rowid`),
      q.schema
        .createIndex('conversation_members_user')
        .on('conversation_members')
        .columns(['user_id', 'conversation_id']),
      q.schema
        .createTable('messages')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('conversation_id', 'integer', (c) =>
          c.notNull().references('conversations.id').onDelete('cascade'),
        )
        .addColumn('sender_id', 'integer', (c) => c.notNull().references('users.id'))
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('edited_at', 'text')
        .addColumn('deleted_at', 'text')
        .addUniqueConstraint('messages_sender_client', ['sender_id', 'client_id']),
      q.schema
        .createIndex('messages_conversation')
        .on('messages')
        .columns(['conversation_id', 'id']),
      q.schema
        .createTable('events')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull()),
      q.schema.createIndex('events_created').on('events').column('created_at'),
      // The resume query walks one user's ids in order: the primary key is exactly that index.
      q.schema
        .createTable('event_recipients')
        .addColumn('user_id', 'integer', (c) => c.notNull())
        .addColumn('event_id', 'integer', (c) =>
          c.notNull().references('events.id').onDelete('cascade'),
        )
        .addPrimaryKeyConstraint('event_recipients_pk', ['user_id', 'event_id'])
        .modifyEnd(sql`without rowid`),
      q.schema.createIndex('event_recipients_event').on('event_recipients').column('event_id'),
    ],
  },
]

export const SCHEMA_VERSION = migrations.at(-1)?.version ?? 0

export function runMigrations(db: Database): void {
  const current = db.sqlite.pragma('user_version', { simple: true }) as number
  if (current > SCHEMA_VERSION) {
    throw new Error(
      `The database schema (version ${current}) is newer than this server (version ${SCHEMA_VERSION}).`,
    )
  }
  for (const migration of migrations) {
    if (migration.version <= current) continue
    db.transaction(() => {
      for (const statement of migration.up(db)) db.run(statement)
      db.sqlite.pragma(`user_version = ${migration.version}`)
    })
  }
}
