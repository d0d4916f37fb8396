import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { InvokeChannel } from '../../../src/shared/ipc'
import type { Conversation } from '../../../src/shared/models'
import {
  CoreFixture,
  FAST_TUNING,
  ServerFixture,
  registerPeer,
  removeDir,
  tempDir,
  type Peer,
} from './support/coreFixture'

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4])

describe('app core: attachments (real server)', () => {
  let server: ServerFixture
  const dirs: string[] = []
  const cores: CoreFixture[] = []

  function newCore(dir = tempDir('tidings-user-')): CoreFixture {
    dirs.push(dir)
    const app = new CoreFixture(dir, server.url)
    cores.push(app)
    return app
  }

  async function aliceAndBob(): Promise<{
    app: CoreFixture
    bob: Peer
    conversation: Conversation
  }> {
    const app = newCore()
    await app.core.start()
    await app.core.handle('session/register', {
      username: 'alice',
      password: 'correct horse battery',
    })
    await app.waitForStatus('connected')
    const bob = await registerPeer(server.url, 'bob')
    const conversation = await app.core.handle('conversations/create', {
      member_ids: [bob.user.id],
    })
    return { app, bob, conversation }
  }

  beforeEach(async () => {
    server = new ServerFixture()
    await server.start()
  })

  afterEach(async () => {
    for (const fixture of cores.splice(0)) await fixture.core.stop()
    await server.dispose()
    for (const dir of dirs.splice(0)) removeDir(dir)
  })

  it('uploads, sends the file alone, and reads it back (from memory the second time)', async () => {
    let downloads = 0
    const dir = tempDir('tidings-user-')
    dirs.push(dir)
    // Counts the downloads the core makes, to see the second read served from its cache.
    const counting = new CoreFixture(dir, server.url, {
      ...FAST_TUNING,
      fetchImpl: (input, init) => {
        if (String(input).includes('/attachments/')) downloads += 1
        return fetch(input, init)
      },
    })
    cores.push(counting)
    await counting.core.start()
    await counting.core.handle('session/register', {
      username: 'alice',
      password: 'correct horse battery',
    })
    await counting.waitForStatus('connected')
    const bob = await registerPeer(server.url, 'bob')
    const conversation = await counting.core.handle('conversations/create', {
      member_ids: [bob.user.id],
    })

    const attachment = await counting.core.handle('attachments/upload', {
      conversation_id: conversation.id,
      name: 'dot.png',
      mime: 'image/png',
      data: PNG,
    })
    expect(attachment).toEqual({
      id: expect.any(Number),
      name: 'dot.png',
      mime: 'image/png',
      size: 12,
    })
    const item = await counting.core.handle('messages/send', {
      conversation_id: conversation.id,
      text: '',
      attachment_ids: [attachment.id],
    })
    expect(item.attachment_ids).toEqual([attachment.id])
    await counting.outputs.waitFor(
      () =>
        counting.outputs
          .payloads('outbox/changed')
          .some((i) => i.client_id === item.client_id && i.status === 'sent'),
      'the send',
    )
    const history = await bob.rest.history(conversation.id)
    expect(history.messages.at(-1)?.attachments).toEqual([attachment])

    const request = { conversation_id: conversation.id, attachment_id: attachment.id }
    const first = await counting.core.handle('attachments/read', request)
    expect(first.mime).toBe('image/png')
    expect(new Uint8Array(first.data)).toEqual(PNG)
    const second = await counting.core.handle('attachments/read', request)
    expect(new Uint8Array(second.data)).toEqual(PNG)
    expect(downloads).toBe(1)
  })

  it('saves a file where the dialog says, and nothing when it is cancelled', async () => {
    const { app, conversation } = await aliceAndBob()
    const text = new TextEncoder().encode('meeting notes')
    const attachment = await app.core.handle('attachments/upload', {
      conversation_id: conversation.id,
      name: 'notes.txt',
      mime: 'text/plain',
      data: text,
    })
    const target = join(tempDir('tidings-save-'), 'chosen.txt')
    dirs.push(join(target, '..'))
    app.savePath = target
    const request = {
      conversation_id: conversation.id,
      attachment_id: attachment.id,
      name: '../../notes.txt',
    }
    expect(await app.core.handle('attachments/save', request)).toEqual({ saved: true })
    expect(readFileSync(target, 'utf8')).toBe('meeting notes')
    // The dialog is offered the name without the folders the renderer put in front of it.
    expect(app.saveDialogs).toEqual(['....notes.txt'])
    app.savePath = null
    expect(await app.core.handle('attachments/save', request)).toEqual({ saved: false })
  })

  it('saves a whole new file in place of the old one, never writing into it, and leaves nothing else', async () => {
    const { app, conversation } = await aliceAndBob()
    const attachment = await app.core.handle('attachments/upload', {
      conversation_id: conversation.id,
      name: 'minutes.txt',
      mime: 'text/plain',
      data: new TextEncoder().encode('Decisions: ship Friday'),
    })
    const folder = tempDir('tidings-save-')
    dirs.push(folder)
    const target = join(folder, 'minutes.txt')
    writeFileSync(target, 'an older version')
    const before = statSync(target).ino
    app.savePath = target
    const request = { conversation_id: conversation.id, attachment_id: attachment.id }
    expect(await app.core.handle('attachments/save', { ...request, name: 'minutes.txt' })).toEqual({
      saved: true,
    })
    // Written under another name and renamed over it: a reader of the target never sees it
    // empty or half written (as one did in e2e, reading while the write was under way).
    expect(statSync(target).ino).not.toBe(before)
    expect(readFileSync(target, 'utf8')).toBe('Decisions: ship Friday')
    expect(readdirSync(folder)).toEqual(['minutes.txt'])
    // A folder that is not there: the save fails and leaves no partial file behind.
    app.savePath = join(folder, 'missing', 'minutes.txt')
    await expect(
      app.core.handle('attachments/save', { ...request, name: 'minutes.txt' }),
    ).rejects.toThrow()
    expect(readdirSync(folder)).toEqual(['minutes.txt'])
  })

  it('keeps a send with files queued offline across an app restart', async () => {
    const { app, bob, conversation } = await aliceAndBob()
    const attachment = await app.core.handle('attachments/upload', {
      conversation_id: conversation.id,
      name: 'plan.pdf',
      mime: 'application/pdf',
      data: new TextEncoder().encode('%PDF-1.7'),
    })
    const mark = app.pushCount
    await server.stop()
    await app.waitForStatus('reconnecting', mark)
    const queued = await app.core.handle('messages/send', {
      conversation_id: conversation.id,
      text: 'The plan',
      attachment_ids: [attachment.id],
    })
    expect(queued).toMatchObject({ status: 'pending', attachment_ids: [attachment.id] })
    await app.core.stop()
    await server.start()

    const restarted = newCore(app.userDataDir)
    await restarted.core.start()
    await restarted.outputs.waitFor(
      () => restarted.outputs.payloads('outbox/changed').some((i) => i.status === 'sent'),
      'the queued send',
    )
    const sent = restarted.outputs.payloads('outbox/changed').find((i) => i.status === 'sent')
    expect(sent?.attachment_ids).toEqual([attachment.id])
    expect(sent?.message?.attachments).toEqual([attachment])
    const history = await bob.rest.history(conversation.id)
    expect(history.messages.at(-1)?.attachments).toEqual([attachment])
  })

  it('says an upload needs a connection when offline', async () => {
    const { app, conversation } = await aliceAndBob()
    app.core.setNetworkOnline(false)
    const upload = {
      conversation_id: conversation.id,
      name: 'a.txt',
      mime: 'text/plain',
      data: new Uint8Array([1]),
    }
    await expect(app.core.handle('attachments/upload', upload)).rejects.toMatchObject({
      code: 'offline',
      message: 'Attachments need a connection.',
    })
    app.core.setNetworkOnline(true)
    // The server gone: the same answer, not a timeout's.
    await server.stop()
    await expect(app.core.handle('attachments/upload', upload)).rejects.toMatchObject({
      code: 'offline',
    })
  })

  it('refuses bad requests before they reach the server', async () => {
    const { app, conversation } = await aliceAndBob()
    const rejects = async (channel: string, request: unknown, code = 'invalid_request') => {
      await expect(
        app.core.handle(channel as InvokeChannel, request as never),
      ).rejects.toMatchObject({ code })
    }
    const upload = {
      conversation_id: conversation.id,
      name: 'a.txt',
      mime: 'text/plain',
      data: new Uint8Array([1]),
    }
    await rejects('attachments/upload', { ...upload, data: [1, 2, 3] })
    await rejects('attachments/upload', { ...upload, data: new Uint8Array(0) })
    await rejects('attachments/upload', { ...upload, name: '' })
    await rejects('attachments/upload', { ...upload, name: 'a'.repeat(256) })
    await rejects('attachments/upload', { ...upload, extra: true })
    await rejects('attachments/read', { conversation_id: conversation.id, attachment_id: 0 })
    await rejects('attachments/save', { conversation_id: conversation.id, attachment_id: 1 })
    await rejects('messages/send', { conversation_id: conversation.id, text: ' ' })
    await rejects('messages/send', {
      conversation_id: conversation.id,
      text: '',
      attachment_ids: [1, 1],
    })
    await rejects('messages/send', {
      conversation_id: conversation.id,
      text: '',
      attachment_ids: Array.from({ length: 11 }, (_, i) => i + 1),
    })
    // The server's refusals keep their codes: someone else's conversation, an unknown file.
    await rejects(
      'attachments/read',
      { conversation_id: conversation.id, attachment_id: 999 },
      'not_found',
    )
  })
})
