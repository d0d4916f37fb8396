import type { Person } from '../../../src/shared/models'
import { postgresSql } from '../database'
import type { PostgresDatabase } from './postgresDatabase'
import type { PostgresUnitOfWork } from './postgresUnitOfWork'

/**
 * This node's entry in cluster_nodes and its lease: renewed every `heartbeatMs`, marked stopped
 * on a clean shutdown. A node whose lease ran out (it died) or that stopped is cleaned up after
 * by the presence janitor.
 */
export class ClusterNode {
  private timer: NodeJS.Timeout | undefined

  constructor(
    private readonly db: PostgresDatabase,
    readonly id: string,
    private readonly heartbeatMs: number,
    private readonly reportError: (error: unknown) => void,
  ) {}

  async start(): Promise<void> {
    await this.db.runRaw(
      postgresSql(
        `insert into cluster_nodes (node_id) values ($1)
         on conflict (node_id) do update set heartbeat_at = now(), stopped_at = null`,
      ),
      [this.id],
    )
    this.timer = setInterval(() => {
      this.db
        .runRaw(postgresSql('update cluster_nodes set heartbeat_at = now() where node_id = $1'), [
          this.id,
        ])
        .catch(this.reportError)
    }, this.heartbeatMs)
    this.timer.unref()
  }

  async stop(): Promise<void> {
    clearInterval(this.timer)
    await this.db
      .runRaw(postgresSql('update cluster_nodes set stopped_at = now() where node_id = $1'), [
        this.id,
      ])
      .catch(this.reportError)
  }
}

/** Presence rows of nodes that are gone: stopped, or silent for longer than their lease. */
const ORPHANED_PRESENCE = postgresSql(
  `select p.user_id, p.node_id
   from presence_nodes p left join cluster_nodes n on n.node_id = p.node_id
   where n.node_id is null
      or (n.stopped_at is not null and n.stopped_at < now() - make_interval(secs => $1::float8 / 1000))
      or n.heartbeat_at < now() - make_interval(secs => ($1::float8 + $2::float8) / 1000)
   order by p.user_id
   limit 5000`,
)

/** Nodes gone for a day with nothing left of them. */
const FORGET_NODES = postgresSql(
  `delete from cluster_nodes n
   where (n.stopped_at is not null or n.heartbeat_at < now() - interval '1 day')
     and coalesce(n.stopped_at, n.heartbeat_at) < now() - interval '1 day'
     and not exists (select 1 from presence_nodes p where p.node_id = n.node_id)`,
)

/**
 * The presence janitor, a one-owner job: once a node has been gone for longer than the presence
 * grace (after its lease ran out, if it died), its users are taken off it. Each removal is a
 * user_offline that tidings_append keeps only when that was the user's last node, so users who
 * reconnected to another node in the meantime never flap, and the others go offline once.
 */
export async function sweepGoneNodes(
  db: PostgresDatabase,
  unitOfWork: PostgresUnitOfWork,
  personOf: (userId: number) => Promise<Person | undefined>,
  graceMs: number,
  nodeLeaseMs: number,
): Promise<number> {
  const rows = await db.allRaw<{ user_id: number; node_id: string }>(ORPHANED_PRESENCE, [
    graceMs,
    nodeLeaseMs,
  ])
  if (rows.length > 0) {
    const people = new Map<number, Person | undefined>()
    for (const { user_id: userId } of rows) {
      if (!people.has(userId)) people.set(userId, await personOf(userId))
    }
    await unitOfWork.run(async (tx) => {
      for (const { user_id: userId, node_id: nodeId } of rows) {
        const person = people.get(userId)
        const user = person ? { ...person, online: false } : undefined
        // A user removed meanwhile: the row goes, with nothing to announce.
        if (user) tx.presence('user_offline', { user }, userId, nodeId)
        else
          await tx.runRaw(
            postgresSql('delete from presence_nodes where user_id = $1 and node_id = $2'),
            [userId, nodeId],
          )
      }
    })
    await unitOfWork.durable()
  }
  await db.runRaw(FORGET_NODES, [])
  return rows.length
}
