import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Limits } from '../../../src/shared/limits'
import {
  CoreFixture,
  freshName,
  registerPeer,
  removeDir,
  serverPerFile,
  tempDir,
} from './support/coreFixture'

describe('app core: searching messages (real server)', () => {
  const server = serverPerFile()
  let app: CoreFixture
  const dirs: string[] = []

  beforeEach(async () => {
    const dir = tempDir('tidings-user-')
    dirs.push(dir)
    app = new CoreFixture(dir, server.url)
    await app.core.start()
    await app.core.handle('session/register', {
      username: freshName('alice'),
      password: 'correct horse battery',
    })
  })

  afterEach(async () => {
    await app.core.stop()
    for (const dir of dirs.splice(0)) removeDir(dir)
  })

  it('finds messages over REST, pages with before, and refuses bad queries', async () => {
    const bob = await registerPeer(server.url, freshName('bob'), 'bob')
    const direct = await app.core.handle('conversations/create', { member_ids: [bob.user.id] })
    const sent = []
    for (let i = 1; i <= 3; i++) {
      sent.push(
        await bob.rest.sendMessage(direct.id, { text: `Ferry schedule ${i}`, client_id: `c-${i}` }),
      )
    }
    await bob.rest.sendMessage(direct.id, { text: 'Unrelated', client_id: 'c-x' })

    const first = await app.core.handle('messages/search', { q: 'ferr sched', limit: 2 })
    expect(first.results.map((r) => r.message.id)).toEqual([sent[2]!.id, sent[1]!.id])
    expect(first.results[0]).toMatchObject({
      conversation_id: direct.id,
      conversation_title: null,
      message: { sender_name: 'bob', text: 'Ferry schedule 3' },
      snippet: [
        { text: 'Ferry', match: true },
        { text: ' ', match: false },
        { text: 'schedule', match: true },
        { text: ' 3', match: false },
      ],
    })
    expect(first.next_before).toBe(sent[1]!.id)
    const second = await app.core.handle('messages/search', {
      q: 'ferr sched',
      before: first.next_before!,
      conversation_id: direct.id,
    })
    expect(second).toEqual({
      results: [expect.objectContaining({ snippet: expect.any(Array) })],
      next_before: null,
    })
    expect(second.results[0]!.message.id).toBe(sent[0]!.id)

    // Refused in main before any request: empty, too long, unknown fields.
    for (const request of [
      { q: '' },
      { q: 'x'.repeat(Limits.maxSearchQueryChars + 1) },
      { q: 'ok', limit: Limits.searchMaxPageSize + 1 },
      { q: 'ok', extra: true },
    ]) {
      await expect(
        app.core.handle('messages/search', request as { q: string }),
        JSON.stringify(request).slice(0, 40),
      ).rejects.toMatchObject({ code: 'invalid_request' })
    }
    // Refused by the server: blank.
    await expect(app.core.handle('messages/search', { q: '   ' })).rejects.toMatchObject({
      code: 'invalid_request',
    })
  })
})
