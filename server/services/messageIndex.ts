import { plainText } from '../../src/shared/markdown'
import type { Message } from '../../src/shared/models'
import { rawSql, type Database, type Queryable } from '../storage/database'
import type { Tx, UnitOfWork } from '../storage/unitOfWork'
import { indexable } from './searchText'

/** Rows indexed per transaction: bounds how long one round holds the event loop. */
export const INDEX_CHUNK = 1000
const PROGRESS_KEY = 'search_indexed_up_to'

interface PendingRow {
  id: number
  text: string
  deleted_at: string | null
  edited_at: string | null
}

/**
 * The index's rows: FTS5's own copy of each text on SQLite (rowid = message id); on PostgreSQL
 * the text, its tsvector (configuration `tidings`) and the edit it was taken from, so that two
 * nodes indexing one message at once keep the newer text.
 */
const STATEMENTS = {
  pending: rawSql(
    'select id, text, deleted_at, edited_at from messages where id > ? order by id limit ?',
  ),
  insert: rawSql(
    'insert into message_search (rowid, text) values (?, ?)',
    `insert into message_search (message_id, body, document, edited_at)
     values ($1, $2, to_tsvector('tidings', $2), $3)
     on conflict (message_id) do update
       set body = excluded.body, document = excluded.document, edited_at = excluded.edited_at
       where coalesce(excluded.edited_at, '') >= coalesce(message_search.edited_at, '')`,
  ),
  remove: rawSql(
    'delete from message_search where rowid = ?',
    'delete from message_search where message_id = $1',
  ),
  latest: rawSql('select coalesce(max(id), 0) as latest from messages'),
  // Read from the database, never cached: a unit of work that rolls back takes the progress it
  // made (and the messages it saw) with it, and other nodes index too.
  upTo: rawSql('select value from settings where key = ?'),
  saveUpTo: rawSql(
    `insert into settings (key, value) values (?, ?)
     on conflict (key) do update set value = excluded.value`,
  ),
}

/**
 * The full-text index of messages (see the migrations: FTS5 on SQLite, tsvector + GIN on
 * PostgreSQL), kept behind the messages table on purpose: a send never pays for indexing (issue
 * #6). Messages above the highest id indexed so far are added in chunks by `catchUp` (before
 * every search) and by a bounded background round; edits and deletes of messages already indexed
 * update it at once (through Messages.onChange), and the ones above it are indexed as they are by
 * then. Every writer of messages (sends, email, bridges) is covered, since the catch-up reads the
 * table.
 */
export class MessageIndex {
  constructor(
    private readonly db: Database,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  /** The highest message id indexed (or skipped as deleted); everything at or below it is current. */
  async indexedUpTo(db: Queryable = this.db): Promise<number> {
    const row = await db.firstRaw<{ value: string }>(STATEMENTS.upTo, [PROGRESS_KEY])
    return Number(row?.value ?? 0)
  }

  /** True when messages were stored beyond what is indexed. */
  async behind(): Promise<boolean> {
    const row = await this.db.firstRaw<{ latest: number }>(STATEMENTS.latest, [])
    return Number(row?.latest ?? 0) > (await this.indexedUpTo())
  }

  /** Indexes up to `limit` messages past the indexed ones in one transaction; returns how many. */
  indexSome(limit = INDEX_CHUNK): Promise<number> {
    return this.unitOfWork.transaction(async (tx) => {
      const rows = await tx.allRaw<PendingRow>(STATEMENTS.pending, [
        await this.indexedUpTo(tx),
        limit,
      ])
      const last = rows.at(-1)
      if (!last) return 0
      for (const row of rows) {
        if (row.deleted_at === null) await this.insert(tx, row.id, row.text, row.edited_at)
      }
      await tx.runRaw(STATEMENTS.saveUpTo, [PROGRESS_KEY, String(last.id)])
      return rows.length
    })
  }

  /** Indexes every message stored so far, a chunk per transaction. */
  async catchUp(): Promise<void> {
    while ((await this.indexSome()) === INDEX_CHUNK);
  }

  /** Follows an edit or a delete of a message the index already holds; later ones wait for it. */
  async changed(tx: Tx, message: Message): Promise<void> {
    if (message.id > (await this.indexedUpTo(tx))) return
    await tx.runRaw(STATEMENTS.remove, [message.id])
    if (message.deleted_at === null) {
      await this.insert(tx, message.id, message.text, message.edited_at)
    }
  }

  /** Forgets messages removed for good (the retention sweep), in the unit that removes them. */
  async removed(tx: Tx, messageIds: readonly number[]): Promise<void> {
    for (const id of messageIds) await tx.runRaw(STATEMENTS.remove, [id])
  }

  /** Indexes the text as it reads, without formatting markers, so snippets show it that way. */
  private insert(db: Queryable, id: number, text: string, editedAt: string | null) {
    const body = indexable(plainText(text))
    return db.runRaw(STATEMENTS.insert, db.dialect === 'sqlite' ? [id, body] : [id, body, editedAt])
  }

  /**
   * Keeps the index close behind the messages without a search having to do it all. At start, a
   * backlog (the history of a database from before search, or what came in after the last round
   * before a stop) is indexed chunk by chunk, yielding to the event loop between chunks: a first
   * search would otherwise index all of it at once and hold every socket meanwhile. Then, every
   * `intervalMs` when messages are waiting, one chunk: bounded so that a server under a flood of
   * sends spends next to nothing on it (the search catches up the rest when someone searches).
   * Returns the function that stops both.
   */
  startBackground(intervalMs: number, onError: (error: unknown) => void): () => Promise<void> {
    let stopped = false
    // The round running now, if any: stopping waits for it, so that the database is not closed
    // under it.
    let running: Promise<void> | undefined
    const round = (work: () => Promise<void>) => {
      if (stopped || running) return
      running = work()
        .catch(onError)
        .finally(() => (running = undefined))
    }
    const drainBacklog = async () => {
      while (!stopped && (await this.indexSome()) === INDEX_CHUNK) {
        await new Promise((resolve) => setImmediate(resolve))
      }
    }
    const start = setImmediate(() => round(drainBacklog))
    const timer = setInterval(
      () =>
        round(async () => {
          if (await this.behind()) await this.indexSome()
        }),
      intervalMs,
    )
    timer.unref()
    return async () => {
      stopped = true
      clearImmediate(start)
      clearInterval(timer)
      await running
    }
  }
}
