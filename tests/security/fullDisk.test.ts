import fs from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Conversation, Message, MessagePage } from '../../src/shared/models'
import {
  createConversation,
  nextClientId,
  registerTeam,
  type TestAccount,
} from '../support/accounts'
import { startHarness, type TestServer } from '../support/serverHarness'
import { canMountTmpfs, mountSmallDisk, type SmallDisk } from '../support/smallDisk'
import { uploadsBeingReceived } from '../support/store'
import {
  databaseNameFor,
  databaseUrl,
  ensureDatabase,
  onPostgres,
  postgresServerUrl,
} from '../support/testDatabase'
import { waitUntil } from '../support/waitUntil'
import type { WsTestClient } from '../support/wsTestClient'

/**
 * A full disk, for real: the server's storage on a small tmpfs that the test fills to the last
 * byte. On SQLite the data folder is there; on PostgreSQL every table and index of the test's
 * database is moved to a tablespace there (PostgreSQL refuses to extend a table with disk_full,
 * 53100), and the data folder (uploads being received) too. Needs a machine that lets the test
 * mount a tmpfs (root) and, on PostgreSQL, a test server on this machine.
 */
const postgresIsLocal =
  !onPostgres || ['127.0.0.1', 'localhost'].includes(new URL(postgresServerUrl()).hostname)
const runnable = canMountTmpfs() && postgresIsLocal
if (!runnable) {
  console.warn(
    'full-disk tests skipped: this machine does not let the tests mount a tmpfs (they need root)' +
      (postgresIsLocal ? '' : ', or the test PostgreSQL is not on this machine'),
  )
}

const STORAGE_FULL = {
  status: 'error',
  error: { code: 'storage_full', message: expect.any(String) },
}
const TEXT = 'x'.repeat(4000)

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

describe.skipIf(!runnable)('a full disk', () => {
  let disk: SmallDisk
  let server: TestServer
  let admin: TestAccount
  let alice: TestAccount
  let conversation: Conversation
  let aliceSocket: WsTestClient
  const tablespace = `t_full_${process.pid}`

  beforeAll(async () => {
    disk = mountSmallDisk(onPostgres ? 24 : 8, onPostgres ? 'nobody' : undefined)
    const dataDir = path.join(disk.dir, 'data')
    fs.mkdirSync(dataDir)
    if (onPostgres) {
      // The test's database, moved whole to a tablespace on the small disk before the server opens it.
      const spaceDir = path.join(disk.dir, 'postgres')
      fs.mkdirSync(spaceDir, { mode: 0o700 })
      fs.chownSync(spaceDir, fs.statSync(disk.dir).uid, fs.statSync(disk.dir).gid)
      await ensureDatabase(databaseNameFor(dataDir))
      await withClient(postgresServerUrl(), (client) =>
        client.query(`create tablespace ${tablespace} location '${spaceDir}'`),
      )
      await withClient(databaseUrl(databaseNameFor(dataDir)), async (client) => {
        await client.query(`alter table all in tablespace pg_default set tablespace ${tablespace}`)
        await client.query(`alter index all in tablespace pg_default set tablespace ${tablespace}`)
      })
    }
    server = await startHarness({ dataDir })
    const team = await registerTeam(server.url, ['alice'])
    admin = team.admin
    alice = team.members[0]!
    conversation = await createConversation(admin, [alice])
    aliceSocket = await alice.connect()
  })
  afterAll(async () => {
    await aliceSocket?.close()
    await server?.stop()
    if (onPostgres) {
      await withClient(postgresServerUrl(), (client) =>
        client.query(`drop tablespace if exists ${tablespace}`),
      )
    }
    disk?.unmount()
  })

  const send = (clientId: string) =>
    admin.rest.post<Message>(`/conversations/${conversation.id}/messages`, {
      text: `${TEXT} ${clientId}`,
      client_id: clientId,
    })

  it('answers 507 storage_full (not a 500 bug), says so on /healthz, and recovers once space is freed', async () => {
    expect((await send(nextClientId('ok'))).status).toBe(201)
    disk.fill()

    // Writes fail as soon as the storage needs a byte more (at once, or after a few sends that
    // fit in pages already there).
    let refusedId: string | undefined
    for (let attempt = 0; attempt < 500 && !refusedId; attempt += 1) {
      const clientId = nextClientId('full')
      const response = await send(clientId)
      if (response.status === 201) continue
      expect(response.status).toBe(507)
      expect(response.body).toEqual(STORAGE_FULL)
      refusedId = clientId
    }
    expect(refusedId, 'a send was refused').toBeDefined()

    const health = await admin.rest.get('/healthz')
    expect(health.status).toBe(503)
    expect(health.body).toEqual(STORAGE_FULL)

    // Over the socket: an error frame with the client_id, storage_full; no ack.
    const socket = await admin.connect()
    const socketId = nextClientId('socket')
    socket.send({
      type: 'send_message',
      conversation_id: conversation.id,
      text: `${TEXT} ${socketId}`,
      client_id: socketId,
    })
    const refusal = await socket.waitForError('storage_full')
    expect(refusal.client_id).toBe(socketId)

    // An upload is refused too, and leaves nothing behind.
    const upload = await fetch(
      `${server.url}/conversations/${conversation.id}/attachments?name=big.bin`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${admin.token}` },
        body: new Uint8Array(256 * 1024),
      },
    )
    expect(upload.status).toBe(507)
    expect(await upload.json()).toEqual(STORAGE_FULL)
    expect(uploadsBeingReceived(server.dataDir)).toEqual([])

    // Space comes back: /healthz says so without a restart, and the refused send goes through
    // when the client retries it (it was never stored, so it is created now, once).
    disk.free()
    await waitUntil(
      async () => (await admin.rest.get('/healthz')).status === 200,
      '/healthz to recover once space was freed',
      { timeoutMs: 20_000, intervalMs: 250 },
    )
    const retried = await send(refusedId!)
    expect(retried.status).toBe(201)
    socket.send({
      type: 'send_message',
      conversation_id: conversation.id,
      text: `${TEXT} ${socketId}`,
      client_id: socketId,
    })
    const ack = await socket.waitFor((frame) => frame.type === 'message_ack')
    expect(ack).toMatchObject({ client_id: socketId, created: true })
    await socket.close()

    // Alice got each stored message once, and nothing of what was refused before it was stored.
    const received = (await aliceSocket.sync(0))
      .filter((frame) => frame.type === 'message_received')
      .map((frame) => (frame as { data: { message: Message } }).data.message.client_id)
    expect(received.filter((id) => id === refusedId)).toHaveLength(1)
    expect(received.filter((id) => id === socketId)).toHaveLength(1)
    const history = (
      await admin.rest.get<MessagePage>(`/conversations/${conversation.id}/messages?limit=200`)
    ).data.messages.map((message) => message.client_id)
    expect(new Set(history).size).toBe(history.length)
    expect(history).toEqual(expect.arrayContaining([refusedId, socketId]))
  })
})
