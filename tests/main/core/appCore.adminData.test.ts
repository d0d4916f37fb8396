import { readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { DataExportProgress } from '../../../src/shared/ipc'
import type { Conversation } from '../../../src/shared/models'
import { readZip } from '../../support/zipReader'
import {
  CoreFixture,
  registerPeer,
  removeDir,
  ServerFixture,
  tempDir,
  type Peer,
} from './support/coreFixture'

/**
 * The settings window's data channels through the core, on the real server: the retention
 * policy (admin/getRetention, admin/setRetention) and "Export my data" (session/exportData, with
 * session/exportProgress pushes and the save dialog).
 */
describe('app core: retention policy and data export (real server)', () => {
  const server = new ServerFixture()
  const dirs: string[] = []
  let admin: CoreFixture
  let member: CoreFixture
  let bob: Peer
  let conversation: Conversation

  function newCore(): CoreFixture {
    const dir = tempDir('tidings-user-')
    dirs.push(dir)
    return new CoreFixture(dir, server.url)
  }

  beforeAll(async () => {
    await server.start()
    // The first account of the server is its admin.
    admin = newCore()
    await admin.core.start()
    await admin.core.handle('session/register', {
      username: 'admin',
      password: 'correct horse battery',
    })
    bob = await registerPeer(server.url, 'bob')
    member = newCore()
    await member.core.start()
    await member.core.handle('session/register', {
      username: 'carol',
      password: 'correct horse battery',
    })
    conversation = await member.core.handle('conversations/create', {
      member_ids: [bob.user.id],
    })
    await member.core.handle('messages/send', {
      conversation_id: conversation.id,
      text: 'minutes of the <meeting>',
    })
    await bob.rest.sendMessage(conversation.id, { text: 'thanks!', client_id: 'bob-1' })
  })
  afterEach(() => {
    member.savePath = null
  })
  afterAll(async () => {
    await admin.core.stop()
    await member.core.stop()
    await server.dispose()
    for (const dir of dirs) removeDir(dir)
  })

  it('reads and sets the retention policy for an admin', async () => {
    expect(await admin.core.handle('admin/getRetention', undefined)).toEqual({
      message_retention_days: null,
    })
    expect(await admin.core.handle('admin/setRetention', { message_retention_days: 30 })).toEqual({
      message_retention_days: 30,
    })
    expect(await admin.core.handle('admin/getRetention', undefined)).toEqual({
      message_retention_days: 30,
    })
    await admin.core.handle('admin/setRetention', { message_retention_days: null })
  })

  it('passes the server’s refusal on to a member, who stays signed in', async () => {
    await expect(member.core.handle('admin/getRetention', undefined)).rejects.toMatchObject({
      code: 'forbidden',
    })
    await expect(
      member.core.handle('admin/setRetention', { message_retention_days: 1 }),
    ).rejects.toMatchObject({ code: 'forbidden' })
    expect(member.core.sessionState().user?.username).toBe('carol')
    expect(await admin.core.handle('admin/getRetention', undefined)).toEqual({
      message_retention_days: null,
    })
  })

  it('saves the export where the save dialog says, whole, telling its progress', async () => {
    const folder = tempDir('tidings-export-save-')
    dirs.push(folder)
    const target = join(folder, 'my-data.zip')
    writeFileSync(target, 'an older export')
    const before = statSync(target).ino
    member.savePath = target
    const pushes = member.pushCount

    const result = await member.core.handle('session/exportData', undefined)
    expect(result.saved).toBe(true)
    expect(result.bytes).toBe(statSync(target).size)
    // Renamed over the old file, never written into it; nothing else left in the folder.
    expect(statSync(target).ino).not.toBe(before)
    expect(readdirSync(folder)).toEqual(['my-data.zip'])
    // The dialog was offered the server's name for it.
    expect(member.saveDialogs.at(-1)).toMatch(/^tidings-export-carol-\d{4}-\d{2}-\d{2}\.zip$/)
    const progress = member.outputs.pushes
      .slice(pushes)
      .filter((push) => push.channel === 'session/exportProgress')
      .map((push) => push.payload as DataExportProgress)
    expect(progress[0]).toEqual({ state: 'receiving', bytes: 0 })
    expect(progress.at(-1)).toEqual({ state: 'saved', bytes: result.bytes })

    const zip = await readZip(target)
    try {
      const messages = JSON.parse(
        (
          await zip.entries.get(`conversations/${conversation.id}/messages.json`)!.read()
        ).toString(),
      ) as { text: string }[]
      expect(messages.map((m) => m.text)).toEqual(['minutes of the <meeting>', 'thanks!'])
    } finally {
      zip.close()
    }
  })

  it('writes nothing when the dialog is cancelled', async () => {
    member.savePath = null
    const dialogs = member.saveDialogs.length
    expect(await member.core.handle('session/exportData', undefined)).toEqual({
      saved: false,
      bytes: 0,
    })
    expect(member.saveDialogs).toHaveLength(dialogs + 1)
  })

  it('fails without a partial file when the folder cannot be written', async () => {
    const folder = tempDir('tidings-export-fail-')
    dirs.push(folder)
    member.savePath = join(folder, 'missing', 'my-data.zip')
    const pushes = member.pushCount
    await expect(member.core.handle('session/exportData', undefined)).rejects.toMatchObject({
      code: 'save_failed',
    })
    expect(readdirSync(folder)).toEqual([])
    const last = member.outputs.pushes
      .slice(pushes)
      .filter((push) => push.channel === 'session/exportProgress')
      .at(-1)
    expect((last?.payload as DataExportProgress).state).toBe('failed')
  })

  it('refuses a request that is not one', async () => {
    await expect(
      member.core.handle('admin/setRetention', { message_retention_days: 0 } as never),
    ).rejects.toThrow()
  })
})
