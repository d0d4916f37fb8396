import '../src/shared/nodeVersionGuard' // first: Node 24 or a clear refusal, before native code loads
import { parseArgs } from 'node:util'
import { startServer } from './startServer'

/**
 * `npm run server -- --port 8000 --host 127.0.0.1 --data-dir ./data`. Every flag has an
 * environment variable (TIDINGS_PORT, TIDINGS_HOST, TIDINGS_DATA_DIR, TIDINGS_OPEN_REGISTRATION,
 * TIDINGS_LOG_LEVEL, TIDINGS_ATTACHMENT_MAX_MB, …); flags win.
 */
const HELP = `Usage: npm run server -- [options]
  --port <n>             TCP port (default 8000, env TIDINGS_PORT; 0 picks a free port)
  --host <addr>          interface to bind (default 127.0.0.1, env TIDINGS_HOST)
  --data-dir <dir>       folder of tidings.db (default ./data, env TIDINGS_DATA_DIR)
  --open-registration    anyone may register without an invite (env TIDINGS_OPEN_REGISTRATION=1)
  --retention-days <n>   days of events kept for resume (default 30, env TIDINGS_RETENTION_DAYS)
  --attachment-max-mb <n>  largest attachment upload in MiB (default 25, env TIDINGS_ATTACHMENT_MAX_MB)
  --log-level <level>    fatal|error|warn|info|debug|trace|silent (default info, env TIDINGS_LOG_LEVEL)
  --help                 show this help`

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']

/** Bad usage: the reason and the help on stderr, exit code 2 (no stack trace). */
function usageError(reason: string): never {
  console.error(`${reason}\n\n${HELP}`)
  process.exit(2)
}

let parsed
try {
  parsed = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      'open-registration': { type: 'boolean' },
      'retention-days': { type: 'string' },
      'attachment-max-mb': { type: 'string' },
      'log-level': { type: 'string' },
      help: { type: 'boolean' },
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
const dataDir = values['data-dir'] ?? env.TIDINGS_DATA_DIR ?? './data'

let server
try {
  server = await startServer({
    port: port ?? 8000,
    host,
    dataDir,
    openRegistration:
      values['open-registration'] ?? ['1', 'true'].includes(env.TIDINGS_OPEN_REGISTRATION ?? ''),
    ...(retentionDays !== undefined ? { retentionMs: retentionDays * 86_400_000 } : {}),
    ...(attachmentMaxMb !== undefined
      ? { attachmentMaxBytes: Math.floor(attachmentMaxMb * 1024 * 1024) }
      : {}),
    logLevel,
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
console.log(`Tidings server listening on ${server.url} (data in ${server.dataDir})`)

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
