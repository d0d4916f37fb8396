import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Conversations } from '../../server/services/conversations'
import { Messages } from '../../server/services/messages'
import type { EventDelivery, OutgoingEvent } from '../../server/storage/eventSink'
import { SqliteDatabase } from '../../server/storage/sqlite/sqliteDatabase'
import { SqliteEventLog } from '../../server/storage/sqlite/sqliteEventLog'
import { runSqliteMigrations } from '../../server/storage/sqlite/sqliteMigrations'
import { SqliteUnitOfWork } from '../../server/storage/sqlite/sqliteUnitOfWork'

/**
 * Group commit on a real SQLite file with the real send: units of one turn share a transaction,
 * each in its own savepoint, so a unit that throws leaves nothing behind (no row, no event, no
 * delivery) while the units before and after it commit and are delivered in order.
 */
describe('SqliteUnitOfWork', () => {
  let dir: string
  let db: SqliteDatabase
  let delivered: OutgoingEvent[][]
  let unitOfWork: SqliteUnitOfWork
  let messages: Messages
  const alice = { id: 1, display_name: 'Alice' }

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidings-uow-'))
    db = new SqliteDatabase(path.join(dir, 'tidings.db'))
    runSqliteMigrations(db)
    const now = new Date().toISOString()
    db.transactionSync(() => {
      for (const [id, name] of [
        [1, 'alice'],
        [2, 'bob'],
      ] as const) {
        db.sqlite
          .prepare(
            "insert into users (id, username, display_name, password_hash, role, created_at) values (?, ?, ?, 'x', 'member', ?)",
          )
          .run(id, name, name, now)
      }
      db.sqlite
        .prepare(
          "insert into conversations (id, title, kind, platform, created_by, created_at, updated_at) values (1, '', 'direct', 'tidings', 1, ?, ?)",
        )
        .run(now, now)
      for (const userId of [1, 2]) {
        db.sqlite
          .prepare(
            'insert into conversation_members (conversation_id, user_id, joined_at, last_read_message_id, last_delivered_message_id) values (1, ?, ?, 0, 0)',
          )
          .run(userId, now)
      }
    })
    const conversations = new Conversations(db)
    messages = new Messages(db, conversations)
    delivered = []
    const delivery: EventDelivery = {
      deliverAll: (events, _controls, then) => {
        delivered.push([...events])
        then?.()
      },
    }
    unitOfWork = new SqliteUnitOfWork(db, new SqliteEventLog(db, () => 'UTC'), delivery)
  })
  afterEach(async () => {
    await db.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  const send = (text: string) =>
    unitOfWork.run((tx) => messages.send(tx, alice, 1, text, `client-${text}`))
  const storedTexts = () =>
    db.sqlite.prepare('select text from messages order by id').pluck().all() as string[]
  const storedEventCount = () =>
    db.sqlite.prepare('select count(*) from events').pluck().get() as number

  it('rolls back a unit that throws alone; the others commit and are delivered in order', async () => {
    await send('first')
    await expect(
      unitOfWork.run(async (tx) => {
        await messages.send(tx, alice, 1, 'second', 'client-second')
        throw new Error('refused after the insert')
      }),
    ).rejects.toThrow('refused after the insert')
    await send('third')
    // Nothing is delivered before the commit.
    expect(delivered).toEqual([])
    await unitOfWork.flush()

    expect(storedTexts()).toEqual(['first', 'third'])
    // Two events per send (message_sent to the sender, message_received to the other member).
    expect(storedEventCount()).toBe(4)
    expect(delivered).toHaveLength(1)
    const frames = delivered[0]!.map(
      (e) => JSON.parse(e.json) as { type: string; data: { message: { text: string } } },
    )
    expect(frames.map((f) => `${f.type} ${f.data.message.text}`)).toEqual([
      'message_sent first',
      'message_received first',
      'message_sent third',
      'message_received third',
    ])
    expect(db.sqlite.inTransaction).toBe(false)
  })

  it('a send whose head was read ahead still refuses a sender removed since, and answers a retry with the original', async () => {
    const conversations = new Conversations(db)
    const ahead = await conversations.sendTargetAhead(db, 1, alice)
    expect(ahead).toEqual({ title: '', platform: 'tidings', receiver_name: '' })
    const sendAhead = (text: string, clientId: string) =>
      unitOfWork.run((tx) => messages.send(tx, alice, 1, text, clientId, {}, ahead))
    const first = await sendAhead('first', 'client-ahead')
    // The same client_id again: the original, not a second row.
    const retry = await sendAhead('first again', 'client-ahead')
    expect(retry.created).toBe(false)
    expect(retry.message.id).toBe(first.message.id)
    // Removed between the read ahead and the unit: the insert's own check refuses it.
    db.sqlite.prepare('delete from conversation_members where user_id = 1').run()
    await expect(sendAhead('after removal', 'client-after')).rejects.toThrow(
      'You are not a member of this conversation.',
    )
    expect(await conversations.sendTargetAhead(db, 1, alice)).toBeUndefined()
    await unitOfWork.flush()
    expect(storedTexts()).toEqual(['first'])
    expect(storedEventCount()).toBe(2)
  })

  it('resolves durable() only at the commit, which an HTTP response waits for', async () => {
    await send('first')
    let durable = false
    const waiting = unitOfWork.durable().then(() => {
      durable = true
    })
    // Promise callbacks that were due have run; the batch is still open.
    await Promise.resolve()
    await Promise.resolve()
    expect(durable).toBe(false)
    expect(db.sqlite.inTransaction).toBe(true)
    await unitOfWork.flush()
    await waiting
    expect(durable).toBe(true)
    // With nothing pending it resolves at once.
    await expect(unitOfWork.durable()).resolves.toBeUndefined()
  })

  it('commits at the end of the turn by itself', async () => {
    await send('first')
    expect(delivered).toEqual([])
    await new Promise((resolve) => setImmediate(resolve))
    expect(delivered).toHaveLength(1)
    expect(db.sqlite.inTransaction).toBe(false)
  })

  it('runs units one at a time: one that awaits something else holds the next and the commit', async () => {
    let release!: () => void
    let started!: () => void
    const slowStarted = new Promise<void>((resolve) => (started = resolve))
    const slow = unitOfWork.run(async (tx) => {
      await messages.send(tx, alice, 1, 'slow', 'client-slow')
      started()
      // Not a query: a unit that awaits a timer (which it should not) must still be alone.
      await new Promise<void>((resolve) => (release = resolve))
      return 'slow done'
    })
    await slowStarted
    const fastDone = send('fast')
    // The turn ends while the slow unit runs: no commit may take its half-done writes.
    await new Promise((resolve) => setImmediate(resolve))
    expect(delivered).toEqual([])
    expect(db.sqlite.inTransaction).toBe(true)
    release()
    await expect(slow).resolves.toBe('slow done')
    await fastDone
    await unitOfWork.durable()
    expect(storedTexts()).toEqual(['slow', 'fast'])
    const texts = delivered
      .flat()
      .map((e) => (JSON.parse(e.json) as { data: { message: { text: string } } }).data.message.text)
    expect(texts).toEqual(['slow', 'slow', 'fast', 'fast'])
  })

  it('rolls back a transaction without events that throws, and keeps one that did not', async () => {
    await unitOfWork.transaction((tx) =>
      tx.run(tx.q.updateTable('users').set({ display_name: 'Alice A.' }).where('id', '=', 1)),
    )
    await expect(
      unitOfWork.transaction(async (tx) => {
        await tx.run(tx.q.updateTable('users').set({ display_name: 'lost' }).where('id', '=', 1))
        throw new Error('refused')
      }),
    ).rejects.toThrow('refused')
    await unitOfWork.flush()
    expect(db.sqlite.inTransaction).toBe(false)
    expect(db.sqlite.prepare('select display_name from users where id = 1').pluck().get()).toBe(
      'Alice A.',
    )
  })

  it('fails the whole batch when SQLite cancelled its transaction (a full disk may), and goes on', async () => {
    // What SQLite does on SQLITE_FULL at the wrong moment: the whole transaction is rolled back,
    // not only the statement. Here a unit does it by hand and fails.
    await send('before')
    const before = send('lost with the batch')
    const cancelled = unitOfWork.run(async () => {
      db.sqlite.exec('ROLLBACK')
      const error = new Error('database or disk is full') as Error & { code: string }
      error.code = 'SQLITE_FULL'
      throw error
    })
    const after = send('in the same batch, after it')
    await expect(cancelled).rejects.toThrow('database or disk is full')
    // Every unit of the batch resolved its work, but none of it is durable or delivered.
    await before
    await after
    await expect(unitOfWork.durable()).rejects.toMatchObject({ code: 'SQLITE_FULL' })
    expect(db.sqlite.inTransaction).toBe(false)
    expect(storedTexts()).toEqual([])
    expect(storedEventCount()).toBe(0)
    expect(delivered).toEqual([])
    // The next batch is an ordinary one.
    await send('next')
    await unitOfWork.durable()
    expect(storedTexts()).toEqual(['next'])
    expect(delivered.flat()).toHaveLength(2)
  })
})
