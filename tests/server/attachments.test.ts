import { createHash } from 'node:crypto'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SCHEMA_VERSION } from '../../server/storage/migrations'
import type { MessageAckFrame } from '../../src/shared/frames'
import type { Attachment, Conversation, Message, MessagePage } from '../../src/shared/models'
import {
  accountFrom,
  createConversation,
  nextClientId,
  registerTeam,
  sendMessage,
  type TestAccount,
} from '../support/accounts'
import { RestResponse } from '../support/restClient'
import { rewindSqliteSchema } from '../support/sqliteSchema'
import { openStore, storedAttachmentBytes, uploadsBeingReceived } from '../support/store'
import { onPostgres } from '../support/testDatabase'
import { startHarness, type TestServer } from '../support/serverHarness'
import { waitUntil } from '../support/waitUntil'
import type { WsTestClient } from '../support/wsTestClient'

const NOT_SENDABLE =
  'attachment_ids must name your own uploads to this conversation that no message carries yet.'
/** Small, so a too-large upload costs the test nothing. */
const MAX_BYTES = 4096

const messagesPath = (conversationId: number) => `/conversations/${conversationId}/messages`
const attachmentPath = (conversationId: number, attachmentId: number) =>
  `/conversations/${conversationId}/attachments/${attachmentId}`

/** A raw upload: the body is the bytes, the type the file's. */
async function upload(
  account: TestAccount,
  conversationId: number,
  name: string | undefined,
  bytes: Uint8Array | ReadableStream<Uint8Array>,
  type = 'application/octet-stream',
): Promise<RestResponse<{ attachment: Attachment }>> {
  const query = name === undefined ? '' : `?name=${encodeURIComponent(name)}`
  const url = `/conversations/${conversationId}/attachments${query}`
  const response = await fetch(new URL(url, account.rest.baseUrl), {
    method: 'POST',
    headers: { authorization: `Bearer ${account.token}`, 'content-type': type },
    body: bytes,
    // A stream has no length: it goes out chunked.
    ...(bytes instanceof ReadableStream ? { duplex: 'half' } : {}),
  } as RequestInit)
  const text = await response.text()
  return new RestResponse('POST', url, response.status, response.headers, JSON.parse(text), text)
}

async function download(account: TestAccount, conversationId: number, attachmentId: number) {
  const response = await fetch(
    new URL(attachmentPath(conversationId, attachmentId), account.rest.baseUrl),
    { headers: { authorization: `Bearer ${account.token}` } },
  )
  return { response, bytes: new Uint8Array(await response.arrayBuffer()) }
}

const bytesOf = (text: string) => new TextEncoder().encode(text)
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

