import { parseArgs } from 'node:util'
import { startServer } from './startServer'

/**
 * `npm run server -- --port 8000 --host 127.0.0.1 --data-dir ./data`. Every flag has an
 * environment variable (TIDINGS_PORT, TIDINGS_HOST, TIDINGS_DATA_DIR, TIDINGS_OPEN_REGISTRATION,
 * TIDINGS_LOG_LEVEL); flags win.
 */
const HELP = `Usage: npm run server -- [options]
  --port <n>             TCP port (default 8000, env TIDINGS_PORT; 0 picks a free port)
  --host <addr>          interface to bind (default 127.0.0.1, env TIDINGS_HOST)
  --data-dir <dir>       folder of tidings.db (default ./data, env TIDINGS_DATA_DIR)
  --open-registration    anyone may register without an invite (env TIDINGS_OPEN_REGISTRATION=1)
  --retention-days <n>   days of events kept for resume (default 30, env TIDINGS_RETENTION_DAYS)
  --log-level <level>    fatal|error|warn|info|debug (default info, env TIDINGS_LOG_LEVEL)
  --help                 show this help`

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    'data-dir': { type: 'string' },
    'open-registration': { type: 'boolean' },
    'retention-days': { type: 'string' },
    'log-level': { type: 'string' },
    help: { type: 'boolean' },
  },
})

if (values.help) {
  console.log(HELP)
  process.exit(0)
}

const env = process.env
const number = (raw: string | undefined, name: string): number | undefined => {
  if (raw === undefined || raw === '') return undefined
  const value = Number(raw)
  if (!Number.isFinite(value) || value < 0) {
    console.error(`Invalid ${name}: ${raw}\n\n${HELP}`)
    process.exit(2)
  }
  return value
}

const retentionDays = number(
  values['retention-days'] ?? env.TIDINGS_RETENTION_DAYS,
  'retention days',
)
const server = await startServer({
  port: number(values.port ?? env.TIDINGS_PORT, 'port') ?? 8000,
  host: values.host ?? env.TIDINGS_HOST ?? '127.0.0.1',
  dataDir: values['data-dir'] ?? env.TIDINGS_DATA_DIR ?? './data',
  openRegistration:
    values['open-registration'] ?? ['1', 'true'].includes(env.TIDINGS_OPEN_REGISTRATION ?? ''),
  ...(retentionDays !== undefined ? { retentionMs: retentionDays * 86_400_000 } : {}),
  logLevel: values['log-level'] ?? env.TIDINGS_LOG_LEVEL ?? 'info',
})
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
