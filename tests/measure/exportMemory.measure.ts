import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { AuthResult, Conversation, Message } from '../../src/shared/models'
import { createConversation, registerTeam, TEST_PASSWORD } from '../support/accounts'
import { startCliServer, type CliServer } from '../support/cliProcess'
import { RestClient } from '../support/restClient'
import { makeDataDir, startHarness } from '../support/serverHarness'
import { openStore } from '../support/store'
import { dropStorageFor, storageOptionsFor, TEST_SECRET_KEY } from '../support/testDatabase'
import { readZip } from '../support/zipReader'

const MESSAGES = 100_000
/** About 600 characters a message: the export's JSON and HTML pass 100 MiB together. */
const FILLER = 'All work and no play makes a long history. '.repeat(14)
const MiB = 1024 * 1024
/**
 * The most the server's resident memory may grow while it exports: a page of messages, the
 * compressor's window and buffers, V8's young generation (16 MiB semi-spaces) and the allocator's
 * slack, far below what holding the export (over 100 MiB) or its messages would take.
 */
const RSS_GROWTH_BOUND = 96 * MiB

/** A process's current and peak resident memory, in bytes (Linux /proc). */
function residentMemory(pid: number): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)![1])
  return { rss: kib('VmRSS') * 1024, peak: kib('VmHWM') * 1024 }
}

describe('export of 100,000 messages', { timeout: 600_000 }, () => {
  let server: CliServer | undefined
  let dataDir: string

  afterAll(async () => {
    await server?.stop()
    await dropStorageFor(dataDir)
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  it('streams in bounded memory: the server’s peak RSS grows by less than 96 MiB', async () => {
    dataDir = await makeDataDir('tidings-export-memory-')
    // The accounts and the conversation, by a server in this process; then the history, written
    // straight into the store (100,000 sends would take minutes).
    const setup = await startHarness({ dataDir })
    const { admin, members } = await registerTeam(setup.url, ['alice'])
    const conversation: Conversation = await createConversation(admin, [members[0]!], 'History')
    await setup.close()
    const store = await openStore(dataDir)
    try {
      await store.all(
        `with recursive n(i) as (select 1 union all select i + 1 from n where i < ?)
         insert into messages (conversation_id, sender_id, client_id, text, created_at)
         select ?, ?, 'bulk-' || i, 'message ' || i || ': ' || ?, ? from n`,
        MESSAGES,
        conversation.id,
        admin.user.id,
        FILLER,
        new Date().toISOString(),
      )
      // Taken as indexed: the search index would otherwise take them in at start-up, in the
      // background, beside what is measured (and that is not this test's subject).
      await store.all(
        `insert into settings (key, value)
         select 'search_indexed_up_to', cast(max(id) as text) from messages where true
         on conflict (key) do update set value = excluded.value`,
      )
    } finally {
      await store.close()
    }

    // The server in a process of its own, so that its memory is measured alone.
    const storage = await storageOptionsFor(dataDir)
    const args = ['--port', '0', '--data-dir', dataDir, '--log-level', 'warn']
    if (storage.databaseUrl) {
      const keyFile = path.join(dataDir, 'test-secret.key')
      fs.writeFileSync(keyFile, TEST_SECRET_KEY, { mode: 0o600 })
      args.push('--database-url', storage.databaseUrl, '--secret-key-file', keyFile)
    }
    server = await startCliServer(args)
    const login = await new RestClient(server.url).post<AuthResult>('/auth/login', {
      username: members[0]!.user.username,
      password: TEST_PASSWORD,
    })
    const rest = new RestClient(server.url, login.data.token)
    // Warm up what any server does anyway before measuring: a page of history is read.
    expect(
      (await rest.get<{ messages: Message[] }>(`/conversations/${conversation.id}/messages`))
        .status,
    ).toBe(200)

    // The peak is reset (Linux: 5 to clear_refs), so that it is the export's own.
    fs.writeFileSync(`/proc/${server.pid}/clear_refs`, '5')
    const before = residentMemory(server.pid)
    const file = path.join(dataDir, 'export.zip')
    const response = await fetch(new URL('/users/me/export', server.url), {
      headers: { authorization: `Bearer ${login.data.token}` },
    })
    expect(response.status).toBe(200)
    // Read as it comes, written to a file: the client holds nothing either.
    const out = fs.createWriteStream(file)
    for await (const chunk of response.body!) {
      if (!out.write(chunk))
        await new Promise<void>((resolve) => out.once('drain', () => resolve()))
    }
    await new Promise<void>((resolve) => out.end(() => resolve()))
    const after = residentMemory(server.pid)
    const growth = after.peak - before.rss

    const zip = await readZip(file)
    let uncompressed = 0
    try {
      for (const entry of zip.entries.values()) uncompressed += entry.size
      const json = zip.entries.get(`conversations/${conversation.id}/messages.json`)!
      const messages = JSON.parse((await json.read()).toString('utf8')) as Message[]
      expect(messages).toHaveLength(MESSAGES)
      expect(messages.at(-1)!.text).toBe(`message ${MESSAGES}: ${FILLER}`)
    } finally {
      zip.close()
    }
    console.log(
      `export of ${MESSAGES} messages: ${(uncompressed / MiB).toFixed(0)} MiB uncompressed, ` +
        `${(fs.statSync(file).size / MiB).toFixed(1)} MiB zipped; server RSS ${(before.rss / MiB).toFixed(0)} MiB ` +
        `before, peak ${(after.peak / MiB).toFixed(0)} MiB during (+${(growth / MiB).toFixed(0)} MiB)`,
    )
    // The bound means something: the export is larger than it.
    expect(uncompressed).toBeGreaterThan(100 * MiB)
    expect(growth).toBeLessThan(RSS_GROWTH_BOUND)
  })
})
