import BetterSqlite3 from 'better-sqlite3'
import { migrations } from '../../server/storage/migrations'

/** What undoes each migration from 6 on, newest first (see server/storage/migrations.ts). */
const UNDO: Record<number, string> = {
  15: `alter table link_previews drop column failed_at;
       alter table messages drop column link_preview_removed`,
  14: `drop table link_previews; alter table messages drop column link_preview_id;
       drop table thread_follows; drop index messages_thread;
       alter table messages drop column thread_in_channel;
       alter table messages drop column thread_root_id`,
  // Back to one reaction per member and message: the earliest of each member's stays.
  13: `create table message_reactions_v8 (
         message_id integer not null references messages (id) on delete cascade,
         user_id integer not null references users (id) on delete cascade,
         emoji text not null, created_at text not null,
         constraint message_reactions_pk primary key (message_id, user_id));
       insert or ignore into message_reactions_v8
         select message_id, user_id, emoji, created_at from message_reactions
         order by created_at;
       drop table message_reactions;
       alter table message_reactions_v8 rename to message_reactions`,
  12: `drop table audit_log;
       drop table password_resets;
       create table invites_v11 (code_hash text primary key,
         created_by integer not null references users (id), created_at text not null,
         expires_at text not null, used_by integer references users (id), used_at text);
       insert into invites_v11 select code_hash, created_by, created_at, expires_at, used_by, used_at
         from invites;
       drop table invites;
       alter table invites_v11 rename to invites;
       alter table users drop column deactivated_at;
       alter table users drop column last_seen_at`,
  11: 'drop index attachments_uploader',
  10: 'drop index conversations_direct_pair; alter table conversations drop column direct_pair',
  9: 'drop table attachments',
  8: 'drop table message_reactions',
  7: 'alter table messages drop column reply_to_id',
  // Migration 5's index: each text as written, tokenized by unicode61 alone (empty, as after 5).
  6: `drop table message_search;
      create virtual table message_search using fts5(text, tokenize='unicode61 remove_diacritics 2')`,
}

/**
 * Turns a SQLite file of the current schema back into one that a server of schema `version` left
 * (its rows kept), for tests of the upgrade path. `extra` runs last, before the version is set.
 */
export function rewindSqliteSchema(file: string, version: number, extra = ''): void {
  const db = new BetterSqlite3(file)
  try {
    const current = db.pragma('user_version', { simple: true }) as number
    // The versions that exist, newest first: numbers are assigned per feature, so they may skip.
    const undone = migrations
      .map((m) => m.version)
      .filter((v) => v > version && v <= current)
      .sort((a, b) => b - a)
    for (const v of undone) {
      const undo = UNDO[v]
      if (undo === undefined) throw new Error(`No undo for migration ${v}`)
      db.exec(undo)
    }
    if (extra) db.exec(extra)
    db.pragma(`user_version = ${version}`)
  } finally {
    db.close()
  }
}
