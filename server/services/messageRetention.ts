import type { Message, RetentionPolicy } from '../../src/shared/models'
import { nowIso } from '../clock'
import type { Database, Queryable } from '../storage/database'
import { lastIdBefore } from '../storage/eventRetention'
import type { Tx, UnitOfWork } from '../storage/unitOfWork'
import { selectMessages, toMessage } from './messageRows'

const SETTING_KEY = 'message_retention_days'
const DAY_MS = 24 * 60 * 60 * 1000

/**
 * Messages removed per unit of work. Each batch is one short transaction (on SQLite it shares the
 * event-loop turn's, on PostgreSQL it is one of the batches under the event-order lock) and the
 * sweep lets the event loop and other writers in between batches, so a first sweep over years of
 * history never holds the database for long.
 */
export const RETENTION_BATCH = 500

/** What the sweep is told to do besides removing rows: files and the search index. */
export interface RetentionHooks {
  /** Inside the batch's unit: the search index forgets these messages. */
  unindex(tx: Tx, messageIds: readonly number[]): Promise<void>
  /** Inside the batch's unit: the bytes of these attachments go once it commits (not before). */
  releaseFiles(attachmentIds: readonly number[]): void
}

/**
 * The organization's message retention: how many days messages (with their reactions, files and
 * search entries) are kept after they were sent; forever by default. The setting lives in the
 * settings table and is read from the database when needed (another node may have changed it).
 * The sweep runs where its lease is held (once per cluster) and removes what is older in batches,
 * each with a message_deleted event (`expired: true`) to the conversation's members, so that every
 * client removes the messages it shows. Pinned conversations are not exempt: retention is the
 * organization's rule, not a member's preference.
 */
export class MessageRetention {
  constructor(
    private readonly db: Database,
    private readonly unitOfWork: UnitOfWork,
    private readonly hooks: RetentionHooks,
  ) {}

  async get(db: Queryable = this.db): Promise<RetentionPolicy> {
    const row = await db.first(
      db.q.selectFrom('settings').select('value').where('key', '=', SETTING_KEY),
    )
    const days = row ? Number(row.value) : NaN
    return { message_retention_days: Number.isInteger(days) && days > 0 ? days : null }
  }

  /**
   * Stores a new policy in `tx`; returns the previous one (for the audit trail). Every node is
   * told (a control event), so the node that runs the sweep applies it at once.
   */
  async set(tx: Tx, policy: RetentionPolicy): Promise<RetentionPolicy> {
    const previous = await this.get(tx)
    const days = policy.message_retention_days
    if (days === null) {
      await tx.run(tx.q.deleteFrom('settings').where('key', '=', SETTING_KEY))
    } else {
      await tx.run(
        tx.q
          .insertInto('settings')
          .values({ key: SETTING_KEY, value: String(days) })
          .onConflict((oc) => oc.column('key').doUpdateSet({ value: String(days) })),
      )
    }
    tx.events.control({ kind: 'message_retention_changed' })
    return previous
  }

  /** The instant before which messages expire under the stored policy; undefined: never. */
  async cutoff(now = Date.now()): Promise<string | undefined> {
    const { message_retention_days: days } = await this.get()
    return days === null ? undefined : new Date(now - days * DAY_MS).toISOString()
  }

  /**
   * Removes every message sent before the cutoff, RETENTION_BATCH at a time; returns how many.
   * `stopped` is asked between batches (the server is closing, the lease was lost).
   */
  async sweep(stopped: () => boolean = () => false): Promise<number> {
    const cutoff = await this.cutoff()
    if (cutoff === undefined) return 0
    let removed = 0
    // The boundary is found once: messages sent after it started are younger than the cutoff.
    const boundary = await lastIdBefore(this.db, cutoff, 'messages')
    while (!stopped()) {
      const count = await this.unitOfWork.run((tx) => this.removeBatch(tx, boundary, cutoff))
      removed += count
      if (count < RETENTION_BATCH) break
      // The batch commits, and sends and reads get their turn, before the next one starts.
      await this.unitOfWork.durable()
      await new Promise((resolve) => setImmediate(resolve))
    }
    return removed
  }

  private async removeBatch(tx: Tx, boundary: number, cutoff: string): Promise<number> {
    // By primary key up to the boundary; created_at is checked too, for a clock that stepped back.
    const rows = await tx.all(
      selectMessages(tx.q)
        .where('m.id', '<=', boundary)
        .where('m.created_at', '<', cutoff)
        .orderBy('m.id')
        .limit(RETENTION_BATCH),
    )
    if (rows.length === 0) return 0
    const ids = rows.map((row) => row.id)
    await this.hooks.unindex(tx, ids)
    await tx.run(tx.q.deleteFrom('message_reactions').where('message_id', 'in', ids))
    await tx.run(tx.q.deleteFrom('external_messages').where('message_id', 'in', ids))
    const files = await tx.all(
      tx.q.deleteFrom('attachments').where('message_id', 'in', ids).returning('id'),
    )
    // What this unit removed: a node sweeping at the same moment (each sweeps once at start-up)
    // waits on these rows and then finds them gone, so no message is announced twice.
    const gone = new Set(
      (await tx.all(tx.q.deleteFrom('messages').where('id', 'in', ids).returning('id'))).map(
        (row) => row.id,
      ),
    )
    if (files.length > 0) this.hooks.releaseFiles(files.map((file) => file.id))
    const deletedAt = nowIso()
    for (const row of rows) {
      if (!gone.has(row.id)) continue
      // What is left to say of it: who sent it when, nothing of what it said or carried.
      const message: Message = {
        ...toMessage(row),
        text: '',
        deleted_at: deletedAt,
        reply_to: null,
      }
      tx.events.toConversation(
        'message_deleted',
        {
          conversation_id: message.conversation_id,
          message_id: message.id,
          message,
          expired: true,
        },
        message.conversation_id,
      )
    }
    return rows.length
  }
}
