import type { FastifyRateLimitStoreCtor } from '@fastify/rate-limit'
import { LocalLeases, type Leases } from './cluster/leases'
import type { ResolvedOptions } from './config'
import type { ServerContext } from './context'
import { Integrations, type IntegrationLog } from './email/integrations'
import { ConnectionHub } from './realtime/connectionHub'
import { applyControl, type ControlTargets } from './realtime/controlEvents'
import { LiveFeed } from './realtime/liveFeed'
import { createMetrics, type ServerMetrics } from './observability/metrics'
import { LocalPresenceRecorder } from './realtime/localPresence'
import { PresenceTracker } from './realtime/presenceTracker'
import type { Presence } from './realtime/presence'
import { LocalTypingRelay, type TypingRelay } from './realtime/typingRelay'
import type { Person } from '../src/shared/models'
import { Accounts } from './services/accounts'
import { Attachments } from './services/attachments'
import { AuditLog } from './services/auditLog'
import { FairPool } from './services/fairPool'
import { PasswordHasher } from './services/passwords'
import { BrandingSettings } from './services/branding'
import { Conversations } from './services/conversations'
import { DataExport } from './services/dataExport'
import { Invites } from './services/invites'
import { LastSeen } from './services/lastSeen'
import { MessageIndex } from './services/messageIndex'
import { MessageRetention } from './services/messageRetention'
import { MessageSearch } from './services/messageSearch'
import { Messages } from './services/messages'
import { PasswordResets } from './services/passwordResets'
import { Reactions } from './services/reactions'
import { Threads } from './services/threads'
import { LinkPreviews } from './services/linkPreviews'
import { SecretBox } from './services/secretBox'
import { UserAdministration } from './services/userAdministration'
import { FolderAttachmentBytes, type AttachmentBytes } from './storage/attachmentBytes'
import type { Database } from './storage/database'
import type { ControlEvent } from './storage/eventSink'
import { makePrivateDir, prepareSqliteFolder } from './storage/dataFolder'
import { EventReader } from './storage/eventReader'
import { StorageHealth } from './storage/storageHealth'
import { nowIso } from './clock'
import { EventRetention, readRetentionFloor } from './storage/eventRetention'
import { openPostgresStorage } from './storage/postgres/postgresStorage'
import { SqliteDatabase } from './storage/sqlite/sqliteDatabase'
import { SqliteEventLog } from './storage/sqlite/sqliteEventLog'
import { runSqliteMigrations } from './storage/sqlite/sqliteMigrations'
import { SqliteUnitOfWork } from './storage/sqlite/sqliteUnitOfWork'
import type { UnitOfWork } from './storage/unitOfWork'

/** A URL's preview is read again from its page after a day. */
const LINK_PREVIEW_CACHE_MS = 24 * 60 * 60 * 1000
/**
 * A URL whose page gave no preview is not read again for an hour: a link pasted into many
 * messages (or a page that is down) costs one fetch an hour, not one per message.
 */
const LINK_PREVIEW_FAILURE_CACHE_MS = 60 * 60 * 1000

/** The server's logger (pino), as the services write to it. */
export interface ServerLog extends IntegrationLog {
  error(details: object, message: string): void
}

/** The services over a database, wired, and what startServer schedules and stops for them. */
export interface ServerServices {
  ctx: ServerContext
  /** The rate limiter's store (undefined: the plugin's own, in memory). */
  rateLimitStore: FastifyRateLimitStoreCtor | undefined
  /** The search index; startServer feeds it in the background. */
  messageIndex: MessageIndex
  /** Names the job that sweeps expired messages, which a change of the policy runs at once. */
  setRetentionSweep(job: { runNow(): void }): void
  /** Starts what runs in the background for the storage (a cluster's tail, leases, presence). */
  start(): Promise<void>
  /** Stops it, and closes the database once what was written is committed. */
  close(): Promise<void>
}

/**
 * What each storage engine provides for the services: the database, units of work and their
 * delivery, presence, typing, the one-owner jobs and where the bytes of files go.
 */
