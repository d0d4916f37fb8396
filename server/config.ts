import path from 'node:path'
import { Limits } from '../src/shared/limits'
import { resolvePublicHost, type ResolveHost } from './previews/publicAddress'

/** Options of `startServer`; the CLI fills them from flags and environment variables. */
export interface ServerOptions {
  /** TCP port; 0 picks a free one. Default 8000. */
  port?: number
  /** Interface to bind. Default 127.0.0.1. */
  host?: string
  /**
   * The URLs clients reach this server by (`https://chat.example.com`): their host names are
   * the Host headers it answers, besides the loopback names (see http/hostCheck). Default none: a
   * server bound to loopback then answers only its loopback names, one bound elsewhere any name.
   */
  publicUrls?: string[]
  /**
   * Folder of `tidings.db`, `secret.key` and uploaded files. Default ./data. With `databaseUrl`
   * it holds only uploads being received.
   */
  dataDir?: string
  /**
   * A PostgreSQL connection URL (postgres://user:pass@host:5432/db): run as one node of a cluster
   * that shares this database instead of the SQLite file in `dataDir`. Default none.
   */
  databaseUrl?: string
  /**
   * The key that seals stored mail passwords (32 bytes, base64). Required with `databaseUrl`
   * (every node must have the same); with SQLite, `<dataDir>/secret.key` is used (made at first
   * start).
   */
  secretKey?: string
  /** Cluster timings (PostgreSQL only); the defaults suit a production cluster. */
  cluster?: ClusterOptions
  /**
   * Start even when `<dataDir>/tidings.db` is missing or empty beside files an earlier server
   * left (its secret.key, its attachments): a new, empty server. Without it such a start is
   * refused, since the database was most likely lost. SQLite only. Default false.
   */
  init?: boolean
  /**
   * Let mail accounts use IMAP and SMTP servers on loopback, private or link-local addresses (an
   * on-premises mail server). Without it such hosts are refused: members could otherwise make the
   * server probe its own network. Default false.
   */
  allowPrivateMailHosts?: boolean
  /**
   * Addresses of the proxies in front (a load balancer): requests from them are taken to come
   * from the address in their X-Forwarded-For, which rate limits count. Fastify's `trustProxy`
   * forms: true (any proxy), or addresses/CIDR ranges. Default none: behind a proxy, every
   * client would otherwise be the proxy.
   */
  trustProxy?: boolean | string[]
  /** Let anyone register without an invite. Default false. */
  openRegistration?: boolean
  /**
   * How long a user stays online after their last connection closes. Default 15 s: long enough
   * that a network blip, a laptop waking up or a server restart (clients back within their first
   * few backoff retries) does not flap everyone's presence, short enough to read as "just left".
   */
  presenceGraceMs?: number
  /** How long events are kept for resume. Default 30 days. */
  retentionMs?: number
  /**
   * How often the sweep looks for messages older than the admin's retention policy (it also runs
   * at start-up and when the policy changes). Default 1 hour.
   */
  messageRetentionSweepMs?: number
  /**
   * How long audit log entries are kept. Default 365 days; the oldest beyond `auditMaxEntries`
   * go sooner.
   */
  auditRetentionDays?: number
  /** Most audit log entries kept (about 300 bytes each). Default 1,000,000. */
  auditMaxEntries?: number
  /** Protocol ping interval. Default 30 s. */
  heartbeatIntervalMs?: number
  /** How often the search index's background round takes one chunk of new messages. Default 5 s. */
  searchIndexIntervalMs?: number
  /** Login/register attempts per username and address per minute. Default 10. */
  authAttemptsPerMinute?: number
  /**
   * Login and register attempts per address per minute, whatever the usernames (password
   * spraying). IPv6 addresses count by /64. Default 30.
   */
  authAttemptsPerAddress?: number
  /** Login attempts per username per minute, whatever the addresses (distributed guessing). Default 20. */
  loginAttemptsPerUsername?: number
  /** Registrations with a missing or wrong invite code per address per hour. Default 10. */
  inviteFailuresPerHour?: number
  /**
   * Password hashes (scrypt) computed at once; the others wait their turn, fairly between
   * addresses. Default 2: each takes a thread of libuv's pool of 4, which file I/O and DNS share.
   */
  scryptConcurrency?: number
  /** Hashes that may wait for a turn; past that a login or registration is answered 429. Default 100. */
  scryptMaxWaiting?: number
  /** Largest attachment upload, in bytes. Default 25 MiB (Limits.attachmentMaxBytes). */
  attachmentMaxBytes?: number
  /**
   * Bytes of a user's uploads that no message carries yet, at most (413 quota_exceeded past it).
   * Default 100 MiB.
   */
  unsentUploadQuotaBytes?: number
  /**
   * Bytes of all the files a user uploaded, sent or not, at most (413 quota_exceeded past it);
   * 0 for no limit. Default 0.
   */
  userStorageQuotaBytes?: number
  /** Open TCP connections at most; more are dropped as they come. Default 20,000. */
  maxConnections?: number
  /**
   * A new connection's first request head must arrive within this (else it is closed): idle
   * connections and slowloris. Default 10 s.
   */
  headersTimeoutMs?: number
  /** A JSON body must arrive within this of its head (else 408). Default 30 s. */
  bodyTimeoutMs?: number
  /**
   * An upload must arrive within this (else 408), and never pause longer than bodyTimeoutMs.
   * Default 10 minutes (25 MiB at 45 KB/s).
   */
  uploadTimeoutMs?: number
  /** WebSocket connections one user may hold on this node; one more is closed with 4029. Default 20. */
  maxSocketsPerUser?: number
  /**
   * WebSocket upgrades whose token is being checked at once; more are answered 503 server_busy
   * (a reconnect storm on a slow database, or a flood of bogus tokens). Default 1,000.
   */
  maxPendingUpgrades?: number
  /**
   * scrypt's cost N for new password hashes (a power of two). Default 32768; lower it only for
   * tests, where every registration would otherwise cost tens of ms.
   */
  scryptCost?: number
  /** Unfurl the first link of new messages (server-side fetches). Default true. */
  linkPreviews?: boolean
  /**
   * Tests only (no flag reaches it): where link previews may connect. Default the public-address
   * policy (server/previews/publicAddress.ts), which refuses loopback, so tests that serve pages
   * on loopback pass a resolver that lets their own host through.
   */
  linkPreviewResolveHost?: ResolveHost
  /** pino level; default 'info' for the CLI, 'warn' from code. */
  logLevel?: string
  /** Where the JSON log lines go; default standard output. */
  logDestination?: LogDestination
}

