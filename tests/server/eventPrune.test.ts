import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { LiveFeed } from '../../server/realtime/liveFeed'
import { ConnectionHub } from '../../server/realtime/connectionHub'
import {
  EventRetention,
  lastIdBefore,
  readRetentionFloor,
} from '../../server/storage/eventRetention'
import { SqliteDatabase } from '../../server/storage/sqlite/sqliteDatabase'
import { SqliteEventLog } from '../../server/storage/sqlite/sqliteEventLog'
import { runSqliteMigrations } from '../../server/storage/sqlite/sqliteMigrations'
import { SqliteUnitOfWork } from '../../server/storage/sqlite/sqliteUnitOfWork'

const HOUR = 3600_000
const START = Date.parse('2026-03-01T00:00:00.000Z')

/**
 * Pruning finds the newest event older than the retention window by a binary search over ids
 * (there is no index on created_at). Checked against the plain query it replaces, on a real
 * SQLite file, with gaps in the ids as rolled-back units and earlier pruning leave them.
 */
describe('event retention', () => {
  let dir: string
  let db: SqliteDatabase
  let retention: EventRetention

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidings-prune-'))
    db = new SqliteDatabase(path.join(dir, 'tidings.db'))
    runSqliteMigrations(db)
    const log = new SqliteEventLog(db, () => 'UTC')
    const feed = new LiveFeed(
      new ConnectionHub(),
      () => {},
      async () => 0,
      0,
      (error) => {
        throw error
      },
    )
    retention = new EventRetention(db, new SqliteUnitOfWork(db, log, feed))
    vi.useFakeTimers({ toFake: ['Date'] })
  })
  afterEach(async () => {
    vi.useRealTimers()
    await db.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  /** One event per hour for `hours` hours, several per hour, then some ids deleted. */
  function fill(hours: number): void {
    const log = new SqliteEventLog(db, () => 'UTC')
    db.transactionSync(() => {
      for (let hour = 0; hour < hours; hour += 1) {
        for (let n = 0; n < 1 + (hour % 4); n += 1) {
          vi.setSystemTime(START + hour * HOUR + n * 1000)
          log.create(
            'system_notification',
            { kind: 'broadcast', title: 't', body: `${hour}.${n}`, level: 'info' },
            [1],
            true,
          )
        }
      }
    })
    // Holes, as a rolled-back unit leaves (its ids are not reused).
    db.sqlite.prepare('delete from events where id % 7 = 3').run()
  }

  /** What the removed created_at index answered. */
  function expectedFloor(cutoff: string): number {
    const row = db.sqlite
      .prepare<[string], { max: number | null }>(
        'select max(id) as max from events where created_at < ?',
      )
      .get(cutoff)
    return row?.max ?? 0
  }

  const remainingIds = () =>
    db.sqlite
      .prepare<[], { id: number }>('select id from events order by id')
      .all()
      .map((r) => r.id)

  it('finds exactly the events created before the cutoff, whatever the cutoff', async () => {
    fill(48)
    expect(remainingIds().length).toBeGreaterThan(60)

    // Every boundary, and instants before the first and after the last event.
    for (let hour = -1; hour <= 49; hour += 1) {
      const cutoff = new Date(START + hour * HOUR + 1500).toISOString()
      expect(await lastIdBefore(db, cutoff), `cutoff ${cutoff}`).toBe(expectedFloor(cutoff))
    }
  })

  it('prunes in steps, each from where the last one stopped, and never lowers the floor', async () => {
    fill(24)
    const all = remainingIds()

    const firstCutoff = new Date(START + 6 * HOUR).toISOString()
    const first = await retention.prune(firstCutoff)
    expect(first).toBeGreaterThan(0)
    expect(remainingIds()).toEqual(all.filter((id) => id > first))
    expect(await retention.floor()).toBe(first)

    const secondCutoff = new Date(START + 12 * HOUR + 500).toISOString()
    const expected = expectedFloor(secondCutoff)
    expect(await retention.prune(secondCutoff)).toBe(expected)
    expect(remainingIds()).toEqual(all.filter((id) => id > expected))

    // Nothing older than an instant before every event: nothing deleted, the floor stays.
    expect(await retention.prune(new Date(START - HOUR).toISOString())).toBe(expected)
    expect(remainingIds()).toEqual(all.filter((id) => id > expected))
    // Stored: a server started on this file reads the same floor.
    expect(await readRetentionFloor(db)).toBe(expected)
  })
})
