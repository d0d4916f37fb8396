import path from 'node:path'
import pg from 'pg'
import { appendEventsAndCommit, pendingEvent } from '../../server/storage/postgres/eventAppender'
import { SqliteDatabase } from '../../server/storage/sqlite/sqliteDatabase'
import { SqliteEventLog } from '../../server/storage/sqlite/sqliteEventLog'
import type { TestServer } from './serverHarness'
import { databaseNameFor, databaseUrl, onPostgres } from './testDatabase'

/**
 * Stores `count` system notifications for one user through the server's own event log, while the
 * server is down (it is started again after): sending this many through the API would take
 * minutes, and the stream is the same either way. On PostgreSQL they are appended as a batch of
 * the server's own is (tidings_append).
 */
export async function storeNotificationsWhileDown(
  harness: TestServer,
  userId: number,
  count: number,
  body = '',
): Promise<void> {
  await harness.close()
  const data = (i: number) => ({ kind: 'broadcast', title: `n${i}`, body, level: 'info' }) as const
  if (onPostgres) {
    const client = new pg.Client({
      connectionString: databaseUrl(databaseNameFor(harness.dataDir)),
    })
    await client.connect()
    try {
      const chunk = 5_000
      for (let from = 0; from < count; from += chunk) {
        const events = Array.from({ length: Math.min(chunk, count - from) }, (_, k) =>
          pendingEvent('system_notification', data(from + k), { kind: 'direct' }, [userId]),
        )
        await client.query('BEGIN')
        await appendEventsAndCommit(client, events, [])
      }
    } finally {
      await client.end()
    }
  } else {
    const db = new SqliteDatabase(path.join(harness.dataDir, 'tidings.db'))
    const log = new SqliteEventLog(db, () => 'UTC')
    db.transactionSync(() => {
      for (let i = 0; i < count; i++) log.create('system_notification', data(i), [userId], true)
    })
    await db.close()
  }
  await harness.start()
}