export interface StorageCore {
  db: Database
  unitOfWork: UnitOfWork
  feed: LiveFeed
  presence: Presence
  typing: TypingRelay
  leases: Leases
  box: SecretBox
  attachmentBytes: AttachmentBytes
  /** Loaded: every event's envelope carries the timezone. */
  branding: BrandingSettings
  /** Where attempt counters live: shared by a cluster's nodes; in memory on one node. */
  rateLimitStore?: FastifyRateLimitStoreCtor
  /** This node's id in a cluster (cluster_nodes); none on one node. */
  nodeId?: string
  start(): Promise<void>
  close(): Promise<void>
}

/** What an engine needs from the rest of the server to build its core. */
export interface StorageNeeds {
  options: ResolvedOptions
  hub: ConnectionHub
  /** Applies a control event to this node (the services it changes are wired after the core). */
  applyControl: (control: ControlEvent) => void
  /** A user as presence announces them. */
  personOf: (userId: number) => Promise<Person | undefined>
  metrics: ServerMetrics
  /** Where a background part's failures go: the server's log, under `what` failed. */
  failureOf(what: string): (error: unknown) => void
}

/**
 * Opens the database (SQLite in `options.dataDir`, or PostgreSQL at `options.databaseUrl`) and
 * wires every service a route may use, in one place, so that a test needing a Fastify instance
 * of its own (tests/server/handshakeRevocation.test.ts) gets exactly the server's graph. Starts
 * no timer and opens no port: startServer does that.
 */
export async function buildServerContext(
  options: ResolvedOptions,
  log: ServerLog,
): Promise<ServerServices> {
  makePrivateDir(options.dataDir)
  const hub = new ConnectionHub()
  const failureOf = (what: string) => (error: unknown) => log.error({ err: error }, what)
  const reportError = failureOf('applying a control event failed')
  // The services that control events change are built after the storage core, which delivers
  // them: the applier reads them from here once they exist.
  const targets: Partial<ControlTargets> = { hub, reportError }
  const late: { accounts?: Accounts; feed?: LiveFeed } = {}
  const hashingPool = new FairPool(options.scryptConcurrency, options.scryptMaxWaiting)
  const metrics = createMetrics(
    () => hub.size,
    {
      events: async () =>
        late.feed ? Math.max(0, (await late.feed.committedMax()) - late.feed.watermark) : 0,
    },
    { engine: options.databaseUrl ? 'postgres' : 'sqlite' },
    () => hashingPool.waiting,
  )
  const needs: StorageNeeds = {
    options,
    hub,
    applyControl: (control) => applyControl(targets as ControlTargets, control),
    personOf: async (userId) => {
      const user = await late.accounts?.getUser(userId)
      return user && { ...user, online: true }
    },
    metrics,
    failureOf,
  }
  const core = options.databaseUrl
    ? await openPostgresStorage(needs, options.databaseUrl)
    : await openSqliteStorage(needs)
  const { db, unitOfWork, branding } = core
  late.feed = core.feed

  const audit = new AuditLog(db, unitOfWork)
  const hasher = new PasswordHasher({ N: options.scryptCost, r: 8, p: 1 }, hashingPool, () =>
    metrics.passwordHashed(),
  )
  const accounts = new Accounts(db, unitOfWork, audit, options.openRegistration, hasher)
  late.accounts = accounts
  const conversations = new Conversations(db)
  const messages = new Messages(db, conversations)
  const messageIndex = new MessageIndex(db, unitOfWork)
  messages.onChange((tx, message) => messageIndex.changed(tx, message))
  const search = new MessageSearch(db, messageIndex, conversations)
  const reactions = new Reactions(conversations, messages)
  const threads = new Threads(db, conversations, messages)
  const linkPreviews = new LinkPreviews(
    db,
    unitOfWork,
    conversations,
    messages,
    {
      enabled: options.linkPreviews,
      resolveHost: options.linkPreviewResolveHost,
      cacheMs: LINK_PREVIEW_CACHE_MS,
      failureCacheMs: LINK_PREVIEW_FAILURE_CACHE_MS,
    },
    failureOf('a link preview failed'),
  )
  messages.onSent((message) => linkPreviews.sent(message))
  messages.onTextEdited((tx, before, text) => linkPreviews.edited(tx, before, text))
  const retention = new EventRetention(db, unitOfWork)
  await retention.load()
  const attachments = new Attachments(db, core.attachmentBytes, conversations, unitOfWork, {
    maxBytes: options.attachmentMaxBytes,
    deadlines: { totalMs: options.uploadTimeoutMs, idleMs: options.bodyTimeoutMs },
    unsentQuotaBytes: options.unsentUploadQuotaBytes,
    storageQuotaBytes: options.userStorageQuotaBytes,
  })
  attachments.prepare()
  messages.onAttachmentsReleased((_tx, ids) => attachments.removeWhenCommitted(ids))
  const messageRetention = new MessageRetention(db, unitOfWork, {
    unindex: (tx, ids) => messageIndex.removed(tx, ids),
    releaseFiles: (ids) => attachments.removeWhenCommitted(ids),
  })
  const integrations = new Integrations(
    {
      db,
      unitOfWork,
      conversations,
      messages,
      box: core.box,
      leases: core.leases,
      log,
    },
    { allowPrivateMailHosts: options.allowPrivateMailHosts },
  )
  Object.assign(targets, { accounts, branding, integrations })

  // A settings row rewritten and committed: what /healthz tries while the storage is full.
  const storage = new StorageHealth(async () => {
    const now = nowIso()
    await unitOfWork.transaction((tx) =>
      tx.run(
        tx.q
          .insertInto('settings')
          .values({ key: 'storage_probe', value: now })
          .onConflict((oc) => oc.column('key').doUpdateSet({ value: now })),
      ),
    )
    await unitOfWork.durable()
  })

  const ctx: ServerContext = {
    options,
    db,
    unitOfWork,
    feed: core.feed,
    eventReader: new EventReader(db),
    retention,
    messageRetention,
    accounts,
    audit,
    invites: new Invites(db, unitOfWork, audit),
    passwordResets: new PasswordResets(db, unitOfWork, hasher, audit),
    userAdministration: new UserAdministration(db, unitOfWork, accounts, audit),
    lastSeen: new LastSeen(unitOfWork, failureOf('recording when users were last seen failed')),
    branding,
    conversations,
    messages,
    reactions,
    threads,
    linkPreviews,
    attachments,
    search,
    dataExport: new DataExport(db, conversations, attachments),
    contacts: integrations.contacts,
    integrations,
    hub,
    presence: core.presence,
    typing: core.typing,
    leases: core.leases,
    metrics,
    storage,
    nodeId: core.nodeId,
  }
  return {
    ctx,
    rateLimitStore: core.rateLimitStore,
    messageIndex,
    setRetentionSweep: (job) => (targets.retentionSweep = job),
    start: () => core.start(),
    close: async () => {
      await linkPreviews.idle()
      await core.close()
    },
  }
}

