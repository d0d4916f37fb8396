import fs from 'node:fs'
import path from 'node:path'

/** Owner only: every folder the server makes or keeps in its data folder. */
export const PRIVATE_DIR_MODE = 0o700
/** Owner only: every file the server makes in its data folder. */
export const PRIVATE_FILE_MODE = 0o600

export const DATABASE_FILE = 'tidings.db'
const SECRET_KEY_FILE = 'secret.key'
const ATTACHMENTS_DIR = 'attachments'

/**
 * The data folder holds every message, the password hashes and the key of the mail passwords:
 * it is the owner's alone (0700), as is every file in it (0600). A folder made by an earlier
 * version with the usual 0755 and 0644 is tightened at start.
 */
export function makePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE })
  restrict(dir, PRIVATE_DIR_MODE)
}

/** Sets `mode` unless the file already has no more than it (and skips one that is gone). */
export function restrict(file: string, mode: number): void {
  let current: number
  try {
    current = fs.statSync(file).mode & 0o777
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
    throw error
  }
  if ((current & ~mode) !== 0) fs.chmodSync(file, current & mode)
}

/**
 * A folder of files the server keeps (uploads), private: when it was not (made by an earlier
 * version), each file in it is restricted once, then the folder; afterwards only the folder is
 * looked at, so a start does not stat every file of a large store.
 */
export function makePrivateFileDir(dir: string): void {
  let mode: number | undefined
  try {
    mode = fs.statSync(dir).mode & 0o777
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  if (mode === undefined) {
    fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE })
  } else if (mode !== PRIVATE_DIR_MODE) {
    for (const name of fs.readdirSync(dir)) restrict(path.join(dir, name), PRIVATE_FILE_MODE)
  }
  restrict(dir, PRIVATE_DIR_MODE)
}

/**
 * Before SQLite opens `<dataDir>/tidings.db`: the folder is private, the database file exists
 * with mode 0600 (SQLite gives its -wal and -shm files the database file's mode), and files an
 * earlier version left readable are restricted.
 *
 * A database that is missing or empty beside what an earlier server left (its secret.key, its
 * attachments, a WAL) is a lost database, not a new server: starting would make a new one and
 * offer its admin role to whoever registers first. That is refused unless `init` says to begin
 * anew.
 */
export function prepareSqliteFolder(dataDir: string, init: boolean): string {
  makePrivateDir(dataDir)
  const file = path.join(dataDir, DATABASE_FILE)
  const size = sizeOf(file)
  if (!init && (size ?? 0) === 0) {
    const left = leftovers(dataDir)
    if (left.length > 0) {
      throw new LostDatabaseError(
        `${file} is ${size === undefined ? 'missing' : 'empty'}, but ${dataDir} holds ${left.join(' and ')} of an earlier server: restore ${DATABASE_FILE} from a backup, or start with --init to begin a new, empty server (its first registration becomes the admin)`,
      )
    }
  }
  if (size === undefined) fs.closeSync(fs.openSync(file, 'a', PRIVATE_FILE_MODE))
  for (const name of [
    DATABASE_FILE,
    `${DATABASE_FILE}-wal`,
    `${DATABASE_FILE}-shm`,
    SECRET_KEY_FILE,
  ]) {
    restrict(path.join(dataDir, name), PRIVATE_FILE_MODE)
  }
  return file
}

/** Start-up refused: the database was lost (see prepareSqliteFolder). */
export class LostDatabaseError extends Error {
  readonly code = 'TIDINGS_LOST_DATABASE'
}

function sizeOf(file: string): number | undefined {
  try {
    return fs.statSync(file).size
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}

/** What an earlier server leaves beside its database, described for the refusal. */
function leftovers(dataDir: string): string[] {
  const found: string[] = []
  if (fs.existsSync(path.join(dataDir, SECRET_KEY_FILE))) found.push(SECRET_KEY_FILE)
  const attachments = path.join(dataDir, ATTACHMENTS_DIR)
  if (fs.existsSync(attachments) && fs.readdirSync(attachments).some((n) => /^\d+$/.test(n))) {
    found.push('attachments')
  }
  if ((sizeOf(path.join(dataDir, `${DATABASE_FILE}-wal`)) ?? 0) > 0) {
    found.push(`a ${DATABASE_FILE}-wal`)
  }
  return found
}
