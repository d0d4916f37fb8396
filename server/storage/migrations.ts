import { sql, type ColumnDefinitionBuilder, type Compilable, type CreateTableBuilder } from 'kysely'
import type { Kysely } from 'kysely'
import type { Dialect } from './database'
import type { DB } from './schema'
import { postgresCluster, postgresSearchIndex } from './postgres/postgresSchema'

/**
 * Versioned schema migrations, one list for both engines, applied in order at start-up inside one
 * transaction each (sqlite/sqliteMigrations, postgres/postgresMigrations keep the applied
 * version). A migration never changes once released. Where the engines differ, a migration says
 * so in place: PostgreSQL has no `collate nocase` (citext), no `without rowid`, no triggers
 * (spans are written with the event ids), no FTS5 (tsvector), 64-bit ids, and compares
 * timestamps (RFC 3339 text) byte by byte whatever the database's locale (`collate "C"`).
 */
export interface Migration {
  version: number
  name: string
  /** Builder statements, or plain SQL strings for what the builder cannot express (triggers). */
  up(context: MigrationContext): (Compilable<unknown> | string)[]
}

export interface MigrationContext {
  q: Kysely<DB>
  dialect: Dialect
  /** True on PostgreSQL. */
  pg: boolean
}

/** Integer columns: 64-bit on PostgreSQL, where ids of a long-lived cluster may pass 2^31. */
function intType(pg: boolean) {
  return pg ? 'bigint' : 'integer'
}

/** An id assigned by the database. */
function idType(pg: boolean) {
  return pg ? 'bigint' : 'integer'
}

function autoId(column: ColumnDefinitionBuilder, pg: boolean): ColumnDefinitionBuilder {
  return pg
    ? column.primaryKey().generatedByDefaultAsIdentity()
    : column.primaryKey().autoIncrement()
}

/** RFC 3339 text, compared as bytes (its order is then the order of the instants). */
function timeType(pg: boolean) {
  return pg ? sql`text collate "C"` : 'text'
}

