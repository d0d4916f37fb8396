import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startServer } from '../../server/startServer'
import { createConversation, registerTeam, sendMessage } from '../support/accounts'
import { RestClient } from '../support/restClient'
import {
  TEST_SERVER_DEFAULTS,
  makeDataDir,
  startHarness,
  type TestServer,
} from '../support/serverHarness'
import { onPostgres } from '../support/testDatabase'

/** Every folder and file under `dir` (itself included) with its permission bits. */
function modes(dir: string): Map<string, number> {
  const found = new Map<string, number>()
  const walk = (entry: string) => {
    const stat = fs.statSync(entry)
    found.set(path.relative(dir, entry) || '.', stat.mode & 0o777)
    if (stat.isDirectory()) for (const name of fs.readdirSync(entry)) walk(path.join(entry, name))
  }
  walk(dir)
  return found
}

/** Asserts that every folder is 0700 and every file 0600. */
function expectPrivate(dir: string): void {
  for (const [entry, mode] of modes(dir)) {
    const isDir = fs.statSync(path.join(dir, entry)).isDirectory()
    expect(mode.toString(8), entry).toBe(isDir ? '700' : '600')
  }
}

const servers: TestServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()))
})

async function upload(baseUrl: string, token: string, conversationId: number): Promise<void> {
  const response = await fetch(
    `${baseUrl}/conversations/${conversationId}/attachments?name=a.txt`,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
      body: 'the bytes of a file',
    },
  )
  expect(response.status).toBe(201)
}

describe('the data folder', () => {
  it('is the owner’s alone: the folder 0700 and every file in it 0600', async () => {
    const server = await startHarness()
    servers.push(server)
    const { admin, members } = await registerTeam(server.url, ['alice'])
    const conversation = await createConversation(admin, [members[0]!])
    await sendMessage(admin, conversation.id, 'history nobody else may read')
    await upload(server.url, admin.token, conversation.id)
    expectPrivate(server.dataDir)
    if (!onPostgres) {
      const files = [...modes(server.dataDir).keys()]
      expect(files).toEqual(
        expect.arrayContaining(['tidings.db', 'tidings.db-wal', 'tidings.db-shm', 'secret.key']),
      )
    }
  })

  it('tightens a folder an earlier version left readable to everyone', async () => {
    const server = await startHarness()
    servers.push(server)
    const { admin, members } = await registerTeam(server.url, ['alice'])
    const conversation = await createConversation(admin, [members[0]!])
    await upload(server.url, admin.token, conversation.id)
    await server.close()
    for (const [entry] of modes(server.dataDir)) {
      const full = path.join(server.dataDir, entry)
      fs.chmodSync(full, fs.statSync(full).isDirectory() ? 0o755 : 0o644)
    }
    await server.start()
    expectPrivate(server.dataDir)
  })
})

describe.skipIf(onPostgres)('a lost database', () => {
  /** A server that ran, wrote history and an attachment, and was stopped. */
  async function usedFolder(): Promise<string> {
    const dataDir = await makeDataDir('tidings-lost-')
    const server = await startHarness({ dataDir })
    servers.push(server)
    const { admin, members } = await registerTeam(server.url, ['alice'])
    const conversation = await createConversation(admin, [members[0]!])
    await upload(server.url, admin.token, conversation.id)
    await server.close()
    return dataDir
  }
  const start = (dataDir: string, init = false) =>
    startServer({ ...TEST_SERVER_DEFAULTS, dataDir, ...(init ? { init } : {}) })

  it('is not taken for a new server: a missing tidings.db beside secret.key stops the start', async () => {
    const dataDir = await usedFolder()
    for (const name of ['tidings.db', 'tidings.db-wal', 'tidings.db-shm']) {
      fs.rmSync(path.join(dataDir, name), { force: true })
    }
    const refusal = start(dataDir)
    await expect(refusal).rejects.toThrow(/tidings\.db is missing/)
    await expect(refusal).rejects.toThrow(/restore tidings\.db from a backup, or start with --init/)
    await expect(refusal).rejects.toThrow(/secret\.key and attachments/)
    // Nothing was made in its place.
    expect(fs.existsSync(path.join(dataDir, 'tidings.db'))).toBe(false)
  })

  it('is not taken for a new server: neither is an empty one', async () => {
    const dataDir = await usedFolder()
    for (const name of ['tidings.db-wal', 'tidings.db-shm']) {
      fs.rmSync(path.join(dataDir, name), { force: true })
    }
    fs.truncateSync(path.join(dataDir, 'tidings.db'), 0)
    await expect(start(dataDir)).rejects.toThrow(/tidings\.db is empty/)
  })

  it('starts a new, empty server when told so with init', async () => {
    const dataDir = await usedFolder()
    fs.rmSync(path.join(dataDir, 'tidings.db'))
    fs.rmSync(path.join(dataDir, 'tidings.db-wal'), { force: true })
    const server = await start(dataDir, true)
    try {
      const status = await new RestClient(server.url).get('/auth/status')
      expect(status.data).toMatchObject({ needs_first_account: true })
    } finally {
      await server.close()
    }
  })

  it('is no obstacle to a first start in a new or empty folder', async () => {
    const dataDir = await makeDataDir('tidings-fresh-')
    const server = await startHarness({ dataDir })
    servers.push(server)
    expect((await new RestClient(server.url).get('/auth/status')).status).toBe(200)
  })
})
