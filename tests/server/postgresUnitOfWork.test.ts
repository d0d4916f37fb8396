import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Conversations } from '../../server/services/conversations'
import { Messages } from '../../server/services/messages'
import { PostgresDatabase, createPool } from '../../server/storage/postgres/postgresDatabase'
import { rawSql } from '../../server/storage/database'
import { EVENT_ORDER_LOCK } from '../../server/storage/postgres/postgresSchema'
import { PostgresUnitOfWork, type PgTx } from '../../server/storage/postgres/postgresUnitOfWork'
import type { CommitListener } from '../../server/storage/unitOfWork'
import {
  databaseNameFor,
  databaseUrl,
  dropDatabase,
  ensureDatabase,
  onPostgres,
} from '../support/testDatabase'
import { waitUntil } from '../support/waitUntil'

/**
 * Group commit on PostgreSQL with the real send: the units of a batch share a transaction, each in
 * a savepoint, so one that throws leaves nothing behind while the others commit; and event ids are
 * handed out at commit under the event-order lock, so a batch that began first but commits later
 * gets the later ids (what lets a reader of "ids after W" never skip one).
 */
describe.skipIf(!onPostgres)('PostgresUnitOfWork', () => {
  const name = databaseNameFor(`postgres-unit-of-work-${process.pid}`)
  let db: PostgresDatabase
  let messages: Messages
  const alice = { id: 1, display_name: 'Alice' }
  /** Delivery as the tail would do it: here, every batch is delivered at once. */
  const delivery = {
    whenDelivered: (_lastId: number, listener: CommitListener) => listener.committed(),
    committed: () => {},
  }

  beforeEach(async () => {
    await ensureDatabase(name)
    db = new PostgresDatabase(
      createPool({ url: databaseUrl(name), max: 6, applicationName: 'uow-test' }),
    )
    const now = new Date().toISOString()
    await db.pool.query(
      `insert into users (id, username, display_name, password_hash, role, created_at)
       values (1, 'alice', 'Alice', 'x', 'member', $1), (2, 'bob', 'Bob', 'x', 'member', $1)`,
      [now],
    )
    await db.pool.query(
      `insert into conversations (id, title, kind, platform, created_by, created_at, updated_at)
       values (1, null, 'group', 'tidings', 1, $1, $1)`,
      [now],
    )
    await db.pool.query(
      `insert into conversation_members (conversation_id, user_id, joined_at, last_read_message_id,
         last_delivered_message_id) values (1, 1, $1, 0, 0), (1, 2, $1, 0, 0)`,
      [now],
    )
    messages = new Messages(db, new Conversations(db))
  })
  afterEach(async () => {
    await db.close()
    await dropDatabase(name)
  })

  const texts = async () =>
    (await db.pool.query<{ text: string }>('select text from messages order by id')).rows.map(
      (row) => row.text,
    )
  const events = async () =>
    (
      await db.pool.query<{ id: string; type: string; payload: string }>(
        'select id, type, payload from events order by id',
      )
    ).rows.map((row) => ({
      id: Number(row.id),
      text: (JSON.parse(row.payload) as { data: { message: { text: string } } }).data.message.text,
      type: row.type,
    }))

  it('rolls back a unit that throws alone; the others of its batch commit with their events', async () => {
    const unitOfWork = new PostgresUnitOfWork(db, delivery, 'node-a')
    const first = unitOfWork.run((tx) => messages.send(tx, alice, 1, 'first', 'c-first'))
    const failing = unitOfWork.run(async (tx) => {
      await messages.send(tx, alice, 1, 'second', 'c-second')
      throw new Error('refused after the insert')
    })
    const third = unitOfWork.run((tx) => messages.send(tx, alice, 1, 'third', 'c-third'))
    await first
    await expect(failing).rejects.toThrow('refused after the insert')
    await third
    // Not committed before the batch closes; durable() waits for it.
    await unitOfWork.durable()
    expect(await texts()).toEqual(['first', 'third'])
    const stored = await events()
    expect(stored.map((e) => `${e.type} ${e.text}`)).toEqual([
      'message_sent first',
      'message_received first',
      'message_sent third',
      'message_received third',
    ])
    // The payload carries its own id, given at the append.
    for (const event of stored)
      expect(
        JSON.parse(
          (await db.pool.query('select payload from events where id = $1', [event.id])).rows[0]
            .payload,
        ).id,
      ).toBe(event.id)
  })

  it('rolls back a unit whose statement fails in the database, as its first statement or a later one; the batch goes on', async () => {
    const unitOfWork = new PostgresUnitOfWork(db, delivery, 'node-a')
    const first = unitOfWork.run((tx) => messages.send(tx, alice, 1, 'first', 'c-first'))
    // Its first statement goes out pipelined right behind its savepoint (postgresUnitOfWork).
    const failingFirst = unitOfWork.run((tx) =>
      tx.allRaw(rawSql('select 1 / (select count(*) - count(*) from users) as n'), []),
    )
    const failingLater = unitOfWork.run(async (tx) => {
      await messages.send(tx, alice, 1, 'second', 'c-second')
      return tx.allRaw(rawSql('select 1 / (select count(*) - count(*) from users) as n'), [])
    })
    const third = unitOfWork.run((tx) => messages.send(tx, alice, 1, 'third', 'c-third'))
    await first
    await expect(failingFirst).rejects.toThrow('division by zero')
    await expect(failingLater).rejects.toThrow('division by zero')
    await third
    await unitOfWork.durable()
    expect(await texts()).toEqual(['first', 'third'])
    expect((await events()).map((e) => `${e.type} ${e.text}`)).toEqual([
      'message_sent first',
      'message_received first',
      'message_sent third',
      'message_received third',
    ])
  })

  it('a send whose head was read ahead still refuses a sender removed since, and answers a retry with the original', async () => {
    const unitOfWork = new PostgresUnitOfWork(db, delivery, 'node-a')
    const conversations = new Conversations(db)
    const ahead = await conversations.sendTargetAhead(db, 1, alice)
    // Untitled: named by the other members.
    expect(ahead).toEqual({ title: null, platform: 'tidings', receiver_name: 'Bob' })
    const sendAhead = (text: string, clientId: string) =>
      unitOfWork.run((tx) => messages.send(tx, alice, 1, text, clientId, {}, ahead))
    const first = await sendAhead('first', 'c-ahead')
    const retry = await sendAhead('first again', 'c-ahead')
    expect(retry.created).toBe(false)
    expect(retry.message.id).toBe(first.message.id)
    await unitOfWork.durable()
    await db.pool.query('delete from conversation_members where user_id = 1')
    await expect(sendAhead('after removal', 'c-after')).rejects.toThrow(
      'You are not a member of this conversation.',
    )
    expect(await conversations.sendTargetAhead(db, 1, alice)).toBeUndefined()
    await unitOfWork.durable()
    expect(await texts()).toEqual(['first'])
    expect((await events()).map((e) => `${e.type} ${e.text}`)).toEqual([
      'message_sent first',
      'message_received first',
    ])
  })

  it('hands out ids at commit: a batch that began first and commits later gets the later ids', async () => {
    const nodeA = new PostgresUnitOfWork(db, delivery, 'node-a')
    const nodeB = new PostgresUnitOfWork(db, delivery, 'node-b')
    // A's batch starts first and stays open while its unit waits (a unit should not: this one
    // stands for a slow one, to hold the batch open).
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    let inserted!: () => void
    const insertedFirst = new Promise<void>((resolve) => (inserted = resolve))
    const early = nodeA.run(async (tx) => {
      await messages.send(tx, alice, 1, 'began first', 'c-early')
      inserted()
      await held
    })
    await insertedFirst
    await nodeB.run((tx) => messages.send(tx, alice, 1, 'began second', 'c-late'))
    await nodeB.durable()
    release()
    await early
    await nodeA.durable()
    const stored = await events()
    expect(stored.map((e) => e.text)).toEqual([
      'began second',
      'began second',
      'began first',
      'began first',
    ])
    expect(stored.map((e) => e.id)).toEqual([1, 2, 3, 4])
  })

  it('stores any text exactly: the append writes its arrays as quoted literals', async () => {
    const unitOfWork = new PostgresUnitOfWork(db, delivery, 'node-a')
    const nasty = [
      `it's "quoted" \\ back\\slashed`,
      '{braces,commas},"NULL"',
      'NULL',
      `'); delete from events; --`,
      '$$ dollar $fn$ quoting $$',
      'line\nbreak\ttab \\"',
      'emoji 👩🏽‍💻 and ünïcødé, 中文',
      "E'escaped' \\x00 not a null",
    ]
    await Promise.all(
      nasty.map((text, i) => unitOfWork.run((tx) => messages.send(tx, alice, 1, text, `c-${i}`))),
    )
    await unitOfWork.durable()
    const stored = await events()
    expect(stored.filter((e) => e.type === 'message_sent').map((e) => e.text)).toEqual(nasty)
    expect(await texts()).toEqual(nasty)
  })

  it('gathers the units that arrive while a batch commits into the next batch', async () => {
    const unitOfWork = new PostgresUnitOfWork(db, delivery, 'node-a')
    const currentTransaction = rawSql('', 'select txid_current()::text as txid')
    const transactionOf = async (tx: PgTx) =>
      (await tx.firstRaw<{ txid: string }>(currentTransaction, []))!.txid
    // Another session holds the event-order lock: the first batch's append waits for it.
    const blocker = await db.pool.connect()
    await blocker.query('select pg_advisory_lock($1)', [EVENT_ORDER_LOCK])
    try {
      const first = unitOfWork.run(async (tx) => {
        await messages.send(tx, alice, 1, 'first', 'c-first')
        return transactionOf(tx)
      })
      await first
      // The first batch is closed and waiting for the lock in its append...
      await waitUntil(async () => {
        const { rows } = await db.pool.query<{ waiting: number }>(
          `select count(*)::int as waiting from pg_locks where locktype = 'advisory' and not granted`,
        )
        return rows[0]!.waiting === 1
      }, 'the first batch waits for the event-order lock')
      // ...so these, sent one after another, all join the one batch that is open meanwhile.
      const later: string[] = []
      for (let i = 0; i < 5; i++) {
        later.push(
          await unitOfWork.run(async (tx) => {
            await messages.send(tx, alice, 1, `later ${i}`, `c-later-${i}`)
            return transactionOf(tx)
          }),
        )
      }
      expect(new Set(later).size).toBe(1)
      expect(later[0]).not.toBe(await first)
    } finally {
      await blocker.query('select pg_advisory_unlock($1)', [EVENT_ORDER_LOCK])
      blocker.release()
    }
    await unitOfWork.durable()
    expect(await texts()).toEqual(['first', ...[0, 1, 2, 3, 4].map((i) => `later ${i}`)])
    expect((await events()).map((e) => e.id)).toEqual([...Array(12).keys()].map((i) => i + 1))
  })
})