/** SQLite stores these tables by their primary key alone; PostgreSQL has no such option. */
function withoutRowid(pg: boolean) {
  return <T extends string, C extends string>(table: CreateTableBuilder<T, C>) =>
    pg ? table : table.modifyEnd(sql`without rowid`)
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'accounts, conversations, messages, events',
    up: ({ q, pg }) => [
      // Case-insensitive text, for usernames (a trusted extension: the database's owner may add it).
      ...(pg ? ['create extension if not exists citext'] : []),
      q.schema
        .createTable('users')
        .addColumn('id', idType(pg), (c) => autoId(c, pg))
        // Usernames are unique and looked up regardless of case.
        .addColumn('username', pg ? sql`citext` : 'text', (c) =>
          pg
            ? c.notNull().unique()
            : c
                .notNull()
                .unique()
                .modifyEnd(sql`collate nocase`),
        )
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('created_at', timeType(pg), (c) => c.notNull()),
      q.schema
        .createTable('tokens')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', intType(pg), (c) =>
          c.notNull().references('users.id').onDelete('cascade'),
        )
        .addColumn('created_at', timeType(pg), (c) => c.notNull())
        .addColumn('expires_at', timeType(pg), (c) => c.notNull()),
      q.schema.createIndex('tokens_user').on('tokens').column('user_id'),
      q.schema
        .createTable('invites')
        .addColumn('code_hash', 'text', (c) => c.primaryKey())
        .addColumn('created_by', intType(pg), (c) => c.notNull().references('users.id'))
        .addColumn('created_at', timeType(pg), (c) => c.notNull())
        .addColumn('expires_at', timeType(pg), (c) => c.notNull())
        .addColumn('used_by', intType(pg), (c) => c.references('users.id'))
        .addColumn('used_at', timeType(pg)),
      q.schema
        .createTable('settings')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull()),
      q.schema
        .createTable('conversations')
        .addColumn('id', idType(pg), (c) => autoId(c, pg))
        .addColumn('title', 'text')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('platform', 'text', (c) => c.notNull().defaultTo('tidings'))
        .addColumn('created_by', intType(pg), (c) => c.notNull().references('users.id'))
        .addColumn('created_at', timeType(pg), (c) => c.notNull())
        .addColumn('updated_at', timeType(pg), (c) => c.notNull()),
      q.schema
        .createTable('conversation_members')
        .addColumn('conversation_id', intType(pg), (c) =>
          c.notNull().references('conversations.id').onDelete('cascade'),
        )
        .addColumn('user_id', intType(pg), (c) =>
          c.notNull().references('users.id').onDelete('cascade'),
        )
        .addColumn('joined_at', timeType(pg), (c) => c.notNull())
        .addColumn('last_read_message_id', intType(pg), (c) => c.notNull().defaultTo(0))
        .addColumn('last_delivered_message_id', intType(pg), (c) => c.notNull().defaultTo(0))
        .addPrimaryKeyConstraint('conversation_members_pk', ['conversation_id', 'user_id'])
        .$call(withoutRowid(pg)),
      q.schema
        .createIndex('conversation_members_user')
        .on('conversation_members')
        .columns(['user_id', 'conversation_id']),
      q.schema
        .createTable('messages')
        .addColumn('id', idType(pg), (c) => autoId(c, pg))
        .addColumn('conversation_id', intType(pg), (c) =>
          c.notNull().references('conversations.id').onDelete('cascade'),
        )
        .addColumn('sender_id', intType(pg), (c) => c.notNull().references('users.id'))
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('created_at', timeType(pg), (c) => c.notNull())
        .addColumn('edited_at', timeType(pg))
        .addColumn('deleted_at', timeType(pg))
        .addUniqueConstraint('messages_sender_client', ['sender_id', 'client_id']),
      q.schema
        .createIndex('messages_conversation')
        .on('messages')
        .columns(['conversation_id', 'id']),
      q.schema
        .createTable('events')
        .addColumn('id', intType(pg), (c) => c.primaryKey())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('created_at', timeType(pg), (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull()),
      q.schema.createIndex('events_created').on('events').column('created_at'),
      // The resume query walks one user's ids in order: the primary key is exactly that index.
      q.schema
        .createTable('event_recipients')
        .addColumn('user_id', intType(pg), (c) => c.notNull())
        .addColumn('event_id', intType(pg), (c) =>
          c.notNull().references('events.id').onDelete('cascade'),
        )
        .addPrimaryKeyConstraint('event_recipients_pk', ['user_id', 'event_id'])
        .$call(withoutRowid(pg)),
      q.schema.createIndex('event_recipients_event').on('event_recipients').column('event_id'),
    ],
  },
  {
    version: 2,
    name: 'contacts, connected platform accounts, email',
    up: ({ q, pg }) => [
      q.schema
        .createTable('contacts')
        .addColumn('id', idType(pg), (c) => autoId(c, pg))
        .addColumn('owner_id', intType(pg), (c) =>
          c.notNull().references('users.id').onDelete('cascade'),
        )
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('handles', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('notes', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('created_at', timeType(pg), (c) => c.notNull())
        .addColumn('updated_at', timeType(pg), (c) => c.notNull()),
      q.schema.createIndex('contacts_owner').on('contacts').columns(['owner_id', 'name']),
      q.schema
        .createTable('platform_accounts')
        .addColumn('id', idType(pg), (c) => autoId(c, pg))
        .addColumn('owner_id', intType(pg), (c) =>
          c.notNull().references('users.id').onDelete('cascade'),
        )
        .addColumn('platform', 'text', (c) => c.notNull())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('address', 'text')
        .addColumn('settings', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('credentials', 'text')
        .addColumn('bridge_secret_hash', 'text', (c) => c.notNull().unique())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('state_reason', 'text')
        .addColumn('state_changed_at', timeType(pg), (c) => c.notNull())
        .addColumn('last_sync_at', timeType(pg))
        .addColumn('imap_uid_validity', 'text')
        .addColumn('imap_last_uid', intType(pg), (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', timeType(pg), (c) => c.notNull())
        .addColumn('updated_at', timeType(pg), (c) => c.notNull()),
      q.schema.createIndex('platform_accounts_owner').on('platform_accounts').column('owner_id'),
      q.schema
        .createTable('external_threads')
        .addColumn('id', idType(pg), (c) => autoId(c, pg))
        .addColumn('account_id', intType(pg), (c) =>
          c.notNull().references('platform_accounts.id').onDelete('cascade'),
        )
        .addColumn('thread_key', 'text', (c) => c.notNull())
        .addColumn('conversation_id', intType(pg), (c) =>
          c.notNull().unique().references('conversations.id').onDelete('cascade'),
        )
        .addColumn('subject', 'text')
        .addColumn('participants', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('created_at', timeType(pg), (c) => c.notNull())
        .addUniqueConstraint('external_threads_key', ['account_id', 'thread_key']),
      q.schema
        .createTable('external_messages')
        .addColumn('message_id', intType(pg), (c) =>
          c.primaryKey().references('messages.id').onDelete('cascade'),
        )
        .addColumn('account_id', intType(pg), (c) =>
          c.notNull().references('platform_accounts.id').onDelete('cascade'),
        )
        .addColumn('conversation_id', intType(pg), (c) => c.notNull())
        .addColumn('direction', 'text', (c) => c.notNull())
        .addColumn('external_id', 'text', (c) => c.notNull())
        .addColumn('subject', 'text')
        .addColumn('from_address', 'text')
        .addColumn('from_name', 'text')
        .addColumn('to_addresses', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('in_reply_to', 'text')
        .addColumn('references_header', 'text')
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('attempts', intType(pg), (c) => c.notNull().defaultTo(0))
        .addColumn('raw', 'text')
        .addColumn('created_at', timeType(pg), (c) => c.notNull())
        .addColumn('updated_at', timeType(pg), (c) => c.notNull())
        .addUniqueConstraint('external_messages_external_id', ['account_id', 'external_id']),
      q.schema
        .createIndex('external_messages_state')
        .on('external_messages')
        .columns(['account_id', 'direction', 'state']),
      q.schema.alterTable('messages').addColumn('external_sender_handle', 'text'),
      q.schema.alterTable('messages').addColumn('external_sender_name', 'text'),
    ],
  },
  {
    version: 3,
    name: 'event streams stored once: conversation and peer streams, membership spans',
    up: ({ q, pg }) => [
      // An event is stored once. Besides the per-user rows of event_recipients (direct events), it
      // may name a stream whose audience is derived at replay from who was a member when: the
      // members of a conversation (minus one user, the sender of a message_received), or the
      // peers of a user (everyone sharing a conversation with them: presence, profile changes).
      q.schema.alterTable('events').addColumn('conversation_id', intType(pg)),
      q.schema.alterTable('events').addColumn('except_user_id', intType(pg)),
      q.schema.alterTable('events').addColumn('peers_of_user_id', intType(pg)),
      q.schema
        .createIndex('events_conversation_stream')
        .on('events')
        .columns(['conversation_id', 'id'])
        .where(sql.ref('conversation_id'), 'is not', null),
      q.schema
        .createIndex('events_peer_stream')
        .on('events')
        .columns(['peers_of_user_id', 'id'])
        .where(sql.ref('peers_of_user_id'), 'is not', null),
      // Who was a member of which conversation between which events: a member sees the stream
      // events with from_event_id < id <= to_event_id (open while still a member).
      q.schema
        .createTable('conversation_member_spans')
        .addColumn('user_id', intType(pg), (c) => c.notNull())
        .addColumn('conversation_id', intType(pg), (c) => c.notNull())
        .addColumn('from_event_id', intType(pg), (c) => c.notNull())
        .addColumn('to_event_id', intType(pg))
        .addPrimaryKeyConstraint('conversation_member_spans_pk', [
          'user_id',
          'conversation_id',
          'from_event_id',
        ])
        .$call(withoutRowid(pg)),
      q.schema
        .createIndex('conversation_member_spans_conversation')
        .on('conversation_member_spans')
        .columns(['conversation_id', 'user_id']),
      // The spans follow conversation_members in the database itself, so no writer (services,
      // imports, cascades) can forget them. A span starts at the newest event written so far (in
      // this transaction too); leaving and re-joining with no event in between reuses the start.
      // PostgreSQL has no such triggers: there the event ids are handed out when a batch commits,
      // and the spans are written then, in the same statement (see postgres/eventAppender).
      ...(pg
        ? []
        : [
            `create trigger conversation_member_joined after insert on conversation_members begin
        insert or replace into conversation_member_spans (user_id, conversation_id, from_event_id, to_event_id)
        values (new.user_id, new.conversation_id, (select coalesce(max(id), 0) from events), null);
      end`,
            `create trigger conversation_member_left after delete on conversation_members begin
        update conversation_member_spans set to_event_id = (select coalesce(max(id), 0) from events)
        where user_id = old.user_id and conversation_id = old.conversation_id and to_event_id is null;
      end`,
            `insert into conversation_member_spans (user_id, conversation_id, from_event_id, to_event_id)
        select user_id, conversation_id, (select coalesce(max(id), 0) from events), null
        from conversation_members`,
          ]),
    ],
  },
  {
    version: 4,
    name: 'one-member stream events; no created_at index on events',
    up: ({ q, pg }) => [
      // A sender's message_sent is filed in the conversation's stream for that member only,
      // instead of a row in event_recipients (and its event_id index): two fewer pages written
      // per message.
      q.schema.alterTable('events').addColumn('only_user_id', intType(pg)),
      // Only pruning read it, and finds its boundary by id instead (EventLog.lastIdBefore);
      // every event written paid for it.
      q.schema.dropIndex('events_created'),
    ],
  },
  {
    version: 5,
    name: 'message search index (FTS5), filled lazily',
    up: ({ pg }) => [
      // rowid = message id. The index keeps its own copy of each text (not an external-content
      // table over messages): an edit or a tombstone then needs no old text to remove a row, and
      // the table can fall behind messages, which is what keeps indexing off the send path: it is
      // caught up from the highest message id indexed (settings 'search_indexed_up_to') by a
      // search or a background round (services/messageIndex.ts), never by a trigger.
      ...(pg
        ? postgresSearchIndex()
        : [
            `create virtual table message_search using fts5(text, tokenize='unicode61 remove_diacritics 2')`,
          ]),
    ],
  },
  {
    version: 6,
    name: 'message search finds words inside Chinese and Japanese text',
    up: ({ pg }) => [
      // The indexed text now has a separator (U+FDD0, CJK_SEPARATOR in services/searchText.ts,
      // written out here since a migration never changes) around each Chinese or Japanese
      // character; the tokenizer is told it separates tokens, since unicode61 takes an
      // unassigned character for a letter. Index rows written before hold whole runs
      // of such characters as single tokens, so the index starts over: the start-up pass and
      // searches refill it from the messages, as after migration 5.
      // PostgreSQL's index was made with the separator from the start (migration 5).
      ...(pg
        ? []
        : [
            'drop table message_search',
            `create virtual table message_search using fts5(text,
        tokenize="unicode61 remove_diacritics 2 separators '\uFDD0'")`,
            `delete from settings where key = 'search_indexed_up_to'`,
          ]),
    ],
  },
  {
    version: 7,
    name: 'replies: the message a message replies to',
    up: ({ q, pg }) => [
      // A plain integer, not a foreign key: messages are never removed one by one (a deletion is a
      // tombstone), only all together with their conversation, and a foreign key would make every
      // such removal look for replies to each row (an index that every send would pay for).
      // Sends check the original themselves (same conversation, not deleted).
      q.schema.alterTable('messages').addColumn('reply_to_id', intType(pg)),
    ],
  },
  {
    version: 8,
    name: 'reactions: one emoji per member per message',
    up: ({ q, pg }) => [
      // The primary key is the one reactor per message rule, and the index every read walks: all
      // the reactions of a page of message ids. Rows of a message go with it (a deletion removes
      // them itself: Messages.delete); a user's go with the user. Nothing here touches a send.
      q.schema
        .createTable('message_reactions')
        .addColumn('message_id', intType(pg), (c) =>
          c.notNull().references('messages.id').onDelete('cascade'),
        )
        .addColumn('user_id', intType(pg), (c) =>
          c.notNull().references('users.id').onDelete('cascade'),
        )
        .addColumn('emoji', 'text', (c) => c.notNull())
        .addColumn('created_at', timeType(pg), (c) => c.notNull())
        .addPrimaryKeyConstraint('message_reactions_pk', ['message_id', 'user_id']),
    ],
  },
  {
    version: 9,
    name: 'attachments: uploaded files, linked to a message when it is sent',
    up: ({ q, pg }) => [
      // The bytes live in <dataDir>/attachments/<id> (services/attachments.ts); a row is what the
      // wire shows of a file and who may read it. message_id is null from the upload until a send
      // claims the row, and the index serves both the reads (the attachments of a page of message
      // ids) and the sweep of uploads never sent (message_id is null, oldest first). Messages
      // carry no column for it: a text-only send writes exactly what it wrote before.
      q.schema
        .createTable('attachments')
        .addColumn('id', idType(pg), (c) => autoId(c, pg))
        .addColumn('conversation_id', intType(pg), (c) =>
          c.notNull().references('conversations.id').onDelete('cascade'),
        )
        .addColumn('uploader_id', intType(pg), (c) =>
          c.notNull().references('users.id').onDelete('cascade'),
        )
        .addColumn('message_id', intType(pg), (c) =>
          c.references('messages.id').onDelete('cascade'),
        )
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('mime', 'text', (c) => c.notNull())
        .addColumn('size', intType(pg), (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('created_at', timeType(pg), (c) => c.notNull()),
      q.schema
        .createIndex('attachments_message')
        .on('attachments')
        .columns(['message_id', 'created_at']),
    ],
  },
  {
    version: 10,
    name: 'one direct conversation per pair; a cluster of server nodes on PostgreSQL',
    up: ({ q, pg }) => [
      // Check-then-create no longer relies on one writer: the pair of a direct conversation is
      // unique, so two nodes creating it at once end with one (Conversations.create).
      q.schema.alterTable('conversations').addColumn('direct_pair', 'text'),
      `update conversations set direct_pair = (
         select min(m.user_id) || ':' || max(m.user_id) from conversation_members m
         where m.conversation_id = conversations.id)
       where kind = 'direct' and platform = 'tidings'
         and (select count(*) from conversation_members m
              where m.conversation_id = conversations.id) = 2`,
      q.schema
        .createIndex('conversations_direct_pair')
        .on('conversations')
        .column('direct_pair')
        .unique(),
      ...(pg ? postgresCluster() : []),
    ],
  },
  {
    version: 11,
    name: 'attachments by uploader, for storage quotas',
    up: ({ q }) => [
      // What a user stores (a storage quota sums it at each upload): an index-only range over
      // the user's rows. A send claims uploads without touching it (neither column changes).
      q.schema
        .createIndex('attachments_uploader')
        .on('attachments')
        .columns(['uploader_id', 'size']),
    ],
  },
  {
    version: 12,
    name: 'administration: deactivated accounts, last seen, invites listed, password resets, audit log',
    up: ({ q, pg }) => [
      // A deactivated account keeps its row (its messages and name stay in history); sessions
      // (services/accounts.ts) and sign-ins refuse it. last_seen_at moves with presence.
      q.schema.alterTable('users').addColumn('deactivated_at', timeType(pg)),
      q.schema.alterTable('users').addColumn('last_seen_at', timeType(pg)),
      // Invites get an id to be listed and revoked by, a note (who it is for) and a revocation.
      // A table cannot gain an identity column in place on both engines, so it is rebuilt.
      'alter table invites rename to invites_before_12',
      q.schema
        .createTable('invites')
        .addColumn('id', idType(pg), (c) => autoId(c, pg))
        .addColumn('code_hash', 'text', (c) => c.notNull().unique())
        .addColumn('note', 'text')
        .addColumn('created_by', intType(pg), (c) => c.notNull().references('users.id'))
        .addColumn('created_at', timeType(pg), (c) => c.notNull())
        .addColumn('expires_at', timeType(pg), (c) => c.notNull())
        .addColumn('used_by', intType(pg), (c) => c.references('users.id'))
        .addColumn('used_at', timeType(pg))
        .addColumn('revoked_at', timeType(pg)),
      `insert into invites (code_hash, created_by, created_at, expires_at, used_by, used_at)
       select code_hash, created_by, created_at, expires_at, used_by, used_at
       from invites_before_12 order by created_at`,
      'drop table invites_before_12',
      // One-time codes an administrator hands over: only their hash is stored, as for tokens.
      q.schema
        .createTable('password_resets')
        .addColumn('code_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', intType(pg), (c) =>
          c.notNull().references('users.id').onDelete('cascade'),
        )
        .addColumn('created_by', intType(pg), (c) => c.notNull())
        .addColumn('created_at', timeType(pg), (c) => c.notNull())
        .addColumn('expires_at', timeType(pg), (c) => c.notNull())
        .addColumn('used_at', timeType(pg)),
      q.schema.createIndex('password_resets_user').on('password_resets').column('user_id'),
      // Append-only (services/auditLog.ts): no route updates or deletes a row; only the retention
      // sweep removes the oldest. Plain integer ids, no foreign keys: an entry outlives anything
      // it names. Listed newest first, by person (actor or target) or kind.
      q.schema
        .createTable('audit_log')
        .addColumn('id', idType(pg), (c) => autoId(c, pg))
        .addColumn('at', timeType(pg), (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('actor_id', intType(pg))
        .addColumn('target_id', intType(pg))
        .addColumn('address', 'text')
        .addColumn('details', 'text', (c) => c.notNull().defaultTo('{}')),
      q.schema.createIndex('audit_log_at').on('audit_log').column('at'),
      q.schema.createIndex('audit_log_actor').on('audit_log').columns(['actor_id', 'id']),
      q.schema.createIndex('audit_log_target').on('audit_log').columns(['target_id', 'id']),
      q.schema.createIndex('audit_log_kind').on('audit_log').columns(['kind', 'id']),
    ],
  },
  {
    version: 13,
    name: 'reactions: several emoji per member per message',
    up: ({ q, pg }) =>
      // The key becomes (message, member, emoji): each emoji once per member. It still leads
      // with the message id, so reading the reactions of a page of messages walks it as before.
      pg
        ? [
            'alter table message_reactions drop constraint message_reactions_pk',
            `alter table message_reactions
               add constraint message_reactions_pk primary key (message_id, user_id, emoji)`,
          ]
        : [
            // SQLite cannot change a primary key in place: the table is copied into a new one.
            q.schema
              .createTable('message_reactions_v13')
              .addColumn('message_id', 'integer', (c) =>
                c.notNull().references('messages.id').onDelete('cascade'),
              )
              .addColumn('user_id', 'integer', (c) =>
                c.notNull().references('users.id').onDelete('cascade'),
              )
              .addColumn('emoji', 'text', (c) => c.notNull())
              .addColumn('created_at', 'text', (c) => c.notNull())
              .addPrimaryKeyConstraint('message_reactions_pk', ['message_id', 'user_id', 'emoji']),
            `insert into message_reactions_v13 (message_id, user_id, emoji, created_at)
               select message_id, user_id, emoji, created_at from message_reactions`,
            q.schema.dropTable('message_reactions'),
            q.schema.alterTable('message_reactions_v13').renameTo('message_reactions'),
          ],
  },
  {
    version: 14,
    name: 'threads: replies beside a channel message, and who follows them; link previews',
    up: ({ q, pg }) => [
      // A thread reply names its root (a plain integer, as reply_to_id: messages are never removed
      // one by one); thread_in_channel is 1 when it was also sent to the channel, and null
      // otherwise. A send that is no thread reply leaves both null, and the partial index holds
      // only thread replies: such a send writes no page more than before.
      q.schema.alterTable('messages').addColumn('thread_root_id', intType(pg)),
      q.schema.alterTable('messages').addColumn('thread_in_channel', intType(pg)),
      `create index messages_thread on messages (thread_root_id, id)
       where thread_root_id is not null`,
      // Who follows a thread (its starter and its repliers, until they unfollow) and how far they
      // have read it. Rows go with their root or their user.
      q.schema
        .createTable('thread_follows')
        .addColumn('root_id', intType(pg), (c) =>
          c.notNull().references('messages.id').onDelete('cascade'),
        )
        .addColumn('user_id', intType(pg), (c) =>
          c.notNull().references('users.id').onDelete('cascade'),
        )
        .addColumn('conversation_id', intType(pg), (c) =>
          c.notNull().references('conversations.id').onDelete('cascade'),
        )
        .addColumn('following', intType(pg), (c) => c.notNull())
        .addColumn('last_read_id', intType(pg), (c) => c.notNull().defaultTo(0))
        .addColumn('updated_at', timeType(pg), (c) => c.notNull())
        .addPrimaryKeyConstraint('thread_follows_pk', ['root_id', 'user_id']),
      q.schema
        .createIndex('thread_follows_user')
        .on('thread_follows')
        .columns(['user_id', 'root_id']),
      // Link previews (also issue 23): one row per URL, shared by every message that links it
      // (the cache), with the page's image fetched by the server. A message names its preview;
      // null when it has none or its sender removed it.
      q.schema
        .createTable('link_previews')
        .addColumn('id', idType(pg), (c) => autoId(c, pg))
        .addColumn('url', 'text', (c) => c.notNull().unique())
        .addColumn('title', 'text')
        .addColumn('description', 'text')
        .addColumn('site_name', 'text')
        .addColumn('image_mime', 'text')
        .addColumn('image_bytes', pg ? 'bytea' : 'blob')
        .addColumn('fetched_at', timeType(pg), (c) => c.notNull()),
      q.schema.alterTable('messages').addColumn('link_preview_id', intType(pg)),
    ],
  },
  {
    version: 15,
    name: 'link previews: removed by the sender, failed reads cached',
    up: ({ q, pg }) => [
      // 1 once the sender removed the message's preview: neither a late unfurl nor an edit brings
      // one back. Null otherwise, so a message that never had one costs nothing.
      q.schema.alterTable('messages').addColumn('link_preview_removed', intType(pg)),
      // When the last read of the URL's page gave nothing (refused, failed, nothing to show);
      // null after a read that did. A failed URL is not read again until a while after it, however
      // many messages link it; a preview it had before stays in use meanwhile.
      q.schema.alterTable('link_previews').addColumn('failed_at', timeType(pg)),
    ],
  },
]

export const SCHEMA_VERSION = migrations.at(-1)?.version ?? 0
