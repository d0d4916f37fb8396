import { randomUUID } from 'node:crypto'
import path from 'node:path'
import type { StorageCore, StorageNeeds } from '../../buildServerContext'
import { periodicJob } from '../../cluster/periodicJob'
import { LiveFeed } from '../../realtime/liveFeed'
import { BrandingSettings } from '../../services/branding'
import { SecretBox } from '../../services/secretBox'
import { DatabaseAttachmentBytes } from '../attachmentBytes'
import { postgresSql } from '../database'
import { ClusterNode, sweepGoneNodes } from './clusterNode'
import { PresenceTracker } from '../../realtime/presenceTracker'
import { ClusterPresenceRecorder } from './clusterPresence'
import { ClusterTyping } from './clusterTyping'
import { EventTailer } from './eventTailer'
import { EVENTS_CHANNEL, NotificationListener, TYPING_CHANNEL } from './notificationListener'
import { PostgresDatabase, createClient, createPool } from './postgresDatabase'
import { PostgresLeases } from './postgresLeases'
import { runPostgresMigrations } from './postgresMigrations'
import { SWEEP_RATE_LIMITS, postgresRateLimitStore } from './rateLimitStore'
import { PostgresUnitOfWork } from './postgresUnitOfWork'

const COMMITTED_MAX = postgresSql('select last_id from event_counter where id = 1')

/** Why a node refuses to start without the shared key. */
export const SECRET_KEY_REQUIRED =
  'With --database-url, every node needs the same key for stored mail passwords: set ' +
  'TIDINGS_SECRET_KEY (32 random bytes, base64: `openssl rand -base64 32`) or --secret-key-file.'

/**
 * One node of a cluster on a shared PostgreSQL database: a pool of connections, the batched
 * unit of work, the tail that delivers every node's events in log order, presence and typing
 * across nodes, and leases for the one-owner jobs. The nodes share nothing else.
 */
export async function openPostgresStorage(needs: StorageNeeds, url: string): Promise<StorageCore> {
  const { options, hub } = needs
  if (!options.secretKey) throw new Error(SECRET_KEY_REQUIRED)
  const box = SecretBox.fromBase64(options.secretKey)
  const { cluster } = options
  const nodeId = randomUUID()
  const connection = {
    url,
    max: cluster.poolSize,
    applicationName: `tidings-${nodeId.slice(0, 8)}`,
  }
  const db = new PostgresDatabase(createPool(connection))
  try {
    await runPostgresMigrations(db)
  } catch (error) {
    await db.close()
    throw error
  }
  const branding = new BrandingSettings(db)
  await branding.load()
  const committedMax = async () =>
    (await db.firstRaw<{ last_id: number }>(COMMITTED_MAX, []))?.last_id ?? 0
  const feed = new LiveFeed(
    hub,
    needs.applyControl,
    committedMax,
    await committedMax(),
    needs.failureOf('applying a control event failed'),
    (events) => needs.metrics.delivered(events),
  )
  const tailer = new EventTailer(
    db,
    feed,
    cluster.pollIntervalMs,
    needs.failureOf('reading the event log failed'),
  )
  // After a commit: this node reads at once, and the others are told to.
  let ringing = false
  let ringAgain = false
  const ring = (): void => {
    if (ringing) {
      ringAgain = true
      return
    }
    ringing = true
    db.pool
      .query('select pg_notify($1, $2)', [EVENTS_CHANNEL, ''])
      .catch(needs.failureOf('notifying the other nodes failed'))
      .finally(() => {
        ringing = false
        if (ringAgain) {
          ringAgain = false
          ring()
        }
      })
  }
  const unitOfWork = new PostgresUnitOfWork(
    db,
    {
      whenDelivered: (lastId, listener) => tailer.whenDelivered(lastId, listener),
      committed: () => {
        tailer.poke()
        ring()
      },
    },
    nodeId,
    needs.metrics,
  )
  const node = new ClusterNode(
    db,
    nodeId,
    cluster.heartbeatMs,
    needs.failureOf('renewing the node lease failed'),
  )
  const presence = new PresenceTracker(
    hub,
    new ClusterPresenceRecorder(unitOfWork, db, needs.personOf),
    options.presenceGraceMs,
    needs.failureOf('recording presence failed'),
  )
  const typing = new ClusterTyping(
    db,
    hub,
    nodeId,
    () => branding.timezone,
    needs.failureOf('passing typing between nodes failed'),
  )
  const listener = new NotificationListener(
    () => createClient(connection, 'listen'),
    { [EVENTS_CHANNEL]: () => tailer.poke(), [TYPING_CHANNEL]: (p) => typing.received(p) },
    () => tailer.poke(),
    needs.failureOf('the LISTEN connection failed'),
  )
  const leases = new PostgresLeases(
    () => createClient(connection, 'leases'),
    cluster.heartbeatMs,
    needs.failureOf('the lease session failed'),
  )
  return {
    db,
    unitOfWork,
    feed,
    presence,
    typing,
    leases,
    box,
    attachmentBytes: new DatabaseAttachmentBytes(path.join(options.dataDir, 'uploads')),
    branding,
    rateLimitStore: postgresRateLimitStore(db),
    nodeId,
    start: async () => {
      await node.start()
      await listener.start()
      tailer.start()
      await leases.start()
      leases.hold(
        'presence-janitor',
        periodicJob(
          cluster.heartbeatMs,
          () =>
            sweepGoneNodes(
              db,
              unitOfWork,
              needs.personOf,
              options.presenceGraceMs,
              cluster.nodeLeaseMs,
            ),
          needs.failureOf('the presence janitor failed'),
        ),
      )
      leases.hold(
        'rate-limit-sweep',
        periodicJob(
          60_000,
          () => db.runRaw(SWEEP_RATE_LIMITS, []),
          needs.failureOf('sweeping rate limits failed'),
        ),
      )
    },
    close: async () => {
      await presence.stop()
      await leases.stop()
      // What the last requests wrote is committed first, unless the database is gone for good.
      await Promise.race([
        unitOfWork.flush().catch(needs.failureOf('the last commit failed')),
        new Promise((resolve) => setTimeout(resolve, 10_000).unref()),
      ])
      await tailer.stop()
      await listener.stop()
      await node.stop()
      await db.close()
    },
  }
}
