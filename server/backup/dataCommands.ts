import { parseArgs } from 'node:util'

export const DATA_COMMANDS = ['backup', 'restore'] as const
export type DataCommand = (typeof DATA_COMMANDS)[number]

export const DATA_COMMANDS_HELP = `  npm run server -- backup <file> --data-dir <dir>
                         a consistent copy of a SQLite server's data (the database, taken with
                         SQLite's online backup API while the server runs, the attachments and
                         the secret key) into one archive (.tar.gz), readable by its owner only
  npm run server -- restore <file> --data-dir <dir>
                         unpacks such an archive into a new or empty data folder (refused when
                         the folder holds anything), folders 0700 and files 0600; then start the
                         server on it. With PostgreSQL use pg_dump and pg_restore (docs/deploy.md)`

const POSTGRES_REFUSAL =
  'backup and restore are for a SQLite server. With PostgreSQL (--database-url) the database, ' +
  'attachments included, is backed up with pg_dump and restored with pg_restore, and the ' +
  'secret key is kept with it: see docs/deploy.md.'

export function isDataCommand(value: string | undefined): value is DataCommand {
  return (DATA_COMMANDS as readonly (string | undefined)[]).includes(value)
}

/**
 * `backup <file>` and `restore <file>`, each with `--data-dir <dir>` (or TIDINGS_DATA_DIR).
 * Returns the exit code: 0 done, 1 refused or failed (one line saying why), 2 bad usage.
 */
export async function runDataCommand(
  command: DataCommand,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        'data-dir': { type: 'string' },
        'database-url': { type: 'string' },
        help: { type: 'boolean' },
      },
    })
  } catch (error) {
    return usage((error as Error).message)
  }
  const { values, positionals } = parsed
  if (values.help) {
    console.log(`Usage:\n${DATA_COMMANDS_HELP}`)
    return 0
  }
  if (values['database-url'] ?? (env.TIDINGS_DATABASE_URL || undefined)) {
    console.error(`Tidings ${command}: ${POSTGRES_REFUSAL}`)
    return 2
  }
  if (positionals.length !== 1) {
    return usage(`${command} takes one archive file (${positionals.length} given)`)
  }
  const file = positionals[0]!
  const dataDir = values['data-dir'] ?? env.TIDINGS_DATA_DIR
  if (!dataDir) return usage(`${command} needs --data-dir <dir>`)
  // Loaded only for a command that will run: the server's CLI imports this module for its help.
  const { backupSqlite, DataCommandError, restoreSqlite } = await import('./sqliteBackup')
  try {
    if (command === 'backup') {
      const manifest = await backupSqlite(dataDir, file)
      const missing =
        manifest.attachments_missing > 0
          ? ` (${manifest.attachments_missing} deleted while the backup ran were left out)`
          : ''
      console.log(
        `Backed up ${dataDir} to ${file}: the database (${manifest.database_bytes} bytes), ` +
          `${manifest.attachments} attachments${missing} and the secret key.`,
      )
    } else {
      const manifest = await restoreSqlite(file, dataDir)
      console.log(
        `Restored ${file} (made ${manifest.created_at}) into ${dataDir}: start the server with ` +
          `--data-dir ${dataDir}.`,
      )
    }
    return 0
  } catch (error) {
    if (!(error instanceof DataCommandError)) {
      const { code, message } = error as NodeJS.ErrnoException
      console.error(`Tidings ${command} failed: ${code ? `${code}: ` : ''}${message}`)
      return 1
    }
    console.error(`Tidings ${command} refused: ${error.message}`)
    return 1
  }
}

function usage(reason: string): number {
  console.error(`${reason}\n\nUsage:\n${DATA_COMMANDS_HELP}`)
  return 2
}
