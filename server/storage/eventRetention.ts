import type { Database, Queryable } from './database'
import type { UnitOfWork } from './unitOfWork'

const FLOOR_KEY = 'retention_floor'

/**
 * How long events are kept for resume. Pruning deletes the events older than the retention
 * window and raises the floor (the highest id deleted) in the same transaction; a client resuming
 * from below the floor may have missed deleted events and must resync instead. A resume reads its
 * events first and the floor after (see realtime/streamSession): a prune that committed before
 * the read is seen by the floor check, one that commits after it deleted nothing the read needed.
 */
export class EventRetention {
  /** The floor as this node last read or wrote it (on SQLite, the only writer's, always current). */
  private knownFloor = 0

  constructor(
    private readonly db: Database,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  /** Reads the stored floor (start-up). */
  async load(): Promise<number> {
    this.knownFloor = await readRetentionFloor(this.db)
    return this.knownFloor
  }

  /**
   * The current floor. On SQLite this node is the only writer and the value is kept in memory;
   * on PostgreSQL another node may have pruned, so it is read from the database.
   */
  async floor(): Promise<number> {
    if (this.db.dialect === 'postgres') this.knownFloor = await readRetentionFloor(this.db)
    return this.knownFloor
  }

  /**
   * Deletes events created before `olderThanIso` and returns the new floor. One transaction: the
   * deletions and the floor commit together.
   */
  prune(olderThanIso: string): Promise<number> {
    return this.unitOfWork.transaction(async (tx) => {
      const floor = Math.max(await lastIdBefore(tx, olderThanIso), await readRetentionFloor(tx))
      if (floor > 0) {
        await tx.run(tx.q.deleteFrom('event_recipients').where('event_id', '<=', floor))
        await tx.run(tx.q.deleteFrom('events').where('id', '<=', floor))
        // Spans that ended before the oldest remaining event can no longer match any of them.
        await tx.run(tx.q.deleteFrom('conversation_member_spans').where('to_event_id', '<=', floor))
        await tx.run(
          tx.q
            .insertInto('settings')
            .values({ key: FLOOR_KEY, value: String(floor) })
            .onConflict((oc) => oc.column('key').doUpdateSet({ value: String(floor) })),
        )
      }
      this.knownFloor = floor
      return floor
    })
  }
}

/** The highest event id pruned so far, 0 when none. */
export async function readRetentionFloor(db: Queryable): Promise<number> {
  const row = await db.first(
    db.q.selectFrom('settings').select('value').where('key', '=', FLOOR_KEY),
  )
  return Number(row?.value ?? 0)
}

/**
 * The highest id of a row of `table` (events, or messages) created before `iso`, 0 when there is
 * none. Ids are handed out in creation order, so the rows older than an instant are a prefix of
 * the id order, and a binary search over the primary key finds its end in about 30 lookups. An
 * index on created_at would find it in one, but every row written would pay for it (migration 4
 * dropped the events' one; messages never had one). Should the clock step back, the boundary moves
 * by at most that step: pruning is by days.
 */
export async function lastIdBefore(
  db: Queryable,
  iso: string,
  table: 'events' | 'messages' = 'events',
): Promise<number> {
  const newest = await db.first(db.q.selectFrom(table).select((eb) => eb.fn.max('id').as('max')))
  // Invariant: every row with id <= older was created before `iso` (0: none known yet), and
  // none with id >= newer was.
  let older = 0
  let newer = (newest?.max ?? 0) + 1
  while (older + 1 < newer) {
    const middle = Math.floor((older + newer) / 2)
    const row = await db.first(
      db.q
        .selectFrom(table)
        .select(['id', 'created_at'])
        .where('id', '>=', middle)
        .orderBy('id')
        .limit(1),
    )
    if (!row || row.id >= newer || row.created_at >= iso) newer = middle
    else older = row.id
  }
  return older
}
