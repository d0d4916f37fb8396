import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import * as tar from 'tar'

/**
 * Backup and restore of a SQLite server's data folder as one archive (a gzipped tar):
 *
 *   tidings-backup/manifest.json     what the archive holds, and when it was made
 *   tidings-backup/tidings.db        the database, copied by SQLite's online backup API
 *   tidings-backup/secret.key        the key that seals stored mail passwords
 *   tidings-backup/attachments/<id>  the bytes of every file the copied database names
 *
 * The backup runs beside a running server: SQLite's backup API reads the database in one read
 * transaction, which in WAL mode never blocks the server's writer, and the copy is the database
 * as of one commit. Files are taken after it, and only those its rows name, by hard link where
 * the output is on the same file system (a file the server deletes meanwhile keeps its bytes under
 * the link); a file already deleted by then belonged to a message deleted after the copy began.
 */

export const DATABASE_FILE = 'tidings.db'
export const SECRET_KEY_FILE = 'secret.key'
export const ATTACHMENTS_DIR = 'attachments'
const ROOT = 'tidings-backup'
const MANIFEST = 'manifest.json'
const FORMAT = 1
/** The most pages better-sqlite3 passes to one backup step: all of them. */
const ALL_PAGES = 0x7fffffff

/** What the server expects of its data folder: the owner's alone. */
export const PRIVATE_DIR_MODE = 0o700
export const PRIVATE_FILE_MODE = 0o600

export interface BackupManifest {
  format: number
  created_at: string
  database_bytes: number
  attachments: number
  /** Attachments the copied database names whose files were deleted before they were taken. */
  attachments_missing: number
}

/** A refusal or failure the command reports in one line (exit code 1), not a bug. */
export class DataCommandError extends Error {}

