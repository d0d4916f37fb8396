import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { Database } from '../../server/db/database'
import { SEARCH_SQL } from '../../server/services/messageSearch'
import type { MessageSearchPage } from '../../src/shared/models'
import { createConversation, registerTeam, sendMessage } from '../support/accounts'
import { RestClient } from '../support/restClient'
import { startHarness, type TestServer } from '../support/serverHarness'
import { waitUntil } from '../support/waitUntil'

let server: TestServer | undefined
afterEach(async () => {
  await server?.stop()
  server = undefined
})

describe('message search indexing', () => {
  it('walks the index newest first and stops at the page, instead of sorting every match', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidings-search-plan-'))
    const db = new Database(path.join(dir, 'tidings.db'))
    try {
      const plan = db.sqlite
        .prepare<unknown[], { detail: string }>(`explain query plan ${SEARCH_SQL}`)
        .all('[', ']', '…', 1, '"word"*', 100, null, null, 21)
        .map((row) => row.detail)
      expect(plan[0]).toMatch(/^SCAN message_search VIRTUAL TABLE/)
      expect(plan.join('\n')).not.toMatch(/TEMP B-TREE/)
    } finally {
      db.close()
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it('indexes a backlog found at start-up in the background, before anyone searches', async () => {
    server = await startHarness()
    const { members } = await registerTeam(server.url, ['alice', 'bob'])
    const [alice, bob] = members as [(typeof members)[number], (typeof members)[number]]
    const conversation = await createConversation(alice, [bob], 'History')
    // A history written while the server was stopped, as a database from before search has:
    // five background rounds' worth, so only the start-up pass indexes it within the wait.
    await server.close()
    const file = path.join(server.dataDir, 'tidings.db')
    const direct = new BetterSqlite3(file)
    const insert = direct.prepare(
      `insert into messages (conversation_id, sender_id, client_id, text, created_at)
       values (?, ?, ?, ?, ?)`,
    )
    const now = new Date().toISOString()
    direct.transaction(() => {
      for (let i = 0; i < 5_000; i += 1) {
        const text = i === 0 ? 'the very first wombat' : `message number ${i}`
        insert.run(conversation.id, alice.user.id, `backlog-${i}`, text, now)
      }
    })()
    const newest = direct.prepare('select max(id) from messages').pluck().get() as number
    direct.close()

    await server.start({ port: 0 })
    const reader = new BetterSqlite3(file, { readonly: true })
    const indexedUpTo = reader
      .prepare(`select value from settings where key = 'search_indexed_up_to'`)
      .pluck()
    try {
      await waitUntil(
        () => Number(indexedUpTo.get() ?? 0) === newest,
        'the start-up backlog is indexed',
      )
    } finally {
      reader.close()
    }
    const found = await new RestClient(server.url, bob.token).get<MessageSearchPage>(
      '/search/messages?q=wombat',
    )
    expect(found.data.results.map((r) => r.message.text)).toEqual(['the very first wombat'])
  })

  it('indexes again a database whose index predates Chinese and Japanese search', async () => {
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
    const direct = new BetterSqlite3(file)
    direct.exec(`alter table messages drop column reply_to_id;
      drop table attachments;
      drop table message_reactions;
      drop table message_search;
      create virtual table message_search using fts5(text, tokenize='unicode61 remove_diacritics 2');
      insert into message_search (rowid, text) select id, text from messages;
      insert or replace into settings (key, value)
        values ('search_indexed_up_to', (select max(id) from messages));
      pragma user_version = 5;`)
    direct.close()

    await server.start({ port: 0 })
    const found = await new RestClient(server.url, bob.token).get<MessageSearchPage>(
      `/search/messages?q=${encodeURIComponent('京都')}`,
    )
    expect(found.data.results.map((r) => r.message.id)).toEqual([sent.id])
  })
})
