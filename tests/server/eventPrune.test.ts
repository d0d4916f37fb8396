import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Database } from '../../server/db/database'
import { EventLog } from '../../server/realtime/eventLog'

const HOUR = 3600_000
const START = Date.parse('2026-03-01T00:00:00.000Z')

/**
 * Pruning finds the newest event older than the retention window by a binary search over ids
 * (there is no index on created_at). Checked against the plain query it replaces, on a real
 * SQLite file, with gaps in the ids as rolled-back units and earlier pruning leave them.
 */
describe('EventLog.prune', () => {
  let dir: string
  let db: Database

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidings-prune-'))
    db = new Database(path.join(dir, 'tidings.db'))
    vi.useFakeTimers({ toFake: ['Date'] })
  })
  afterEach(() => {
    vi.useRealTimers()
    db.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  /** One event per hour for `hours` hours, several per hour, then some ids deleted. */
  function fill(log: EventLog, hours: number): void {
    db.transaction(() => {
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

  /** Prunes, notes the floor, and rolls back: the next cutoff sees the same log. */
  function pruneThenUndo(log: EventLog, cutoff: string): number {
    let floor = -1
    const undo = new Error('undo')
    try {
      db.transaction(() => {
        floor = log.prune(cutoff)
        throw undo
      })
    } catch (error) {
      if (error !== undo) throw error
    }
    return floor
  }

  const remainingIds = () =>
    db.sqlite
      .prepare<[], { id: number }>('select id from events order by id')
      .all()
      .map((r) => r.id)

  it('deletes exactly the events created before the cutoff, whatever the cutoff', () => {
    const log = new EventLog(db, () => 'UTC')
    fill(log, 48)
    const all = remainingIds()
    expect(all.length).toBeGreaterThan(60)

    // Every boundary, and instants before the first and after the last event.
    for (let hour = -1; hour <= 49; hour += 1) {
      const cutoff = new Date(START + hour * HOUR + 1500).toISOString()
      const expected = expectedFloor(cutoff)
      expect(pruneThenUndo(log, cutoff), `cutoff ${cutoff}`).toBe(expected)
    }
  })

  it('prunes in steps, each from where the last one stopped, and returns 0 when nothing is old', () => {
    const log = new EventLog(db, () => 'UTC')
    fill(log, 24)
    const all = remainingIds()

    const firstCutoff = new Date(START + 6 * HOUR).toISOString()
    const first = log.prune(firstCutoff)
    expect(first).toBeGreaterThan(0)
    expect(remainingIds()).toEqual(all.filter((id) => id > first))

    const secondCutoff = new Date(START + 12 * HOUR + 500).toISOString()
    const expected = expectedFloor(secondCutoff)
    expect(log.prune(secondCutoff)).toBe(expected)
    expect(remainingIds()).toEqual(all.filter((id) => id > expected))

    expect(log.prune(new Date(START - HOUR).toISOString())).toBe(0)
    expect(remainingIds()).toEqual(all.filter((id) => id > expected))
  })
})
