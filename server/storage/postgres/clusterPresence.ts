import type { Person } from '../../../src/shared/models'
import type { PresenceChange, PresenceRecorder } from '../../realtime/presenceTracker'
import { postgresSql } from '../database'
import type { PostgresDatabase } from './postgresDatabase'
import type { PostgresUnitOfWork } from './postgresUnitOfWork'

/** Users per round; the rest follow in the next one. */
const ROUND_MAX_USERS = 2000

/**
 * Presence on one node of a cluster. The node records whose connections it holds in
 * presence_nodes; a user is online while any node holds them. Each change of this node goes
 * with a user_online or user_offline that the database keeps only when it changes the user's
 * presence cluster-wide (tidings_append decides, under the event-order lock, so two nodes never
 * both announce one change). A node that stops or dies leaves its rows; once it has been gone
 * for the grace period the janitor takes its users off it (sweepGoneNodes), so those who came
 * back on another node in the meantime never flap.
 */
export class ClusterPresenceRecorder implements PresenceRecorder {
  constructor(
    private readonly unitOfWork: PostgresUnitOfWork,
    private readonly db: PostgresDatabase,
    private readonly personOf: (userId: number) => Promise<Person | undefined>,
  ) {}

  async record(changes: readonly (readonly [number, PresenceChange])[]): Promise<number> {
    const round = changes.slice(0, ROUND_MAX_USERS)
    const people = await Promise.all(round.map(([userId]) => this.personOf(userId)))
    await this.unitOfWork.run(async (tx) => {
      round.forEach(([userId, change], i) => {
        const person = people[i]
        if (person)
          tx.presence(change, { user: { ...person, online: change === 'user_online' } }, userId)
      })
    })
    await this.unitOfWork.flush()
    return round.length
  }

  async onlineUserIds(): Promise<ReadonlySet<number>> {
    const rows = await this.db.allRaw<{ user_id: number }>(
      postgresSql('select distinct user_id from presence_nodes'),
      [],
    )
    return new Set(rows.map((row) => row.user_id))
  }
}
