import BetterSqlite3 from 'better-sqlite3'

/** What undoes each migration from 6 on, newest first (see server/storage/migrations.ts). */
const UNDO: Record<number, string> = {
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
    for (let v = current; v > version; v -= 1) {
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
