import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { SqliteDatabase } from '../../server/storage/sqlite/sqliteDatabase'
import { runSqliteMigrations } from '../../server/storage/sqlite/sqliteMigrations'
import { SEARCH_SQL } from '../../server/services/messageSearch'
import type { MessageSearchPage } from '../../src/shared/models'
import { createConversation, registerTeam, sendMessage } from '../support/accounts'
import { RestClient } from '../support/restClient'
import { rewindSqliteSchema } from '../support/sqliteSchema'
import { openStore } from '../support/store'
import { onPostgres } from '../support/testDatabase'
import { startHarness, type TestServer } from '../support/serverHarness'
import { waitUntil } from '../support/waitUntil'

let server: TestServer | undefined
afterEach(async () => {
  await server?.stop()
  server = undefined
})

describe('message search indexing', () => {
  // FTS5's own plan; the PostgreSQL query is measured by npm run bench:search.
  it.skipIf(onPostgres)(
    'walks the index newest first and stops at the page, instead of sorting every match',
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidings-search-plan-'))
      const db = new SqliteDatabase(path.join(dir, 'tidings.db'))
      runSqliteMigrations(db)
      try {
        const plan = db.sqlite
          .prepare<unknown[], { detail: string }>(`explain query plan ${SEARCH_SQL}`)
          .all('[', ']', '…', 1, '"word"*', 100, null, null, 21)
          .map((row) => row.detail)
        expect(plan[0]).toMatch(/^SCAN message_search VIRTUAL TABLE/)
        expect(plan.join('\n')).not.toMatch(/TEMP B-TREE/)
      } finally {
        await db.close()
        fs.rmSync(dir, { recursive: true, force: true })
      }
    },
  )

  it('indexes a backlog found at start-up in the background, before anyone searches', async () => {
    server = await startHarness()
    const { members } = await registerTeam(server.url, ['alice', 'bob'])
    const [alice, bob] = members as [(typeof members)[number], (typeof members)[number]]
    const conversation = await createConversation(alice, [bob], 'History')
    // A history written while the server was stopped, as a database from before search has:
    // five background rounds' worth, and the server started again with no background round due
    // for an hour, so only the start-up pass can index it.
    await server.close()
    const store = await openStore(server.dataDir)
    const now = new Date().toISOString()
    // One statement of 5,000 rows (each a separate statement would take long over PostgreSQL).
    const rows = Array.from({ length: 5_000 }, (_, i) => i)
    await store.all(
      `insert into messages (conversation_id, sender_id, client_id, text, created_at) values ${rows
        .map(() => '(?, ?, ?, ?, ?)')
        .join(', ')}`,
      ...rows.flatMap((i) => [
        conversation.id,
        alice.user.id,
        `backlog-${i}`,
        i === 0 ? 'the very first wombat' : `message number ${i}`,
        now,
      ]),
    )
    const [{ newest }] = (await store.all<{ newest: number }>(
      'select max(id) as newest from messages',
    )) as [{ newest: number }]

    await server.start({ port: 0, searchIndexIntervalMs: 3_600_000 })
    try {
      await waitUntil(
        async () => {
          const [row] = await store.all<{ value: string }>(
            `select value from settings where key = 'search_indexed_up_to'`,
          )
          return Number(row?.value ?? 0) === Number(newest)
        },
        'the start-up backlog is indexed',
        { timeoutMs: 60_000 },
      )
    } finally {
      await store.close()
    }
    const found = await new RestClient(server.url, bob.token).get<MessageSearchPage>(
      '/search/messages?q=wombat',
    )
    expect(found.data.results.map((r) => r.message.text)).toEqual(['the very first wombat'])
  }, 90_000)

  // The upgrade of a SQLite file made by an older server; PostgreSQL has no such history.
  it.skipIf(onPostgres)(
    'indexes again a database whose index predates Chinese and Japanese search',
    async () => {
      server = await startHarness()
      const { members } = await registerTeam(server.url, ['alice', 'bob'])
      const [alice, bob] = members as [(typeof members)[number], (typeof members)[number]]
      const conversation = await createConversation(alice, [bob], 'Travel')
      const sent = await sendMessage(alice, conversation.id, '来週は京都に行きます')
      await server.close()
      // The file as schema version 5 left it: the index unicode61 only, each text as written, and
      // no reply_to_id column (migration 7), message_reactions table (migration 8) nor attachments
      // table (migration 9).
      const file = path.join(server.dataDir, 'tidings.db')
      rewindSqliteSchema(
        file,
        5,
        `insert into message_search (rowid, text) select id, text from messages;
      insert or replace into settings (key, value)
        values ('search_indexed_up_to', (select max(id) from messages));`,
      )

      await server.start({ port: 0 })
      const found = await new RestClient(server.url, bob.token).get<MessageSearchPage>(
        `/search/messages?q=${encodeURIComponent('京都')}`,
      )
      expect(found.data.results.map((r) => r.message.id)).toEqual([sent.id])
    },
  )
})
