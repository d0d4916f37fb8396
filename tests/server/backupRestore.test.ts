import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { MessageAckFrame } from '../../src/shared/frames'
import type { AuthResult, Conversation, Message, MessagePage } from '../../src/shared/models'
import {
  accountFrom,
  createConversation,
  nextClientId,
  registerTeam,
  TEST_PASSWORD,
  type TestAccount,
} from '../support/accounts'
import { runCliToEnd } from '../support/cliProcess'
import { RestClient } from '../support/restClient'
import { makeDataDir, startHarness, type TestServer } from '../support/serverHarness'
import { onPostgres } from '../support/testDatabase'
import { downloadFile, sha256, uploadFile } from '../support/uploads'
import { waitUntil } from '../support/waitUntil'
import type { WsTestClient } from '../support/wsTestClient'

/** A message the server acknowledged, and when (this process's clock). */
interface Acked {
  id: number
  conversationId: number
  text: string
  ackedAt: number
}

/** Every message of a conversation, oldest first, walking history back page by page. */
async function allMessages(account: TestAccount, conversationId: number): Promise<Message[]> {
  const pages: Message[][] = []
  let before: number | null | undefined
  do {
    const query = before ? `?limit=200&before=${before}` : '?limit=200'
    const page = (
      await account.rest.get<MessagePage>(`/conversations/${conversationId}/messages${query}`)
    ).data
    pages.unshift(page.messages)
    before = page.next_before
  } while (before)
  return pages.flat()
}

const modeOf = (file: string) => fs.statSync(file).mode & 0o777

