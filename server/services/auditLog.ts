import type { AuditDetails, AuditKind } from '../../src/shared/audit'
import { Limits } from '../../src/shared/limits'
import type { AuditEntry, AuditPage } from '../../src/shared/models'
import { nowIso } from '../clock'
import type { Database, Queryable } from '../storage/database'
import type { UnitOfWork } from '../storage/unitOfWork'
import { userRef } from './userRef'

/** What is recorded: a kind, who did it, to whom, from where, and what else to know. */
export interface AuditRecord {
  kind: AuditKind
  /** The user who did it; null when nobody known (a sign-in attempt with an unknown username). */
  actorId: number | null
  /** The user it concerns, when that is not the actor alone. */
  targetId?: number | null
  /**
   * The client's address as the server sees it: `request.ip`, which honours --trust-proxy (the
   * address in X-Forwarded-For when the request came through a trusted load balancer).
   */
  address: string | null
  details?: AuditDetails
}

/** Which entries a page or an export takes. */
export interface AuditFilter {
  /** Entries by or about this user (actor or target). */
  user_id?: number
  kind?: AuditKind
}

/**
 * How the log is kept from growing without end: entries older than `maxAgeMs` go, and beyond
 * `maxEntries` the oldest go too (a flood of failed sign-ins from many addresses, each within
 * the sign-in rate limits, cannot fill the disk).
 */
export interface AuditRetention {
  maxAgeMs: number
  maxEntries: number
}

/** Entries read per query while an export streams. */
const EXPORT_CHUNK = 1000

/**
 * The audit log: what administrators did and what happened to accounts' security, appended in
 * the same transaction as the change it records (so an entry exists exactly when its change
 * does), never edited, and deleted only by the retention sweep (`prune`). Other services and
 * routes call `append` with their transaction:
 *
 *   await ctx.audit.append(tx, { kind: 'retention_changed', ...auditOrigin(request), details })
 */
export class AuditLog {
  constructor(
    private readonly db: Database,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  /** Appends an entry inside `tx`: it commits with the change it records, or not at all. */
  async append(tx: Queryable, record: AuditRecord): Promise<void> {
    await tx.run(
      tx.q.insertInto('audit_log').values({
        at: nowIso(),
        kind: record.kind,
        actor_id: record.actorId,
        target_id: record.targetId ?? null,
        address: record.address,
        details: JSON.stringify(record.details ?? {}),
      }),
    )
  }

  /** Appends an entry that goes with no change of its own (a failed sign-in). */
  appendAlone(record: AuditRecord): Promise<void> {
    return this.unitOfWork.transaction((tx) => this.append(tx, record))
  }

  /** A page of entries, newest first, older than the entry `before` when given. */
  async page(
    filter: AuditFilter,
    before?: number,
    limit: number = Limits.auditPageSize,
  ): Promise<AuditPage> {
    const entries = await this.read(this.db, filter, before, limit + 1)
    const more = entries.length > limit
    const page = more ? entries.slice(0, limit) : entries
    return { entries: page, next_before: more ? (page.at(-1)?.id ?? null) : null }
  }

  /** Every entry the filter takes, newest first, read a chunk at a time (for a CSV export). */
  async *entries(filter: AuditFilter): AsyncGenerator<AuditEntry> {
    let before: number | undefined
    for (;;) {
      const chunk = await this.read(this.db, filter, before, EXPORT_CHUNK)
      yield* chunk
      if (chunk.length < EXPORT_CHUNK) return
      before = chunk.at(-1)!.id
    }
  }

  /**
   * Deletes what retention lets go (see AuditRetention), and the password reset codes that were
   * used or expired more than a day before. Returns how many entries went.
   */
  prune(retention: AuditRetention, now = Date.now()): Promise<number> {
    return this.unitOfWork.transaction(async (tx) => {
      const cutoff = new Date(now - retention.maxAgeMs).toISOString()
      let removed = await tx.run(tx.q.deleteFrom('audit_log').where('at', '<', cutoff))
      const oldestKept = await tx.first(
        tx.q
          .selectFrom('audit_log')
          .select('id')
          .orderBy('id', 'desc')
          .limit(1)
          .offset(retention.maxEntries - 1),
      )
      if (oldestKept) {
        removed += await tx.run(tx.q.deleteFrom('audit_log').where('id', '<', oldestKept.id))
      }
      const dayAgo = new Date(now - 24 * 3600_000).toISOString()
      await tx.run(
        tx.q
          .deleteFrom('password_resets')
          .where((eb) => eb.or([eb('used_at', '<', dayAgo), eb('expires_at', '<', dayAgo)])),
      )
      return removed
    })
  }

  private async read(
    db: Queryable,
    filter: AuditFilter,
    before: number | undefined,
    limit: number,
  ): Promise<AuditEntry[]> {
    let query = db.q
      .selectFrom('audit_log as a')
      .leftJoin('users as actor', 'actor.id', 'a.actor_id')
      .leftJoin('users as target', 'target.id', 'a.target_id')
      .select([
        'a.id',
        'a.at',
        'a.kind',
        'a.actor_id',
        'a.target_id',
        'a.address',
        'a.details',
        'actor.username as actor_username',
        'actor.display_name as actor_display_name',
        'target.username as target_username',
        'target.display_name as target_display_name',
      ])
      .orderBy('a.id', 'desc')
      .limit(limit)
    if (before !== undefined) query = query.where('a.id', '<', before)
    if (filter.kind !== undefined) query = query.where('a.kind', '=', filter.kind)
    const userId = filter.user_id
    if (userId !== undefined) {
      query = query.where((eb) =>
        eb.or([eb('a.actor_id', '=', userId), eb('a.target_id', '=', userId)]),
      )
    }
    const rows = await db.all(query)
    return rows.map((row) => ({
      id: row.id,
      at: row.at,
      kind: row.kind as AuditKind,
      actor: userRef(row.actor_id, row.actor_username, row.actor_display_name),
      target: userRef(row.target_id, row.target_username, row.target_display_name),
      address: row.address,
      details: JSON.parse(row.details) as AuditDetails,
    }))
  }
}
