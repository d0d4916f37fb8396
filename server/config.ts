import path from 'node:path'
import { Limits } from '../src/shared/limits'

/** Options of `startServer`; the CLI fills them from flags and environment variables. */
export interface ServerOptions {
  /** TCP port; 0 picks a free one. Default 8000. */
  port?: number
  /** Interface to bind. Default 127.0.0.1. */
  host?: string
  /** Folder of `tidings.db`. Default ./data. */
  dataDir?: string
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
  /** Protocol ping interval. Default 30 s. */
  heartbeatIntervalMs?: number
  /** Login/register attempts per username and address per minute. Default 10. */
  authAttemptsPerMinute?: number
  /** Largest attachment upload, in bytes. Default 25 MiB (Limits.attachmentMaxBytes). */
  attachmentMaxBytes?: number
  /** pino level; default 'info' for the CLI, 'warn' from code. */
  logLevel?: string
  /** Where the JSON log lines go; default standard output. */
  logDestination?: LogDestination
}

/** Anything pino can write its lines to (a file stream, a pipe, a collector in tests). */
export interface LogDestination {
  write(line: string): unknown
}

export type ResolvedOptions = Required<ServerOptions>

const DAY_MS = 24 * 60 * 60 * 1000

export function resolveOptions(options: ServerOptions): ResolvedOptions {
  return {
    port: options.port ?? 8000,
    host: options.host ?? '127.0.0.1',
    dataDir: path.resolve(options.dataDir ?? './data'),
    openRegistration: options.openRegistration ?? false,
    presenceGraceMs: options.presenceGraceMs ?? 15_000,
    retentionMs: options.retentionMs ?? 30 * DAY_MS,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 30_000,
    authAttemptsPerMinute: options.authAttemptsPerMinute ?? 10,
    attachmentMaxBytes: options.attachmentMaxBytes ?? Limits.attachmentMaxBytes,
    logLevel: options.logLevel ?? 'warn',
    logDestination: options.logDestination ?? process.stdout,
  }
}