// The SQLite data folder's backup; PostgreSQL is backed up with pg_dump (docs/deploy.md), and the
// command says so (the last case runs on both).
describe.skipIf(onPostgres)('backup and restore of a SQLite server', { timeout: 240_000 }, () => {
  let source: TestServer
  let restored: TestServer | undefined
  let admin: TestAccount
  let alice: TestAccount
  let bob: TestAccount
  let group: Conversation
  let direct: Conversation
  let bobWs: WsTestClient
  const files: { conversationId: number; id: number; sha: string }[] = []
  const acked: Acked[] = []
  const work = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'tidings-backup-'))
  const archive = path.join(work, 'team.tar.gz')
  const restoredDir = path.join(work, 'restored', 'data')

  beforeAll(async () => {
    source = await startHarness()
    const team = await registerTeam(source.url, ['alice', 'bob'])
    admin = team.admin
    ;[alice, bob] = team.members as [TestAccount, TestAccount]
    group = await createConversation(admin, [alice, bob], 'Everyone')
    direct = await createConversation(alice, [bob])
    // Files of several sizes, the largest over many SQLite pages and read buffers.
    for (const [name, bytes, conversation] of [
      ['notes.txt', Buffer.from('minutes of the Monday meeting\n'), group],
      ['photo.bin', randomBytes(700_000), group],
      ['empty-ish.bin', randomBytes(1), direct],
    ] as const) {
      const file = await uploadFile(alice, conversation.id, name, bytes)
      const sent = await alice.rest.post<Message>(`/conversations/${conversation.id}/messages`, {
        text: `file ${name}`,
        client_id: nextClientId(),
        attachment_ids: [file.id],
      })
      acked.push({
        id: sent.data.id,
        conversationId: conversation.id,
        text: sent.data.text,
        ackedAt: Date.now(),
      })
      files.push({ conversationId: conversation.id, id: file.id, sha: sha256(bytes) })
    }
    bobWs = await bob.connect()
  })
  afterAll(async () => {
    await bobWs?.close()
    await restored?.stop()
    await source.stop()
    fs.rmSync(work, { recursive: true, force: true })
  })

  it('backs up under load, restores into a new folder, and the restored server has it all', async () => {
    // Load: Alice sends over REST and Bob over the socket, each waiting for the server's answer,
    // until the backup has ended.
    let loading = true
    const restLoad = (async () => {
      for (let n = 0; loading; n += 1) {
        const conversationId = n % 2 === 0 ? group.id : direct.id
        const text = `rest ${n} ${randomBytes(24).toString('hex')}`
        const response = await alice.rest.post<Message>(
          `/conversations/${conversationId}/messages`,
          { text, client_id: nextClientId('rest') },
        )
        acked.push({ id: response.data.id, conversationId, text, ackedAt: Date.now() })
      }
    })()
    const socketLoad = (async () => {
      for (let n = 0; loading; n += 1) {
        const clientId = nextClientId('ws')
        const text = `socket ${n} ${randomBytes(24).toString('hex')}`
        const mark = bobWs.mark()
        bobWs.send({ type: 'send_message', conversation_id: group.id, text, client_id: clientId })
        const ack = await bobWs.waitFor(
          (frame): frame is MessageAckFrame =>
            frame.type === 'message_ack' && frame.client_id === clientId,
          { after: mark },
        )
        acked.push({ id: ack.message.id, conversationId: group.id, text, ackedAt: Date.now() })
        // A socket may send 20 frames a second: this one keeps to about 10.
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    })()
    const failures: unknown[] = []
    for (const load of [restLoad, socketLoad]) load.catch((error: unknown) => failures.push(error))
    await waitUntil(() => acked.length >= 60 || failures.length > 0, 'the load is under way', {
      timeoutMs: 60_000,
    })
    expect(failures).toEqual([])

    const backupStartedAt = Date.now()
    const before = acked.filter((message) => message.ackedAt < backupStartedAt)
    const backup = await runCliToEnd(['backup', archive, '--data-dir', source.dataDir])
    const backupEndedAt = Date.now()
    const duringBackup = acked.filter(
      (message) => message.ackedAt >= backupStartedAt && message.ackedAt <= backupEndedAt,
    ).length
    loading = false
    await Promise.all([restLoad, socketLoad])
    expect(backup.code, backup.output).toBe(0)
    expect(backup.output).toMatch(/Backed up .* 3 attachments and the secret key\./)
    // The server went on answering while the backup ran: the backup was taken under load.
    expect(duringBackup).toBeGreaterThan(0)
    // The archive holds every message and the key: its owner's alone.
    expect(modeOf(archive)).toBe(0o600)
    expect(fs.readdirSync(work).filter((name) => name !== 'team.tar.gz')).toEqual([])

    const restore = await runCliToEnd(['restore', archive, '--data-dir', restoredDir])
    expect(restore.code, restore.output).toBe(0)
    expect(modeOf(restoredDir)).toBe(0o700)
    expect(modeOf(path.join(restoredDir, 'attachments'))).toBe(0o700)
    for (const name of ['tidings.db', 'secret.key', ...files.map((f) => `attachments/${f.id}`)]) {
      expect(modeOf(path.join(restoredDir, name)), name).toBe(0o600)
    }
    expect(fs.readFileSync(path.join(restoredDir, 'secret.key'), 'utf8')).toBe(
      fs.readFileSync(path.join(source.dataDir, 'secret.key'), 'utf8'),
    )

    restored = await startHarness({ dataDir: restoredDir })
    // Every password: each user signs in on the restored server.
    const signedIn: Record<string, TestAccount> = {}
    for (const account of [admin, alice, bob]) {
      const login = await new RestClient(restored.url).post<AuthResult>('/auth/login', {
        username: account.user.username,
        password: TEST_PASSWORD,
      })
      expect(login.status, account.user.username).toBe(200)
      signedIn[account.user.username] = accountFrom(restored.url, login.data)
    }
    const reader = signedIn.bob!
    // Every message acknowledged before the backup began, with its text.
    const stored = new Map<number, Message>()
    for (const conversation of [group, direct]) {
      for (const message of await allMessages(reader, conversation.id)) {
        stored.set(message.id, message)
      }
    }
    expect(before.length).toBeGreaterThanOrEqual(60)
    for (const message of before) {
      expect(stored.get(message.id)?.text, `message ${message.id}`).toBe(message.text)
      expect(stored.get(message.id)?.conversation_id).toBe(message.conversationId)
    }
    // Every attachment's bytes.
    for (const file of files) {
      const download = await downloadFile(reader, file.conversationId, file.id)
      expect(download.status).toBe(200)
      expect(sha256(download.bytes)).toBe(file.sha)
    }
    // And it is a working server: a new message is stored and read back.
    const after = await reader.rest.post<Message>(`/conversations/${group.id}/messages`, {
      text: 'back after the restore',
      client_id: nextClientId(),
    })
    expect(after.status).toBe(201)
  })

  it('refuses to restore over a folder that holds anything, and leaves it as it was', async () => {
    const occupied = await makeDataDir('tidings-occupied-')
    try {
      fs.writeFileSync(path.join(occupied, 'keep-me.txt'), 'mine')
      const restore = await runCliToEnd(['restore', archive, '--data-dir', occupied])
      expect(restore.code).toBe(1)
      expect(restore.output).toContain('is not empty')
      expect(fs.readdirSync(occupied)).toEqual(['keep-me.txt'])
    } finally {
      fs.rmSync(occupied, { recursive: true, force: true })
    }
  })

  it('refuses an archive that is not a Tidings backup', async () => {
    const bogus = path.join(work, 'bogus.tar.gz')
    fs.writeFileSync(bogus, 'not a tar file at all')
    const restore = await runCliToEnd(['restore', bogus, '--data-dir', path.join(work, 'x')])
    expect(restore.code).toBe(1)
    expect(fs.existsSync(path.join(work, 'x'))).toBe(false)
  })
})

describe('backup against PostgreSQL', { timeout: 120_000 }, () => {
  it('says that the command is for SQLite, and where PostgreSQL’s backup is described', async () => {
    const run = await runCliToEnd([
      'backup',
      'out.tar.gz',
      '--database-url',
      'postgres://tidings@127.0.0.1:5432/tidings',
    ])
    expect(run.code).toBe(2)
    expect(run.output).toContain('backup and restore are for a SQLite server')
    expect(run.output).toContain('pg_dump')
    expect(run.output).toContain('docs/deploy.md')
  })
})