describe('attachments', () => {
  let server: TestServer
  let admin: TestAccount
  let alice: TestAccount
  let outsider: TestAccount
  let direct: Conversation
  let other: Conversation
  let adminWs: WsTestClient
  let aliceWs: WsTestClient

  const storedBytes = (id: number) => storedAttachmentBytes(server.dataDir, id)

  beforeAll(async () => {
    server = await startHarness({ attachmentMaxBytes: MAX_BYTES })
    const team = await registerTeam(server.url, ['alice', 'outsider'])
    admin = team.admin
    ;[alice, outsider] = team.members as [TestAccount, TestAccount]
    direct = await createConversation(admin, [alice])
    other = await createConversation(admin, [outsider])
    ;[adminWs, aliceWs] = await Promise.all([admin.connect(), alice.connect()])
  })
  afterAll(async () => {
    await Promise.all([adminWs.close(), aliceWs.close()])
    await server.stop()
  })

  async function history(account: TestAccount, conversationId: number): Promise<Message[]> {
    return (await account.rest.get<MessagePage>(`${messagesPath(conversationId)}?limit=200`)).data
      .messages
  }

  async function uploaded(
    account: TestAccount,
    conversationId: number,
    name = 'notes.txt',
    content = `file ${nextClientId()}`,
    type = 'text/plain',
  ): Promise<Attachment> {
    const response = await upload(account, conversationId, name, bytesOf(content), type)
    expect(response.status).toBe(201)
    return response.data.attachment
  }

  it('stores an upload under its id with its size and SHA-256 (201)', async () => {
    const bytes = new Uint8Array(3000).map((_, i) => (i * 7) % 256)
    const response = await upload(alice, direct.id, 'photo.png', bytes, 'image/png')
    expect(response.status).toBe(201)
    const { attachment } = response.data
    expect(attachment).toEqual({
      id: expect.any(Number),
      name: 'photo.png',
      mime: 'image/png',
      size: 3000,
    })
    expect(new Uint8Array((await storedBytes(attachment.id))!)).toEqual(bytes)
    const store = await openStore(server.dataDir)
    const [row] = await store.all(
      'select sha256, uploader_id, message_id from attachments where id = ?',
      attachment.id,
    )
    await store.close()
    expect(row).toEqual({ sha256: sha256(bytes), uploader_id: alice.user.id, message_id: null })
    // Only finished files are kept: no temporary file is left behind.
    expect(uploadsBeingReceived(server.dataDir)).toEqual([])
  })

  it('keeps only the last part of a name with path separators; refuses a missing or long one', async () => {
    expect((await uploaded(alice, direct.id, '../../etc/passwd')).name).toBe('....etcpasswd')
    expect((await uploaded(alice, direct.id, 'C:\\Users\\a\\report.pdf')).name).toBe(
      'C:Usersareport.pdf',
    )
    for (const name of [undefined, '', 'a'.repeat(256), '///']) {
      const response = await upload(alice, direct.id, name, bytesOf('x'))
      expect(response.status, String(name)).toBe(400)
      expect(response.error.code).toBe('invalid_request')
    }
    const empty = await upload(alice, direct.id, 'empty.txt', new Uint8Array(0))
    expect(empty.status).toBe(400)
    expect(empty.error.message).toBe('The file is empty.')
  })

  it('refuses a file over the limit with 413, whether its length is declared or not, and stays up', async () => {
    const tooLarge = await upload(alice, direct.id, 'big.bin', new Uint8Array(MAX_BYTES + 1))
    expect(tooLarge.status).toBe(413)
    expect(tooLarge.error).toEqual({
      code: 'payload_too_large',
      message: `The file is larger than the limit of ${MAX_BYTES} bytes.`,
    })
    // Chunked: the server finds out only while receiving it.
    const chunks = [new Uint8Array(MAX_BYTES), new Uint8Array(MAX_BYTES)]
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const chunk = chunks.shift()
        if (chunk) controller.enqueue(chunk)
        else controller.close()
      },
    })
    const streamed = await upload(alice, direct.id, 'big.bin', stream)
    expect(streamed.status).toBe(413)
    expect(streamed.error.code).toBe('payload_too_large')
    // Nothing of them is kept, and the next request is served.
    await waitUntil(
      () => uploadsBeingReceived(server.dataDir).length === 0,
      'the partial files are removed',
    )
    expect((await upload(alice, direct.id, 'exact.bin', new Uint8Array(MAX_BYTES))).status).toBe(
      201,
    )
  })

  it('lets only members upload and download (403)', async () => {
    const mine = await uploaded(admin, other.id)
    const refused = await upload(alice, other.id, 'x.txt', bytesOf('x'))
    expect(refused.status).toBe(403)
    expect(refused.error.code).toBe('forbidden')
    const sent = await admin.rest.post<Message>(messagesPath(other.id), {
      text: '',
      client_id: nextClientId(),
      attachment_ids: [mine.id],
    })
    expect(sent.status).toBe(201)
    const { response } = await download(alice, other.id, mine.id)
    expect(response.status).toBe(403)
    expect((await download(outsider, other.id, mine.id)).response.status).toBe(200)
  })

  it('sends files: the events of every member, the answer and history carry them; a text message has no field', async () => {
    const image = await uploaded(alice, direct.id, 'cat.png', 'png bytes', 'image/png')
    const notes = await uploaded(alice, direct.id, 'notes.txt')
    const marks = [adminWs.mark(), aliceWs.mark()] as const
    const response = await alice.rest.post<Message>(messagesPath(direct.id), {
      text: 'Two files',
      client_id: nextClientId(),
      attachment_ids: [notes.id, image.id],
    })
    expect(response.status).toBe(201)
    expect(response.data.attachments).toEqual([image, notes])
    const received = await adminWs.waitForEvent('message_received', {
      after: marks[0],
      where: (e) => e.data.message.id === response.data.id,
    })
    expect(received.data.message).toEqual(response.data)
    const sent = await aliceWs.waitForEvent('message_sent', {
      after: marks[1],
      where: (e) => e.data.message.id === response.data.id,
    })
    expect(sent.data.message.attachments).toEqual([image, notes])
    expect((await history(admin, direct.id)).find((m) => m.id === response.data.id)).toEqual(
      response.data,
    )
    const list = (await admin.rest.get<Conversation[]>('/conversations')).data
    expect(list.find((c) => c.id === direct.id)?.last_message?.attachments).toEqual([image, notes])

    const text = await sendMessage(alice, direct.id, 'Just words')
    expect('attachments' in text).toBe(false)
    const textEvent = await adminWs.waitForEvent('message_received', {
      after: marks[0],
      where: (e) => e.data.message.id === text.id,
    })
    expect('attachments' in textEvent.data.message).toBe(false)
    const stored = (await history(admin, direct.id)).find((m) => m.id === text.id)!
    expect('attachments' in stored).toBe(false)
  })

  it('sends a file alone over the socket; a retry answers with what was stored', async () => {
    const file = await uploaded(admin, direct.id, 'report.pdf', '%PDF', 'application/pdf')
    const clientId = nextClientId('ws')
    const mark = adminWs.mark()
    const frame = {
      type: 'send_message',
      conversation_id: direct.id,
      text: '',
      client_id: clientId,
      attachment_ids: [file.id],
    }
    adminWs.send(frame)
    const ack = await adminWs.waitFor(
      (f): f is MessageAckFrame => f.type === 'message_ack' && f.client_id === clientId,
      { after: mark },
    )
    expect(ack.created).toBe(true)
    expect(ack.message.text).toBe('')
    expect(ack.message.attachments).toEqual([file])

    const retry = await admin.rest.post<Message>(messagesPath(direct.id), {
      text: '',
      client_id: clientId,
      attachment_ids: [file.id],
    })
    expect(retry.status).toBe(200)
    expect(retry.data).toEqual(ack.message)
    // Without files, a blank text is still refused.
    const blank = await admin.rest.post(messagesPath(direct.id), {
      text: '  ',
      client_id: nextClientId(),
    })
    expect(blank.status).toBe(400)
  })

  it('refuses ids of another user, another conversation, already sent or unknown alike (400)', async () => {
    const aliceUpload = await uploaded(alice, direct.id)
    const otherUpload = await uploaded(admin, other.id)
    const sentOne = await uploaded(admin, direct.id)
    await admin.rest.post<Message>(messagesPath(direct.id), {
      text: 'first',
      client_id: nextClientId(),
      attachment_ids: [sentOne.id],
    })
    const fresh = await uploaded(admin, direct.id)
    const before = await history(admin, direct.id)
    for (const ids of [[aliceUpload.id], [otherUpload.id], [sentOne.id], [fresh.id, 987_654]]) {
      const response = await admin.rest.post(messagesPath(direct.id), {
        text: 'with files',
        client_id: nextClientId(),
        attachment_ids: ids,
      })
      expect(response.status, JSON.stringify(ids)).toBe(400)
      expect(response.error).toEqual({ code: 'invalid_request', message: NOT_SENDABLE })
    }
    // Nothing was stored, and the refused send did not claim the good id either.
    expect(await history(admin, direct.id)).toEqual(before)
    const later = await admin.rest.post<Message>(messagesPath(direct.id), {
      text: '',
      client_id: nextClientId(),
      attachment_ids: [fresh.id],
    })
    expect(later.data.attachments).toEqual([fresh])
    for (const ids of [[], [fresh.id, fresh.id], Array.from({ length: 11 }, (_, i) => i + 1)]) {
      const response = await admin.rest.post(messagesPath(direct.id), {
        text: 'x',
        client_id: nextClientId(),
        attachment_ids: ids,
      })
      expect(response.status, JSON.stringify(ids)).toBe(400)
    }
  })

  it('serves a file with safe headers: nosniff, an RFC 5987 name, octet-stream unless an image', async () => {
    const html = await uploaded(
      alice,
      direct.id,
      'Résumé «final».html',
      '<script>1</script>',
      'text/html',
    )
    const png = await uploaded(alice, direct.id, 'dot.png', 'png', 'image/png; charset=binary')
    await alice.rest.post<Message>(messagesPath(direct.id), {
      text: '',
      client_id: nextClientId(),
      attachment_ids: [html.id, png.id],
    })
    const { response, bytes } = await download(admin, direct.id, html.id)
    expect(response.status).toBe(200)
    expect(new TextDecoder().decode(bytes)).toBe('<script>1</script>')
    expect(response.headers.get('content-type')).toBe('application/octet-stream')
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    expect(response.headers.get('content-length')).toBe(String(bytes.length))
    expect(response.headers.get('cache-control')).toBe('private, max-age=31536000, immutable')
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="R_sum_ _final_.html"; filename*=UTF-8''R%C3%A9sum%C3%A9%20%C2%ABfinal%C2%BB.html`,
    )
    const image = await download(admin, direct.id, png.id)
    expect(png.mime).toBe('image/png')
    expect(image.response.headers.get('content-type')).toBe('image/png')
    // Another conversation's path, an unknown id: not found.
    expect((await download(admin, other.id, png.id)).response.status).toBe(404)
    expect((await download(admin, direct.id, 987_654)).response.status).toBe(404)
  })

  it('shows an unsent upload to its uploader only', async () => {
    const unsent = await uploaded(alice, direct.id)
    expect((await download(alice, direct.id, unsent.id)).response.status).toBe(200)
    expect((await download(admin, direct.id, unsent.id)).response.status).toBe(404)
  })

  it('removes the files of a deleted message', async () => {
    const file = await uploaded(alice, direct.id)
    const sent = await alice.rest.post<Message>(messagesPath(direct.id), {
      text: 'soon gone',
      client_id: nextClientId(),
      attachment_ids: [file.id],
    })
    expect(await storedBytes(file.id)).toBeDefined()
    const deleted = await alice.rest.delete<Message>(`/messages/${sent.data.id}`)
    expect('attachments' in deleted.data).toBe(false)
    await waitUntil(async () => (await storedBytes(file.id)) === undefined, 'the file is removed')
    expect((await download(alice, direct.id, file.id)).response.status).toBe(404)
    const tombstone = (await history(admin, direct.id)).find((m) => m.id === sent.data.id)!
    expect('attachments' in tombstone).toBe(false)
  })
})

describe('unsent uploads', () => {
  let server: TestServer
  let after: TestServer | undefined

  afterAll(async () => {
    await after?.stop()
    await server.stop()
  })

  it('are removed a day after their upload (the sweep at start-up), sent ones are kept', async () => {
    server = await startHarness()
    const { admin, members } = await registerTeam(server.url, ['alice'])
    const direct = await createConversation(admin, [members[0]!])
    const post = (name: string) => upload(admin, direct.id, name, bytesOf(name))
    const stale = (await post('stale.txt')).data.attachment
    const sent = (await post('sent.txt')).data.attachment
    const recent = (await post('recent.txt')).data.attachment
    await admin.rest.post(messagesPath(direct.id), {
      text: '',
      client_id: nextClientId(),
      attachment_ids: [sent.id],
    })
    await server.close()

    // The clock is the uploads' own: while the server is down, their upload times move back, as
    // if a day (or a little less) had passed since.
    const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3600_000).toISOString()
    const store = await openStore(server.dataDir)
    const setCreated = 'update attachments set created_at = ? where id = ?'
    await store.all(setCreated, hoursAgo(24.1), stale.id)
    await store.all(setCreated, hoursAgo(30), sent.id)
    await store.all(setCreated, hoursAgo(23.9), recent.id)
    await store.close()

    // Another port: no pooled connection to the first server is reused.
    after = await startHarness({ dataDir: server.dataDir })
    const bytesOfId = (id: number) => storedAttachmentBytes(after!.dataDir, id)
    await waitUntil(
      async () => (await bytesOfId(stale.id)) === undefined,
      'the stale file is removed',
    )
    expect(await bytesOfId(recent.id)).toBeDefined()
    expect(await bytesOfId(sent.id)).toBeDefined()
    const adminNow = accountFrom(after.url, { token: admin.token, user: admin.user })
    expect((await download(adminNow, direct.id, stale.id)).response.status).toBe(404)
    expect((await download(adminNow, direct.id, recent.id)).response.status).toBe(200)
  })
})

// The upgrade of a SQLite file made by an older server; PostgreSQL has no such history.
describe.skipIf(onPostgres)('attachments on a database from before them (migration 9)', () => {
  let before: TestServer
  let after: TestServer | undefined

  afterAll(async () => {
    await after?.stop()
    await before.stop()
  })

  it('adds the table: older messages have no files, and new ones can be sent', async () => {
    before = await startHarness()
    const { admin, members } = await registerTeam(before.url, ['alice'])
    const direct = await createConversation(admin, [members[0]!])
    const old = await sendMessage(admin, direct.id, 'Written before attachments existed')
    await before.close()

    // The file as a server of schema version 8 left it: no attachments table.
    rewindSqliteSchema(join(before.dataDir, 'tidings.db'), 8)

    after = await startHarness({ dataDir: before.dataDir })
    const upgraded = new Database(join(after.dataDir, 'tidings.db'), { readonly: true })
    expect(upgraded.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION)
    expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(11)
    upgraded.close()
    const adminNow = accountFrom(after.url, { token: admin.token, user: admin.user })
    const page = await adminNow.rest.get<MessagePage>(messagesPath(direct.id))
    expect(page.data.messages).toEqual([old])
    const attachment = (await upload(adminNow, direct.id, 'new.txt', bytesOf('new'))).data
      .attachment
    const sent = await adminNow.rest.post<Message>(messagesPath(direct.id), {
      text: '',
      client_id: nextClientId(),
      attachment_ids: [attachment.id],
    })
    expect(sent.data.attachments).toEqual([attachment])
  })
})
