import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EXPORT_PAGE, type ExportProfile } from '../../server/services/dataExport'
import type { Conversation, Message } from '../../src/shared/models'
import {
  createConversation,
  nextClientId,
  registerTeam,
  sendMessage,
  type TestAccount,
} from '../support/accounts'
import { startHarness, type TestServer } from '../support/serverHarness'
import { openStore } from '../support/store'
import { sha256, uploadFile } from '../support/uploads'
import { readZip, type OpenZip } from '../support/zipReader'

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tidings-export-'))

/** Downloads `account`'s export to a file; returns the response and the file. */
export async function downloadExport(
  account: TestAccount,
  name: string,
): Promise<{ response: Response; file: string }> {
  const response = await fetch(new URL('/users/me/export', account.rest.baseUrl), {
    headers: { authorization: `Bearer ${account.token}` },
  })
  const file = path.join(work, name)
  if (response.body) await pipeline(Readable.fromWeb(response.body), fs.createWriteStream(file))
  return { response, file }
}

const text = async (zip: OpenZip, name: string) => {
  const entry = zip.entries.get(name)
  if (!entry) throw new Error(`no ${name} in ${[...zip.entries.keys()].join(', ')}`)
  return (await entry.read()).toString('utf8')
}
const parsed = async <T>(zip: OpenZip, name: string) => JSON.parse(await text(zip, name)) as T