/** The embedded engine: one SQLite file, one writer, every lease this node's. */
async function openSqliteStorage(needs: StorageNeeds): Promise<StorageCore> {
  const { options, hub } = needs
  const db = new SqliteDatabase(prepareSqliteFolder(options.dataDir, options.init))
  runSqliteMigrations(db)
  const branding = new BrandingSettings(db)
  await branding.load()
  const floor = await readRetentionFloor(db)
  // Ids continue above the retention floor, so a fully pruned log never hands out old ids again.
  const log = new SqliteEventLog(db, () => branding.timezone, floor)
  // One node: every committed event is delivered when its batch commits.
  const feed: LiveFeed = new LiveFeed(
    hub,
    needs.applyControl,
    async () => feed.watermark,
    log.latestId,
    needs.failureOf('applying a control event failed'),
    (events) => needs.metrics.delivered(events),
  )
  const unitOfWork = new SqliteUnitOfWork(db, log, feed, needs.metrics)
  const presence = new PresenceTracker(
    hub,
    new LocalPresenceRecorder(unitOfWork, needs.personOf),
    options.presenceGraceMs,
    needs.failureOf('recording presence failed'),
  )
  const leases = new LocalLeases()
  return {
    db,
    unitOfWork,
    feed,
    presence,
    typing: new LocalTypingRelay(db, hub, () => branding.timezone),
    leases,
    box: SecretBox.open(options.dataDir),
    attachmentBytes: new FolderAttachmentBytes(options.dataDir),
    branding,
    start: async () => {},
    close: async () => {
      await presence.stop()
      await leases.stop()
      // Whatever the last requests wrote is committed before the database closes.
      await unitOfWork.flush()
      await db.close()
    },
  }
}
