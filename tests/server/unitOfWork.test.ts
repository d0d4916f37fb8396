import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Database } from '../../server/db/database'
import { EventLog, type OutgoingEvent } from '../../server/realtime/eventLog'
import { UnitOfWork } from '../../server/realtime/unitOfWork'
import { Conversations } from '../../server/services/conversations'
import { Messages } from '../../server/services/messages'

/**
 * Group commit on a real SQLite file with the real send: units of one turn share a transaction,
 * each in its own savepoint, so a unit that throws leaves nothing behind (no row, no event, no
 * delivery) while the units before and after it commit and are delivered in order.
 */
describe('UnitOfWork', () => {
  let dir: string
  let db: Database
  let delivered: OutgoingEvent[][]
  let unitOfWork: UnitOfWork
  let messages: Messages
  const alice = { id: 1, display_name: 'Alice' }

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidings-uow-'))
    db = new Database(path.join(dir, 'tidings.db'))
    const now = new Date().toISOString()
    db.transaction(() => {
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
    unitOfWork = new UnitOfWork(
      db,
      new EventLog(db, () => 'UTC'),
      {
        deliverAll: (events, then) => {
          delivered.push([...events])
          then?.()
        },
      },
      conversations,
    )
  })
  afterEach(() => {
    db.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  const send = (text: string) =>
    unitOfWork.run((events) => messages.send(events, alice, 1, text, `client-${text}`))
  const storedTexts = () =>
    db.sqlite.prepare('select text from messages order by id').pluck().all() as string[]
  const storedEventCount = () =>
    db.sqlite.prepare('select count(*) from events').pluck().get() as number

  it('rolls back a unit that throws alone; the others commit and are delivered in order', () => {
    send('first')
    expect(() =>
      unitOfWork.run((events) => {
        messages.send(events, alice, 1, 'second', 'client-second')
        throw new Error('refused after the insert')
      }),
    ).toThrow('refused after the insert')
    send('third')
    // Nothing is delivered before the commit.
    expect(delivered).toEqual([])
    unitOfWork.flush()

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

  it('resolves durable() only at the commit, which an HTTP response waits for', async () => {
    send('first')
    let durable = false
    const waiting = unitOfWork.durable().then(() => {
      durable = true
    })
    // Promise callbacks that were due have run; the batch is still open.
    await Promise.resolve()
    await Promise.resolve()
    expect(durable).toBe(false)
    expect(db.sqlite.inTransaction).toBe(true)
    unitOfWork.flush()
    await waiting
    expect(durable).toBe(true)
    // With nothing pending it resolves at once.
    await expect(unitOfWork.durable()).resolves.toBeUndefined()
  })

  it('keeps a nested transaction that succeeded and drops one that threw', () => {
    unitOfWork.run((events) => {
      messages.send(events, alice, 1, 'outer', 'client-outer')
      db.transaction(() => messages.send(events, alice, 1, 'kept', 'client-kept'))
      try {
        db.transaction(() => {
          db.sqlite.prepare("update messages set text = 'overwritten'").run()
          throw new Error('inner refusal')
        })
      } catch {
        // The unit goes on without the inner change.
      }
    })
    unitOfWork.flush()
    expect(storedTexts()).toEqual(['outer', 'kept'])
  })

  it('runs a transaction outside any batch as its own BEGIN and COMMIT', () => {
    db.transaction(() =>
      db.sqlite.prepare("update users set display_name = 'Alice A.' where id = 1").run(),
    )
    expect(db.sqlite.inTransaction).toBe(false)
    expect(() =>
      db.transaction(() => {
        db.sqlite.prepare("update users set display_name = 'lost' where id = 1").run()
        throw new Error('refused')
      }),
    ).toThrow('refused')
    expect(db.sqlite.inTransaction).toBe(false)
    expect(db.sqlite.prepare('select display_name from users where id = 1').pluck().get()).toBe(
      'Alice A.',
    )
  })
})
