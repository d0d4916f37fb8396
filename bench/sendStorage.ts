import '../src/shared/nodeVersionGuard' // first: Node 24 or a clear refusal, before native code loads
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { SqliteDatabase } from '../server/storage/sqlite/sqliteDatabase'
import { SqliteEventLog } from '../server/storage/sqlite/sqliteEventLog'
import { runSqliteMigrations } from '../server/storage/sqlite/sqliteMigrations'
import { SqliteUnitOfWork } from '../server/storage/sqlite/sqliteUnitOfWork'
import { Conversations } from '../server/services/conversations'
import { Messages } from '../server/services/messages'
import { seedDatabase } from './seedDatabase'

/**
 * `npm run bench:storage`: what storing a message costs, without sockets. The server's own
 * Messages.send runs in its UnitOfWork on a real SQLite file seeded like the load bench (10,000
 * users, 1,000 conversations of 10, sends rotating over three members of each), committed one,
 * two or four messages per batch. Reports CPU per message (all threads, and the main thread's
 * user and system time: system time is mostly the commit's WAL writes) and how many pages a commit
 * appends to the WAL, by table or index. Delivery is replaced by a counter: this is the storage
 * half of a send, the half the socket fan-out does not share with the raw ws relay.
 */
const USERS = 10_000
const ROOMS = 1_000
const ROOM_SIZE = 10
const WARM_UP = 20_000
const MEASURED = 30_000

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidings-storage-'))
const file = path.join(dir, 'tidings.db')
const db = new SqliteDatabase(file)
// `--synchronous normal` measures what the server's FULL costs (one fsync per commit) against
// syncing the WAL only at checkpoints.
const synchronousArg = process.argv.indexOf('--synchronous')
if (synchronousArg !== -1)
  db.sqlite.pragma(
    `synchronous = ${process.argv[synchronousArg + 1] === 'normal' ? 'NORMAL' : 'FULL'}`,
  )
runSqliteMigrations(db)
seed()
const conversations = new Conversations(db)
const messages = new Messages(db, conversations)
let delivered = 0
const unitOfWork = new SqliteUnitOfWork(db, new SqliteEventLog(db, () => 'UTC'), {
  deliverAll: (events) => void (delivered += events.length),
})

const TEXT = 'x'.repeat(40)
let seq = 0

/** `count` sends, then the commit (as a turn of the event loop with that many would do). */
async function batch(count: number): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    seq += 1
    const conversationId = 1 + ((seq * 7919) % ROOMS)
    const senderId = (conversationId - 1) * ROOM_SIZE + 1 + (seq % 3)
    await unitOfWork.run((tx) =>
      messages.send(
        tx,
        { id: senderId, display_name: `User ${senderId}` },
        conversationId,
        `${TEXT}#${seq}`,
        `b:s:${seq}:${Date.now()}`,
      ),
    )
  }
  await unitOfWork.flush()
}

for (let i = 0; i < WARM_UP; i += 1) await batch(1)
console.log(
  `storage per message (${USERS} users, ${ROOMS} conversations of ${ROOM_SIZE}, synchronous=${String(db.sqlite.pragma('synchronous', { simple: true })) === '1' ? 'NORMAL' : 'FULL'}):`,
)
for (const perBatch of [1, 2, 4]) {
  const all = process.cpuUsage()
  const main = process.threadCpuUsage()
  const started = performance.now()
  for (let i = 0; i < MEASURED / perBatch; i += 1) await batch(perBatch)
  const wallMs = performance.now() - started
  const allUsed = process.cpuUsage(all)
  const mainUsed = process.threadCpuUsage(main)
  const us = (micros: number) => (micros / MEASURED).toFixed(1)
  // Wall time as well as CPU: a commit's fsync (synchronous=FULL) is time spent waiting on the
  // disk, which CPU time does not show.
  console.log(
    `  ${perBatch} per commit: ${us(allUsed.user + allUsed.system)} µs CPU (main thread: user ${us(mainUsed.user)}, system ${us(mainUsed.system)}), ${((wallMs * 1000) / MEASURED).toFixed(1)} µs wall, ${Math.round((MEASURED / perBatch / wallMs) * 1000)} commits/s`,
  )
}

// Pages per commit, read off the WAL itself: stop the background checkpointer, empty the WAL, and
// count the frames the next commits append.
await db.stopCheckpointer()
db.sqlite.pragma('wal_autocheckpoint = 0')
const wal = `${file}-wal`
const FRAME = 24 + (db.sqlite.pragma('page_size', { simple: true }) as number)
for (const perBatch of [1, 4]) {
  db.sqlite.pragma('wal_checkpoint(TRUNCATE)')
  const commits = 500
  for (let i = 0; i < commits; i += 1) await batch(perBatch)
  const frames = (fs.statSync(wal).size - 32) / FRAME
  console.log(
    `  ${perBatch} per commit: ${(frames / commits).toFixed(2)} WAL pages per commit, ${(frames / commits / perBatch).toFixed(2)} per message`,
  )
}
db.sqlite.pragma('wal_checkpoint(TRUNCATE)')
await batch(1)
const walBytes = fs.readFileSync(wal)
const owner = db.sqlite.prepare<[number], { name: string }>(
  'select name from dbstat where pageno = ?',
)
const pages: string[] = []
for (let offset = 32; offset + FRAME <= walBytes.length; offset += FRAME) {
  const page = walBytes.readUInt32BE(offset)
  pages.push(owner.get(page)?.name ?? `page ${page}`)
}
console.log(`  one single-message commit wrote: ${pages.join(', ')}`)
console.log(`  (${delivered} events delivered to the counter)`)
await db.close()
fs.rmSync(dir, { recursive: true, force: true })

function seed(): void {
  seedDatabase(db, {
    users: USERS,
    username: (id) => `user${id}`,
    displayName: (id) => `User ${id}`,
    conversations: Array.from({ length: ROOMS }, (_, i) => ({
      id: i + 1,
      title: `Room ${i + 1}`,
      members: Array.from({ length: ROOM_SIZE }, (_, k) => i * ROOM_SIZE + 1 + k),
    })),
  })
}