/** Writes the archive of `dataDir` to `file` (whole or not at all); returns its manifest. */
export async function backupSqlite(dataDir: string, file: string): Promise<BackupManifest> {
  const database = path.join(dataDir, DATABASE_FILE)
  if (!fs.existsSync(database)) {
    throw new DataCommandError(`${database} does not exist: nothing to back up.`)
  }
  const target = path.resolve(file)
  const staging = path.join(
    path.dirname(target),
    `.${path.basename(target)}.${randomBytes(6).toString('hex')}`,
  )
  const root = path.join(staging, ROOT)
  fs.mkdirSync(path.join(root, ATTACHMENTS_DIR), { recursive: true, mode: PRIVATE_DIR_MODE })
  const partial = `${staging}.part`
  try {
    const copy = path.join(root, DATABASE_FILE)
    await copyDatabase(database, copy)
    const ids = attachmentIds(copy)
    let missing = 0
    for (const id of ids) {
      if (
        !takeFile(
          path.join(dataDir, ATTACHMENTS_DIR, String(id)),
          path.join(root, ATTACHMENTS_DIR, String(id)),
        )
      ) {
        missing += 1
      }
    }
    const secret = path.join(dataDir, SECRET_KEY_FILE)
    if (fs.existsSync(secret)) fs.copyFileSync(secret, path.join(root, SECRET_KEY_FILE))
    const manifest: BackupManifest = {
      format: FORMAT,
      created_at: new Date().toISOString(),
      database_bytes: fs.statSync(copy).size,
      attachments: ids.length - missing,
      attachments_missing: missing,
    }
    fs.writeFileSync(path.join(root, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`)
    // The archive holds every message and the key: readable by its owner only, from the start.
    fs.closeSync(fs.openSync(partial, 'wx', PRIVATE_FILE_MODE))
    await tar.create({ gzip: true, file: partial, cwd: staging, portable: true }, [ROOT])
    fs.renameSync(partial, target)
    return manifest
  } finally {
    fs.rmSync(staging, { recursive: true, force: true })
    fs.rmSync(partial, { force: true })
  }
}

/**
 * SQLite's online backup into `copy`. better-sqlite3 copies 100 pages a step by default and lets
 * the event loop run between steps; a write by the server between two steps makes SQLite start
 * over, so under a steady load small steps might never finish. The progress callback asks for
 * every page in the next step instead: one read transaction, which in WAL mode the server's
 * writes go on beside, and a copy of the database as of one commit.
 */
async function copyDatabase(database: string, copy: string): Promise<void> {
  const source = new BetterSqlite3(database, { fileMustExist: true })
  try {
    source.pragma('busy_timeout = 5000')
    await source.backup(copy, { progress: () => ALL_PAGES })
  } finally {
    source.close()
  }
  const check = new BetterSqlite3(copy, { fileMustExist: true })
  try {
    const result = check.pragma('quick_check', { simple: true })
    if (result !== 'ok')
      throw new DataCommandError(`The copied database failed its check: ${String(result)}`)
    // One file, not a WAL beside it: the archive holds the database alone.
    check.pragma('journal_mode = DELETE')
  } finally {
    check.close()
  }
}

/** The ids of the attachments a database names (none before migration 9 made the table). */
function attachmentIds(database: string): number[] {
  const db = new BetterSqlite3(database, { readonly: true, fileMustExist: true })
  try {
    const table = db
      .prepare(`select 1 from sqlite_master where type = 'table' and name = 'attachments'`)
      .get()
    if (!table) return []
    return (db.prepare('select id from attachments order by id').all() as { id: number }[]).map(
      (row) => row.id,
    )
  } finally {
    db.close()
  }
}

/** Links (or, across file systems, copies) a stored file; false when it is gone. */
function takeFile(from: string, to: string): boolean {
  try {
    fs.linkSync(from, to)
    return true
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return false
    if (code !== 'EXDEV' && code !== 'EPERM') throw error
  }
  try {
    fs.copyFileSync(from, to)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw error
  }
}

/** What may be in an archive: the layout above and nothing else (no links, no other paths). */
const ENTRY = new RegExp(
  `^${ROOT}/(?:|${MANIFEST}|${DATABASE_FILE}|${SECRET_KEY_FILE}|${ATTACHMENTS_DIR}/|${ATTACHMENTS_DIR}/\\d+)$`,
)

/**
 * Restores an archive into `dataDir`, which must not exist or be empty: a restore never mixes
 * with or replaces a server's data. The archive is unpacked beside the target, checked, given the
 * modes the server expects (folders 0700, files 0600), and only then renamed into place.
 */
export async function restoreSqlite(file: string, dataDir: string): Promise<BackupManifest> {
  const target = path.resolve(dataDir)
  if (fs.existsSync(target) && fs.readdirSync(target).length > 0) {
    throw new DataCommandError(
      `${target} is not empty: restore into a new (or empty) folder, never over a server's data.`,
    )
  }
  if (!fs.existsSync(file)) throw new DataCommandError(`${file} does not exist.`)
  fs.mkdirSync(path.dirname(target), { recursive: true })
  const staging = path.join(
    path.dirname(target),
    `.${path.basename(target)}.restoring-${randomBytes(6).toString('hex')}`,
  )
  fs.mkdirSync(staging, { mode: PRIVATE_DIR_MODE })
  try {
    const refused: string[] = []
    await tar.extract({
      file,
      cwd: staging,
      strict: true,
      // Only plain files and folders of the layout: never a link, a device or another path.
      filter: (entryPath, entry) => {
        const type = 'type' in entry ? entry.type : undefined
        const allowed =
          ENTRY.test(entryPath) && (type === 'File' || type === 'Directory' || type === undefined)
        if (!allowed) refused.push(entryPath)
        return allowed
      },
    })
    if (refused.length > 0) {
      throw new DataCommandError(
        `${file} is not a Tidings backup: it holds ${refused.slice(0, 3).join(', ')}.`,
      )
    }
    const root = path.join(staging, ROOT)
    const manifest = readManifest(root, file)
    const database = path.join(root, DATABASE_FILE)
    if (!fs.existsSync(database)) throw new DataCommandError(`${file} holds no database.`)
    const check = new BetterSqlite3(database, { fileMustExist: true })
    try {
      const result = check.pragma('quick_check', { simple: true })
      if (result !== 'ok') {
        throw new DataCommandError(`The database in ${file} failed its check: ${String(result)}`)
      }
    } finally {
      check.close()
    }
    fs.mkdirSync(path.join(root, ATTACHMENTS_DIR), { recursive: true })
    fs.rmSync(path.join(root, MANIFEST))
    makePrivate(root)
    if (fs.existsSync(target)) fs.rmdirSync(target)
    fs.renameSync(root, target)
    return manifest
  } finally {
    fs.rmSync(staging, { recursive: true, force: true })
  }
}

function readManifest(root: string, file: string): BackupManifest {
  let manifest: BackupManifest
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(root, MANIFEST), 'utf8')) as BackupManifest
  } catch {
    throw new DataCommandError(`${file} is not a Tidings backup (no manifest).`)
  }
  if (manifest.format !== FORMAT) {
    throw new DataCommandError(
      `${file} is a backup of format ${manifest.format}; this server reads ${FORMAT}.`,
    )
  }
  return manifest
}

/** Folders 0700 and files 0600, all the way down. */
function makePrivate(dir: string): void {
  fs.chmodSync(dir, PRIVATE_DIR_MODE)
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const entryPath = path.join(dir, entry.name)
    if (entry.isDirectory()) makePrivate(entryPath)
    else fs.chmodSync(entryPath, PRIVATE_FILE_MODE)
  }
}
