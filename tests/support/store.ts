import fs from 'node:fs'
import path from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import pg from 'pg'
import { databaseNameFor, databaseUrl, onPostgres } from './testDatabase'

/**
 * Direct access to a test server's storage, on whichever engine the tests run: its SQLite file,
 * or its database on the test PostgreSQL. For checks of what is stored (a deletion removed the
 * rows, a password is sealed) and for breaking the store on purpose. Statements use `?`
 * placeholders and SQL both engines understand.
 */
export interface TestStore {
  all<T>(sql: string, ...params: unknown[]): Promise<T[]>
  exec(sql: string): Promise<void>
  close(): Promise<void>
}

export async function openStore(dataDir: string): Promise<TestStore> {
  if (onPostgres) {
    const client = new pg.Client({
      connectionString: databaseUrl(databaseNameFor(dataDir)),
      // 64-bit integers (ids, counts) as numbers, as the server reads them.
      types: {
        getTypeParser: ((oid: number, format?: string) =>
          oid === pg.types.builtins.INT8
            ? (value: string) => Number(value)
            : pg.types.getTypeParser(
                oid,
                format as 'text',
              )) as pg.CustomTypesConfig['getTypeParser'],
      },
    })
    await client.connect()
    return {
      async all<T>(sql: string, ...params: unknown[]) {
        let n = 0
        const text = sql.replace(/\?/g, () => `$${++n}`)
        return (await client.query(text, params)).rows as T[]
      },
      async exec(sql: string) {
        await client.query(sql)
      },
      close: () => client.end(),
    }
  }
  const file = new BetterSqlite3(path.join(dataDir, 'tidings.db'))
  file.pragma('busy_timeout = 5000')
  return {
    async all<T>(sql: string, ...params: unknown[]) {
      const statement = file.prepare(sql)
      if (statement.reader) return statement.all(...params) as T[]
      statement.run(...params)
      return []
    },
    async exec(sql: string) {
      file.exec(sql)
    },
    async close() {
      file.close()
    },
  }
}

/** Where a test server keeps uploads being received (temporary files named upload-…). */
export function uploadsBeingReceived(dataDir: string): string[] {
  const dir = path.join(dataDir, onPostgres ? 'uploads' : 'attachments')
  if (!fs.existsSync(dir)) return []
  return fs.readdirSync(dir).filter((name) => name.startsWith('upload-'))
}

/**
 * The stored bytes of attachment `id` (a file beside the SQLite database, or the rows of
 * attachment_chunks on PostgreSQL), or undefined when none are stored.
 */
export async function storedAttachmentBytes(
  dataDir: string,
  id: number,
): Promise<Buffer | undefined> {
  if (!onPostgres) {
    const file = path.join(dataDir, 'attachments', String(id))
    return fs.existsSync(file) ? fs.readFileSync(file) : undefined
  }
  const store = await openStore(dataDir)
  try {
    const rows = await store.all<{ data: Buffer }>(
      'select data from attachment_chunks where attachment_id = ? order by seq',
      id,
    )
    return rows.length === 0 ? undefined : Buffer.concat(rows.map((row) => row.data))
  } finally {
    await store.close()
  }
}
