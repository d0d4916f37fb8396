import '../src/shared/nodeVersionGuard' // first: Node 24 or a clear refusal, before native code loads
import fs from 'node:fs'
import { parseArgs } from 'node:util'
import { DATA_COMMANDS_HELP, isDataCommand, runDataCommand } from './backup/dataCommands'
import { limitArgs, limitHelp, limitOptions } from './limitFlags'

/**
 * `npm run server -- --port 8000 --host 127.0.0.1 --data-dir ./data`. Every flag has an
 * environment variable (TIDINGS_PORT, TIDINGS_HOST, TIDINGS_DATA_DIR, TIDINGS_OPEN_REGISTRATION,
 * TIDINGS_LOG_LEVEL, TIDINGS_ATTACHMENT_MAX_MB, …); flags win.
 */
const HELP = `Usage: npm run server -- [options]
${DATA_COMMANDS_HELP}

Options:
  --port <n>             TCP port (default 8000, env TIDINGS_PORT; 0 picks a free port)
  --host <addr>          interface to bind (default 127.0.0.1, env TIDINGS_HOST)
  --public-url <url>     a URL clients reach this server by (https://chat.example.com); repeat
                         for several. Only their host names (and the loopback ones) are
                         answered; without it a server bound to loopback answers only loopback
                         names, one bound elsewhere any name (env TIDINGS_PUBLIC_URL, comma-
                         separated)
  --data-dir <dir>       folder of tidings.db (default ./data, env TIDINGS_DATA_DIR)
  --database-url <url>   run as a node of a cluster on PostgreSQL 15+ instead of SQLite:
                         postgres://user:pass@host:5432/db (env TIDINGS_DATABASE_URL)
  --trust-proxy <list>   addresses or CIDR ranges of the load balancers in front, whose
                         X-Forwarded-For names the client (env TIDINGS_TRUST_PROXY)
  --secret-key-file <f>  the key that seals stored mail passwords, 32 bytes base64; required
                         with --database-url, the same on every node (env TIDINGS_SECRET_KEY
                         holds the key itself)
  --init                 start a new, empty server even though the data folder holds files of
                         an earlier one (secret.key, attachments) beside a missing or empty
                         tidings.db; without it such a start is refused (a lost database)
  --open-registration    anyone may register without an invite (env TIDINGS_OPEN_REGISTRATION=1)
  --allow-private-mail-hosts
                         let mail accounts use IMAP/SMTP servers on loopback, private or
                         link-local addresses (an on-premises mail server); refused without it
                         (env TIDINGS_ALLOW_PRIVATE_MAIL_HOSTS=1)
  --no-link-previews     never fetch the pages that messages link to (env TIDINGS_LINK_PREVIEWS=0)
  --retention-days <n>   days of events kept for resume (default 30, env TIDINGS_RETENTION_DAYS)
  --attachment-max-mb <n>  largest attachment upload in MiB (default 25, env TIDINGS_ATTACHMENT_MAX_MB)
  --log-level <level>    fatal|error|warn|info|debug|trace|silent (default info, env TIDINGS_LOG_LEVEL)
  --help                 show this help

Limits (see docs/security.md):
${limitHelp()}

Tuning (environment only): TIDINGS_PRESENCE_GRACE_MS (default 15000), and with --database-url
TIDINGS_CLUSTER_POLL_MS (250), TIDINGS_CLUSTER_HEARTBEAT_MS (2000), TIDINGS_CLUSTER_LEASE_MS
(10000), TIDINGS_CLUSTER_POOL_SIZE (10); see docs/deploy.md.`

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']

/** Bad usage: the reason and the help on stderr, exit code 2 (no stack trace). */
function usageError(reason: string): never {
  console.error(`${reason}\n\n${HELP}`)
  process.exit(2)
}

// `backup <file>` and `restore <file>` are commands of their own; anything else starts the server.
const command = process.argv[2]
if (isDataCommand(command)) {
  process.exit(await runDataCommand(command, process.argv.slice(3), process.env))
}

let parsed
try {
  parsed = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'public-url': { type: 'string', multiple: true },
      'data-dir': { type: 'string' },
      'database-url': { type: 'string' },
      'secret-key-file': { type: 'string' },
      init: { type: 'boolean' },
      'trust-proxy': { type: 'string' },
      'open-registration': { type: 'boolean' },
      'allow-private-mail-hosts': { type: 'boolean' },
      'no-link-previews': { type: 'boolean' },
      'retention-days': { type: 'string' },
      'attachment-max-mb': { type: 'string' },
      'log-level': { type: 'string' },
      help: { type: 'boolean' },
      ...limitArgs(),
    },
  })
} catch (error) {
  usageError((error as Error).message)
}
const { values } = parsed

if (values.help) {
  console.log(HELP)
  process.exit(0)
}

const env = process.env
const number = (
  raw: string | undefined,
  name: string,
  valid: (value: number) => boolean,
): number | undefined => {
  if (raw === undefined || raw === '') return undefined
  const value = Number(raw)
  if (!valid(value)) usageError(`Invalid ${name}: ${raw}`)
  return value
}

