import type { ServerOptions } from './config'

/**
 * The server's limits as command-line flags, each with its environment variable (the flag
 * wins): one table, so that the CLI, its help and its test cannot disagree. docs/security.md
 * describes each.
 */
export interface LimitFlag {
  /** `--<name> <n>` */
  name: string
  env: string
  /** Help text; the default is appended. */
  help: string
  /** The default, as the help shows it. */
  shown: string
  /** 0 is accepted (and means what `help` says). */
  zero?: boolean
  /** Fractions are accepted (sizes in MiB). */
  fraction?: boolean
  apply(value: number): ServerOptions
}

const MIB = 1024 * 1024

export const LIMIT_FLAGS: readonly LimitFlag[] = [
  {
    name: 'auth-attempts-per-minute',
    env: 'TIDINGS_AUTH_ATTEMPTS_PER_MINUTE',
    help: 'login/register attempts per address and username a minute',
    shown: '10',
    apply: (n) => ({ authAttemptsPerMinute: n }),
  },
  {
    name: 'auth-attempts-per-address',
    env: 'TIDINGS_AUTH_ATTEMPTS_PER_ADDRESS',
    help: 'login/register attempts per address a minute, any username',
    shown: '30',
    apply: (n) => ({ authAttemptsPerAddress: n }),
  },
  {
    name: 'login-attempts-per-username',
    env: 'TIDINGS_LOGIN_ATTEMPTS_PER_USERNAME',
    help: 'login attempts per username a minute, any address',
    shown: '20',
    apply: (n) => ({ loginAttemptsPerUsername: n }),
  },
  {
    name: 'invite-failures-per-hour',
    env: 'TIDINGS_INVITE_FAILURES_PER_HOUR',
    help: 'registrations with a missing or wrong invite per address an hour',
    shown: '10',
    apply: (n) => ({ inviteFailuresPerHour: n }),
  },
  {
    name: 'scrypt-concurrency',
    env: 'TIDINGS_SCRYPT_CONCURRENCY',
    help: 'password hashes computed at once (the rest wait, fairly by address)',
    shown: '2',
    apply: (n) => ({ scryptConcurrency: n }),
  },
  {
    name: 'scrypt-max-waiting',
    env: 'TIDINGS_SCRYPT_MAX_WAITING',
    help: 'password hashes that may wait; past that logins are answered 429',
    shown: '100',
    apply: (n) => ({ scryptMaxWaiting: n }),
  },
  {
    name: 'unsent-upload-quota-mb',
    env: 'TIDINGS_UNSENT_UPLOAD_QUOTA_MB',
    help: 'MiB of uploads a user may hold that no message carries yet (413 quota_exceeded)',
    shown: '100',
    fraction: true,
    apply: (n) => ({ unsentUploadQuotaBytes: mib(n) }),
  },
  {
    name: 'user-storage-quota-mb',
    env: 'TIDINGS_USER_STORAGE_QUOTA_MB',
    help: 'MiB of files each user may store, sent or not (413 quota_exceeded); 0: no quota',
    shown: '0',
    zero: true,
    fraction: true,
    apply: (n) => ({ userStorageQuotaBytes: mib(n) }),
  },
  {
    name: 'max-connections',
    env: 'TIDINGS_MAX_CONNECTIONS',
    help: 'open TCP connections at most (HTTP and WebSocket); more are dropped',
    shown: '20000',
    apply: (n) => ({ maxConnections: n }),
  },
  {
    name: 'headers-timeout-s',
    env: 'TIDINGS_HEADERS_TIMEOUT_S',
    help: 'seconds for a connection to send its request head, else it is closed',
    shown: '10',
    apply: (n) => ({ headersTimeoutMs: n * 1000 }),
  },
  {
    name: 'body-timeout-s',
    env: 'TIDINGS_BODY_TIMEOUT_S',
    help: 'seconds for a JSON body to arrive (and longest pause of an upload), else 408',
    shown: '30',
    apply: (n) => ({ bodyTimeoutMs: n * 1000 }),
  },
  {
    name: 'upload-timeout-s',
    env: 'TIDINGS_UPLOAD_TIMEOUT_S',
    help: 'seconds for an attachment upload to arrive, else 408',
    shown: '600',
    apply: (n) => ({ uploadTimeoutMs: n * 1000 }),
  },
  {
    name: 'max-sockets-per-user',
    env: 'TIDINGS_MAX_SOCKETS_PER_USER',
    help: 'WebSocket connections per user and node; one more is closed with 4029',
    shown: '20',
    apply: (n) => ({ maxSocketsPerUser: n }),
  },
  {
    name: 'max-pending-upgrades',
    env: 'TIDINGS_MAX_PENDING_UPGRADES',
    help: 'WebSocket upgrades being authenticated at once; more are answered 503',
    shown: '1000',
    apply: (n) => ({ maxPendingUpgrades: n }),
  },
]

/** `Invalid <what>: <raw>` for a value the flag does not take. */
export class LimitFlagError extends Error {}

/**
 * The options the limit flags and variables give: `values` holds the parsed flags (strings),
 * `env` the environment. Throws LimitFlagError for a value that is not a number the flag takes.
 */
export function limitOptions(
  values: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): ServerOptions {
  const options: ServerOptions = {}
  for (const flag of LIMIT_FLAGS) {
    const fromFlag = values[flag.name]
    const raw = typeof fromFlag === 'string' ? fromFlag : env[flag.env]
    if (raw === undefined || raw === '') continue
    const value = Number(raw)
    const valid =
      /^[0-9]+(\.[0-9]+)?$/.test(raw.trim()) &&
      (flag.fraction || Number.isInteger(value)) &&
      (flag.zero ? value >= 0 : value > 0)
    if (!valid) throw new LimitFlagError(`Invalid --${flag.name}: ${raw}`)
    Object.assign(options, flag.apply(value))
  }
  return options
}

/** The flags for parseArgs. */
export function limitArgs(): Record<string, { type: 'string' }> {
  return Object.fromEntries(LIMIT_FLAGS.map((flag) => [flag.name, { type: 'string' as const }]))
}

/** The help's lines for the limits. */
export function limitHelp(): string {
  const indent = ' '.repeat(25)
  return LIMIT_FLAGS.map(
    (flag) =>
      `  --${flag.name} <n>\n${indent}${flag.help}\n${indent}(default ${flag.shown}, env ${flag.env})`,
  ).join('\n')
}

/** Bytes from MiB (a fraction allowed), for the size flags. */
export const mib = (value: number): number => Math.floor(value * MIB)
