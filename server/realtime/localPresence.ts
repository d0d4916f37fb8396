import type { Person } from '../../src/shared/models'
import type { SqliteUnitOfWork } from '../storage/sqlite/sqliteUnitOfWork'
import type { PresenceChange, PresenceRecorder } from './presenceTracker'

/** Deliveries (peers summed over users) per round; the rest follow in the next one. */
const ROUND_MAX_RECIPIENTS = 20_000

/**
 * Presence on one node (SQLite): this node's connections are everyone's, so a change of this
 * node is a change of the user's presence. A round of changes is one unit of work, committed at
 * once (rather than one more turn later) so that a thousand users reconnecting together cost one
 * commit and their events reach each peer's socket in one write; each event is stored once, in
 * the user's peer stream (see EventStream). A round stops at ROUND_MAX_RECIPIENTS deliveries so
 * that one never holds the event loop for long.
 */
export class LocalPresenceRecorder implements PresenceRecorder {
  constructor(
    private readonly unitOfWork: SqliteUnitOfWork,
    private readonly personOf: (userId: number) => Promise<Person | undefined>,
  ) {}

  async record(changes: readonly (readonly [number, PresenceChange])[]): Promise<number> {
    let recipients = 0
    let taken = 0
    await this.unitOfWork.run(async (tx) => {
      for (const [userId, change] of changes) {
        if (recipients >= ROUND_MAX_RECIPIENTS) break
        taken += 1
        const person = await this.personOf(userId)
        if (!person) continue
        const user = { ...person, online: change === 'user_online' }
        recipients += tx.toPeers(change, { user }, userId)
      }
    })
    await this.unitOfWork.flush()
    return taken
  }

  async onlineUserIds(here: ReadonlySet<number>): Promise<ReadonlySet<number>> {
    return here
  }
}