describe('export my data', () => {
  let server: TestServer
  let alice: TestAccount
  let bob: TestAccount
  let carol: TestAccount
  let group: Conversation
  let bobAndCarol: Conversation
  const tricky = `<script>alert("x")</script> & <b>'bold'</b>`
  const photo = Buffer.from('not really a png, but bytes all the same')
  let photoId: number
  let secretFileId: number
  const groupMessages: Message[] = []

  beforeAll(async () => {
    server = await startHarness()
    const team = await registerTeam(server.url, ['alice', 'bob', 'carol'])
    ;[alice, bob, carol] = team.members as [TestAccount, TestAccount, TestAccount]
    group = await createConversation(alice, [bob], 'Plans & <Ideas>')
    bobAndCarol = await createConversation(bob, [carol])
    groupMessages.push(await sendMessage(alice, group.id, tricky))
    photoId = (await uploadFile(bob, group.id, 'holiday "photo".png', photo, 'image/png')).id
    groupMessages.push(
      (
        await bob.rest.post<Message>(`/conversations/${group.id}/messages`, {
          text: 'the photo',
          client_id: nextClientId(),
          attachment_ids: [photoId],
        })
      ).data,
    )
    const deleted = await sendMessage(alice, group.id, 'regretted words')
    await alice.rest.delete(`/messages/${deleted.id}`)
    await sendMessage(bob, bobAndCarol.id, 'between bob and carol only')
    secretFileId = (await uploadFile(bob, bobAndCarol.id, 'secret.txt', Buffer.from('secret'))).id
    await bob.rest.post(`/conversations/${bobAndCarol.id}/messages`, {
      text: '',
      client_id: nextClientId(),
      attachment_ids: [secretFileId],
    })
  })
  afterAll(async () => {
    await server.stop()
    fs.rmSync(work, { recursive: true, force: true })
  })

  it('is a ZIP of the caller’s profile, conversations, messages and files, and nothing of others', async () => {
    const { response, file } = await downloadExport(alice, 'alice.zip')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/zip')
    expect(response.headers.get('content-disposition')).toMatch(
      /^attachment; filename="tidings-export-alice-\d{4}-\d{2}-\d{2}\.zip"/,
    )
    expect(response.headers.get('cache-control')).toBe('no-store')
    const zip = await readZip(file)
    try {
      const profile = await parsed<ExportProfile>(zip, 'profile.json')
      expect(profile.user).toEqual(alice.user)
      expect(profile.timezone).toBe('UTC')
      const conversations = await parsed<Conversation[]>(zip, 'conversations.json')
      expect(conversations.map((c) => c.id)).toEqual([group.id])
      const messages = await parsed<Message[]>(zip, `conversations/${group.id}/messages.json`)
      // Deleted messages are not exported: they are tombstones with nothing left to say.
      expect(messages.map((m) => [m.id, m.text])).toEqual(groupMessages.map((m) => [m.id, m.text]))
      expect(messages[1]!.attachments).toEqual([
        { id: photoId, name: 'holiday "photo".png', mime: 'image/png', size: photo.length },
      ])
      const photoEntry = zip.entries.get(`attachments/${photoId}-holiday "photo".png`)
      expect(sha256(await photoEntry!.read())).toBe(sha256(photo))
      // Nothing of Bob and Carol's conversation: no conversation, no messages, no file.
      const names = [...zip.entries.keys()]
      expect(names.filter((name) => name.includes(String(bobAndCarol.id) + '/'))).toEqual([])
      expect(names.some((name) => name.startsWith(`attachments/${secretFileId}-`))).toBe(false)
      for (const name of names) {
        expect(await text(zip, name)).not.toContain('between bob and carol only')
      }
      // The readable pages: escaped, with no script and no remote resource.
      const index = await text(zip, 'index.html')
      expect(index).toContain(
        `<a href="conversations/${group.id}.html">Plans &amp; &lt;Ideas&gt;</a>`,
      )
      expect(index).toContain('Tidings export of Alice')
      const thread = await text(zip, `conversations/${group.id}.html`)
      expect(thread).toContain(
        '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;&#39;bold&#39;&lt;/b&gt;',
      )
      expect(thread).not.toContain('<script>')
      expect(thread).not.toContain('regretted words')
      expect(thread).toContain(
        `<a href="../attachments/${photoId}-holiday%20%22photo%22.png">holiday &quot;photo&quot;.png</a>`,
      )
      expect(thread).toContain("default-src 'none'")
    } finally {
      zip.close()
    }
  })

  it('gives Carol her own conversations and not Alice’s', async () => {
    const { file } = await downloadExport(carol, 'carol.zip')
    const zip = await readZip(file)
    try {
      const conversations = await parsed<Conversation[]>(zip, 'conversations.json')
      expect(conversations.map((c) => c.id)).toEqual([bobAndCarol.id])
      expect(zip.entries.has(`attachments/${secretFileId}-secret.txt`)).toBe(true)
      expect(zip.entries.has(`attachments/${photoId}-holiday "photo".png`)).toBe(false)
    } finally {
      zip.close()
    }
  })

  it('walks long histories page by page, every message once and in order', async () => {
    const total = EXPORT_PAGE * 2 + 37
    const store = await openStore(server.dataDir)
    try {
      await store.all(
        `with recursive n(i) as (select 1 union all select i + 1 from n where i < ?)
         insert into messages (conversation_id, sender_id, client_id, text, created_at)
         select ?, ?, 'paged-' || i, 'paged message ' || i, ? from n`,
        total,
        group.id,
        bob.user.id,
        new Date().toISOString(),
      )
    } finally {
      await store.close()
    }
    const { file } = await downloadExport(alice, 'alice-long.zip')
    const zip = await readZip(file)
    try {
      const messages = await parsed<Message[]>(zip, `conversations/${group.id}/messages.json`)
      const paged = messages.filter((m) => m.text.startsWith('paged message '))
      expect(paged.map((m) => m.text)).toEqual(
        Array.from({ length: total }, (_, i) => `paged message ${i + 1}`),
      )
      const ids = messages.map((m) => m.id)
      expect(ids).toEqual([...ids].sort((a, b) => a - b))
      expect(new Set(ids).size).toBe(ids.length)
      const thread = await text(zip, `conversations/${group.id}.html`)
      expect(thread.match(/<li id="m\d+">/g)).toHaveLength(messages.length)
    } finally {
      zip.close()
    }
  })

  it('does not hold a server close: neither an export nobody reads nor a connection with no request', async () => {
    // A download the client stopped reading: the export is large enough to fill the socket.
    const stalled = await fetch(new URL('/users/me/export', server.url), {
      headers: { authorization: `Bearer ${alice.token}` },
    })
    expect(stalled.status).toBe(200)
    // A connection opened and never used (an HTTP client's pool opens such ones ahead of need).
    const idle = net.connect(server.port, '127.0.0.1')
    await new Promise<void>((resolve) => idle.once('connect', resolve))
    const idleClosed = new Promise<void>((resolve) => idle.once('close', () => resolve()))
    idle.resume()
    const started = Date.now()
    await server.close()
    // A close that waited on either would wait out a deadline (10 s for a first request, 72 s
    // of keep-alive for the export): both are cut at once.
    expect(Date.now() - started).toBeLessThan(5_000)
    await idleClosed
    await expect(stalled.arrayBuffer()).rejects.toThrow()
    await server.start()
  })

  it('is refused without a valid token', async () => {
    const anonymous = await fetch(new URL('/users/me/export', server.url))
    expect(anonymous.status).toBe(401)
    const forged = await fetch(new URL('/users/me/export', server.url), {
      headers: { authorization: 'Bearer not-a-token' },
    })
    expect(forged.status).toBe(401)
  })
})