const port = number(
  values.port ?? env.TIDINGS_PORT,
  'port',
  (value) => Number.isInteger(value) && value >= 0 && value <= 65_535,
)
const retentionDays = number(
  values['retention-days'] ?? env.TIDINGS_RETENTION_DAYS,
  'retention days',
  (value) => Number.isFinite(value) && value >= 0,
)
const attachmentMaxMb = number(
  values['attachment-max-mb'] ?? env.TIDINGS_ATTACHMENT_MAX_MB,
  'attachment size limit',
  (value) => Number.isFinite(value) && value > 0,
)
const logLevel = values['log-level'] ?? env.TIDINGS_LOG_LEVEL ?? 'info'
if (!LOG_LEVELS.includes(logLevel)) usageError(`Invalid log level: ${logLevel}`)
const host = values.host ?? env.TIDINGS_HOST ?? '127.0.0.1'
const publicUrls =
  values['public-url'] ??
  (env.TIDINGS_PUBLIC_URL ?? '')
    .split(',')
    .map((url) => url.trim())
    .filter((url) => url !== '')
for (const url of publicUrls) {
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    usageError(`Invalid public URL: ${url} (http:// or https://)`)
  }
}
const dataDir = values['data-dir'] ?? env.TIDINGS_DATA_DIR ?? './data'
const databaseUrl = values['database-url'] ?? (env.TIDINGS_DATABASE_URL || undefined)
if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
  usageError(`Invalid database URL: ${databaseUrl} (postgres://user:pass@host:5432/db)`)
}
let secretKey: string | undefined
const keyFile = values['secret-key-file']
if (keyFile !== undefined) {
  try {
    secretKey = fs.readFileSync(keyFile, 'utf8').trim()
  } catch (error) {
    usageError(`Cannot read the secret key file: ${(error as Error).message}`)
  }
} else {
  secretKey = env.TIDINGS_SECRET_KEY || undefined
}
let limits
try {
  limits = limitOptions(values, env)
} catch (error) {
  usageError((error as Error).message)
}
const trustProxyList = values['trust-proxy'] ?? env.TIDINGS_TRUST_PROXY
const trustProxy = trustProxyList
  ? trustProxyList
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '')
  : undefined
const positive = (name: string) =>
  number(env[name], name, (value) => Number.isInteger(value) && value > 0)
const presenceGraceMs = number(
  env.TIDINGS_PRESENCE_GRACE_MS,
  'TIDINGS_PRESENCE_GRACE_MS',
  (value) => Number.isInteger(value) && value >= 0,
)
const cluster = {
  pollIntervalMs: positive('TIDINGS_CLUSTER_POLL_MS'),
  heartbeatMs: positive('TIDINGS_CLUSTER_HEARTBEAT_MS'),
  nodeLeaseMs: positive('TIDINGS_CLUSTER_LEASE_MS'),
  poolSize: positive('TIDINGS_CLUSTER_POOL_SIZE'),
}
if (databaseUrl !== undefined && secretKey === undefined) {
  const { SECRET_KEY_REQUIRED } = await import('./storage/postgres/postgresStorage')
  console.error(`Tidings server could not start: ${SECRET_KEY_REQUIRED}`)
  process.exit(1)
}

// Loaded once the arguments are known to be good: a usage error or --help answers at once,
// without loading the whole server (Fastify, the storage engines, native modules).
const { startServer } = await import('./startServer')
let server
try {
  server = await startServer({
    port: port ?? 8000,
    host,
    publicUrls,
    dataDir,
    ...(databaseUrl !== undefined ? { databaseUrl, secretKey, cluster } : {}),
    ...(presenceGraceMs !== undefined ? { presenceGraceMs } : {}),
    init: values.init ?? false,
    allowPrivateMailHosts:
      values['allow-private-mail-hosts'] ??
      ['1', 'true'].includes(env.TIDINGS_ALLOW_PRIVATE_MAIL_HOSTS ?? ''),
    ...(trustProxy ? { trustProxy } : {}),
    openRegistration:
      values['open-registration'] ?? ['1', 'true'].includes(env.TIDINGS_OPEN_REGISTRATION ?? ''),
    linkPreviews: !(
      values['no-link-previews'] ?? ['0', 'false'].includes(env.TIDINGS_LINK_PREVIEWS ?? '')
    ),
    ...(retentionDays !== undefined ? { retentionMs: retentionDays * 86_400_000 } : {}),
    ...(attachmentMaxMb !== undefined
      ? { attachmentMaxBytes: Math.floor(attachmentMaxMb * 1024 * 1024) }
      : {}),
    logLevel,
    ...limits,
  })
} catch (error) {
  // Start-up fails on the machine, not in the code: one line that says what to change.
  const { code, message } = error as NodeJS.ErrnoException
  const reason =
    code === 'EADDRINUSE'
      ? `port ${port ?? 8000} on ${host} is already in use`
      : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
        ? `permission denied (${message})`
        : message
  console.error(`Tidings server could not start: ${reason}`)
  process.exit(1)
}
console.log(
  databaseUrl === undefined
    ? `Tidings server listening on ${server.url} (data in ${server.dataDir})`
    : `Tidings server listening on ${server.url} (PostgreSQL ${redacted(databaseUrl)})`,
)

/** A connection URL without its password, for the log. */
function redacted(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    return parsed.toString()
  } catch {
    return 'database'
  }
}

let stopping = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return
    stopping = true
    console.log(`${signal}: shutting down`)
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error)
        process.exit(1)
      },
    )
  })
}