export interface ClusterOptions {
  /**
   * How often a node looks for events another node committed when no notification came (a lost
   * LISTEN connection). Default 250 ms.
   */
  pollIntervalMs?: number
  /** How often a node renews its lease (and tries for the one-owner jobs). Default 2 s. */
  heartbeatMs?: number
  /**
   * How long after its last renewal a node counts as dead: its users go offline (after the
   * presence grace) unless they reconnected elsewhere. Default 10 s.
   */
  nodeLeaseMs?: number
  /** Database connections per node. Default 10. */
  poolSize?: number
}

/** Anything pino can write its lines to (a file stream, a pipe, a collector in tests). */
export interface LogDestination {
  write(line: string): unknown
}

export type ResolvedOptions = Required<
  Omit<ServerOptions, 'databaseUrl' | 'secretKey' | 'cluster'>
> &
  Pick<ServerOptions, 'databaseUrl' | 'secretKey'> & { cluster: Required<ClusterOptions> }

const DAY_MS = 24 * 60 * 60 * 1000

export function resolveOptions(options: ServerOptions): ResolvedOptions {
  return {
    port: options.port ?? 8000,
    host: options.host ?? '127.0.0.1',
    publicUrls: options.publicUrls ?? [],
    dataDir: path.resolve(options.dataDir ?? './data'),
    databaseUrl: options.databaseUrl,
    trustProxy: options.trustProxy ?? false,
    secretKey: options.secretKey,
    cluster: {
      pollIntervalMs: options.cluster?.pollIntervalMs ?? 250,
      heartbeatMs: options.cluster?.heartbeatMs ?? 2_000,
      nodeLeaseMs: options.cluster?.nodeLeaseMs ?? 10_000,
      poolSize: options.cluster?.poolSize ?? 10,
    } satisfies Required<ClusterOptions>,
    init: options.init ?? false,
    allowPrivateMailHosts: options.allowPrivateMailHosts ?? false,
    openRegistration: options.openRegistration ?? false,
    presenceGraceMs: options.presenceGraceMs ?? 15_000,
    retentionMs: options.retentionMs ?? 30 * DAY_MS,
    messageRetentionSweepMs: options.messageRetentionSweepMs ?? 60 * 60 * 1000,
    auditRetentionDays: options.auditRetentionDays ?? 365,
    auditMaxEntries: options.auditMaxEntries ?? 1_000_000,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 30_000,
    searchIndexIntervalMs: options.searchIndexIntervalMs ?? 5_000,
    authAttemptsPerMinute: options.authAttemptsPerMinute ?? 10,
    authAttemptsPerAddress: options.authAttemptsPerAddress ?? 30,
    loginAttemptsPerUsername: options.loginAttemptsPerUsername ?? 20,
    inviteFailuresPerHour: options.inviteFailuresPerHour ?? 10,
    scryptConcurrency: options.scryptConcurrency ?? 2,
    scryptMaxWaiting: options.scryptMaxWaiting ?? 100,
    attachmentMaxBytes: options.attachmentMaxBytes ?? Limits.attachmentMaxBytes,
    unsentUploadQuotaBytes: options.unsentUploadQuotaBytes ?? 100 * 1024 * 1024,
    userStorageQuotaBytes: options.userStorageQuotaBytes ?? 0,
    maxConnections: options.maxConnections ?? 20_000,
    headersTimeoutMs: options.headersTimeoutMs ?? 10_000,
    bodyTimeoutMs: options.bodyTimeoutMs ?? 30_000,
    uploadTimeoutMs: options.uploadTimeoutMs ?? 10 * 60_000,
    maxSocketsPerUser: options.maxSocketsPerUser ?? 20,
    maxPendingUpgrades: options.maxPendingUpgrades ?? 1_000,
    scryptCost: options.scryptCost ?? 32768,
    linkPreviews: options.linkPreviews ?? true,
    linkPreviewResolveHost: options.linkPreviewResolveHost ?? resolvePublicHost,
    logLevel: options.logLevel ?? 'warn',
    logDestination: options.logDestination ?? process.stdout,
  }
}
