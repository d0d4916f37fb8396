import type { Message } from '../../src/shared/models'
import type { Database } from '../db/database'
import { indexable } from './searchText'

/** Rows indexed per transaction: bounds how long one round holds the event loop. */
export const INDEX_CHUNK = 1000
const PROGRESS_KEY = 'search_indexed_up_to'

interface PendingRow {
  id: number
  text: string
  deleted_at: string | null
}

/**
 * The full-text index of messages (the FTS5 table `message_search`, rowid = message id), kept
 * behind the messages table on purpose: a send never pays for indexing (issue #6). Messages
 * above the highest id indexed so far are added in chunks by `catchUp` (before every search) and
 * by a bounded background round; edits and deletes of messages already indexed update it at once
 * (through Messages.onChange), and the ones above it are indexed as they are by then. Every
 * writer of messages (sends, email, bridges) is covered, since the catch-up reads the table.
 */
export class MessageIndex {
  private readonly statements

  constructor(private readonly db: Database) {
    const s = db.sqlite
    this.statements = {
      pending: s.prepare<[number, number], PendingRow>(
        'select id, text, deleted_at from messages where id > ? order by id limit ?',
      ),
      insert: s.prepare<[number, string]>('insert into message_search (rowid, text) values (?, ?)'),
      remove: s.prepare<[number]>('delete from message_search where rowid = ?'),
      latest: s.prepare<[], number>('select coalesce(max(id), 0) from messages').pluck(),
      // Read from the database, never cached: a unit of work that rolls back takes the progress
      // it made (and the messages it saw) with it.
      upTo: s.prepare<[string], string>('select value from settings where key = ?').pluck(),
      saveUpTo: s.prepare<[string, string]>(
        `insert into settings (key, value) values (?, ?)
         on conflict (key) do update set value = excluded.value`,
      ),
    }
  }

  /** The highest message id indexed (or skipped as deleted); everything at or below it is current. */
  indexedUpTo(): number {
    return Number(this.statements.upTo.get(PROGRESS_KEY) ?? 0)
  }

  /** True when messages were stored beyond what is indexed. */
  behind(): boolean {
    return this.statements.latest.get()! > this.indexedUpTo()
  }

  /** Indexes up to `limit` messages past the indexed ones in one transaction; returns how many. */
  indexSome(limit = INDEX_CHUNK): number {
    return this.db.transaction(() => {
      const { pending, insert, saveUpTo } = this.statements
      const rows = pending.all(this.indexedUpTo(), limit)
      const last = rows.at(-1)
      if (!last) return 0
      for (const row of rows) {
        if (row.deleted_at === null) insert.run(row.id, indexable(row.text))
      }
      saveUpTo.run(PROGRESS_KEY, String(last.id))
      return rows.length
    })
  }

  /** Indexes every message stored so far, a chunk per transaction. */
  catchUp(): void {
    while (this.indexSome() === INDEX_CHUNK);
  }

  /** Follows an edit or a delete of a message the index already holds; later ones wait for it. */
  changed(message: Message): void {
    if (message.id > this.indexedUpTo()) return
    this.statements.remove.run(message.id)
    if (message.deleted_at === null) this.statements.insert.run(message.id, indexable(message.text))
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
  startBackground(intervalMs: number, onError: (error: unknown) => void): () => void {
    let stopped = false
    let pending: NodeJS.Immediate | undefined
    const drainBacklog = () => {
      pending = undefined
      if (stopped) return
      try {
        if (this.indexSome() === INDEX_CHUNK) pending = setImmediate(drainBacklog)
      } catch (error) {
        onError(error)
      }
    }
    pending = setImmediate(drainBacklog)
    const timer = setInterval(() => {
      try {
        if (pending === undefined && this.behind()) this.indexSome()
      } catch (error) {
        onError(error)
      }
    }, intervalMs)
    timer.unref()
    return () => {
      stopped = true
      if (pending !== undefined) clearImmediate(pending)
      clearInterval(timer)
    }
  }
}
