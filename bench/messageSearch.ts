import '../src/shared/nodeVersionGuard' // first: Node 24 or a clear refusal, before native code loads
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { SqliteDatabase } from '../server/storage/sqlite/sqliteDatabase'
import { SqliteEventLog } from '../server/storage/sqlite/sqliteEventLog'
import { runSqliteMigrations } from '../server/storage/sqlite/sqliteMigrations'
import { SqliteUnitOfWork } from '../server/storage/sqlite/sqliteUnitOfWork'
import { Conversations } from '../server/services/conversations'
import { MessageIndex } from '../server/services/messageIndex'
import { MessageSearch } from '../server/services/messageSearch'

/**
 * `npm run bench:search`: what message search costs the server's event loop, on a real SQLite
 * file holding a team's history (50 users, 100 conversations of 5, 300,000 messages of 8 to 19
 * words from a small vocabulary, so common words match a large share of them). Reports how long
 * indexing the whole history takes (what the start-up pass spreads over chunks) and how long one
 * search takes for a word in most messages, a rare word and a word in none, each the median of
 * several runs. `SEARCH_MESSAGES=<n>` changes the history's size. `SEARCH_SCRIPT=cjk` writes the
 * history in Chinese and Japanese instead (words run together without spaces, as people write
 * them), where every character is its own token (server/services/searchText.ts), so indexing and
 * the phrase queries cost what they cost for those users.
 */
const USERS = 50
const CONVERSATIONS = 100
const MEMBERS = 5
const MESSAGES = Number(process.env.SEARCH_MESSAGES ?? 300_000)
const RUNS = 9
const CJK = process.env.SEARCH_SCRIPT === 'cjk'
const VOCABULARY = (
  CJK
    ? '会議 プロジェクト 発売 確認 予算 こんにちは 世界 明日 金曜日 昼ご飯 コーヒー 配備 ' +
      '服务器 客户端 发布 说明 设计 冲刺 错误 修复'
    : 'the meeting project launch review budget hello world tomorrow friday lunch coffee deploy ' +
      'server client release notes design sprint bug fix'
).split(' ')
const RARE = CJK ? '袋熊' : 'wombat'
/** A word in most messages, a prefix of one, the rare word, a word in none. */
const QUERIES = CJK ? ['会議', '会', RARE, '斑马'] : ['the', 'meet', RARE, 'zebra']
const WORD_SEPARATOR = CJK ? '' : ' '

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidings-search-bench-'))
const db = new SqliteDatabase(path.join(dir, 'tidings.db'))
runSqliteMigrations(db)
try {
  seed()
  const unitOfWork = new SqliteUnitOfWork(db, new SqliteEventLog(db, () => 'UTC'), {
    deliverAll: () => {},
  })
  const index = new MessageIndex(db, unitOfWork)
  let started = performance.now()
  await index.catchUp()
  const indexMs = performance.now() - started
  console.log(
    `indexing ${MESSAGES.toLocaleString('en-US')} messages: ${indexMs.toFixed(0)} ms ` +
      `(${((indexMs * 1000) / MESSAGES).toFixed(1)} µs per message)`,
  )

  const search = new MessageSearch(db, index, new Conversations(db))
  const userId = 1
  for (const q of QUERIES) {
    const times: number[] = []
    let found = 0
    for (let run = 0; run < RUNS; run += 1) {
      started = performance.now()
      found = (await search.messages(userId, { q })).results.length
      times.push(performance.now() - started)
    }
    times.sort((a, b) => a - b)
    console.log(
      `search "${q}": ${found} results on the first page, median ${times[RUNS >> 1]!.toFixed(1)} ms, ` +
        `max ${times.at(-1)!.toFixed(1)} ms`,
    )
  }
} finally {
  await db.close()
  fs.rmSync(dir, { recursive: true, force: true })
}

/** Users, conversations of MEMBERS (user 1 in a tenth of them) and the history, in one go. */
function seed(): void {
  const s = db.sqlite
  const now = new Date().toISOString()
  s.transaction(() => {
    const user = s.prepare(
      `insert into users (id, username, display_name, password_hash, role, created_at)
       values (?, ?, ?, 'unused', 'member', ?)`,
    )
    for (let id = 1; id <= USERS; id += 1) user.run(id, `user${id}`, `User ${id}`, now)
    const conversation = s.prepare(
      `insert into conversations (id, kind, title, created_by, created_at, updated_at)
       values (?, 'group', ?, 1, ?, ?)`,
    )
    const member = s.prepare(
      `insert into conversation_members (conversation_id, user_id, joined_at) values (?, ?, ?)`,
    )
    for (let id = 1; id <= CONVERSATIONS; id += 1) {
      conversation.run(id, `Conversation ${id}`, now, now)
      for (let k = 0; k < MEMBERS; k += 1) {
        member.run(id, 1 + ((id + k * 10) % USERS), now)
      }
    }
    const message = s.prepare(
      `insert into messages (conversation_id, sender_id, client_id, text, created_at)
       values (?, ?, ?, ?, ?)`,
    )
    for (let i = 1; i <= MESSAGES; i += 1) {
      const words: string[] = []
      for (let k = 0; k < 8 + (i % 12); k += 1) {
        words.push(VOCABULARY[(i * 7 + k * 13) % VOCABULARY.length]!)
      }
      if (i % 5_000 === 9) words.push(RARE) // in conversation 10, one of user 1's
      message.run(
        1 + (i % CONVERSATIONS),
        1 + (i % USERS),
        `seed-${i}`,
        words.join(WORD_SEPARATOR),
        now,
      )
    }
  })()
}
