import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { SqliteDatabase } from '../../server/storage/sqlite/sqliteDatabase'

describe('what a 201 or an ack promises', () => {
  it('survives a power loss on SQLite: every commit syncs the WAL (synchronous=FULL)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidings-sync-'))
    const db = new SqliteDatabase(path.join(dir, 'tidings.db'))
    try {
      expect(db.sqlite.pragma('journal_mode', { simple: true })).toBe('wal')
      // 2 is FULL; NORMAL (1) syncs the WAL only at checkpoints, so a power loss could drop
      // commits whose requests were already answered.
      expect(db.sqlite.pragma('synchronous', { simple: true })).toBe(2)
    } finally {
      await db.close()
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
