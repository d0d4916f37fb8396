import Database from 'better-sqlite3'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { MAX_DRAFTS_PER_ACCOUNT } from '../../../src/main/core/drafts'
import { LOCAL_DB_FILE } from '../../../src/main/core/localStore'
import type { InvokeChannel } from '../../../src/shared/ipc'
import { Limits } from '../../../src/shared/limits'
import {
  appPerTest,
  type CoreFixture,
  namesPerTest,
  registerPeer,
  serverPerFile,
  signInElsewhere,
} from './support/coreFixture'

const PASSWORD = 'correct horse battery'

/**
 * Composer drafts in the core: kept per signed-in user in the local store (so a restart keeps
 * them), gone on sign-out, bounded, and only well-formed requests reach the store.
 */
describe('app core: composer drafts (real server, real local store)', () => {
  const server = serverPerFile()
  const name = namesPerTest()
  const apps = appPerTest(server)

  async function signedIn(person = 'alice'): Promise<CoreFixture> {
    const app = await apps.start()
    await app.core.handle('session/register', { username: name(person), password: PASSWORD })
    return app
  }

  /** Switching conversations puts the drafts on disk (they are written a moment later else). */
  async function switchConversation(app: CoreFixture): Promise<void> {
    await app.core.handle('conversations/focus', { conversation_id: null })
  }

  /** The draft rows on disk, whoever they belong to. */
  function storedDraftRows(): { account: string; text: string }[] {
    const db = new Database(join(apps.userDataDir, LOCAL_DB_FILE), { readonly: true })
    try {
      return db.prepare('SELECT account, text FROM drafts').all() as never
    } finally {
      db.close()
    }
  }

  it('keeps a draft per conversation, replaces it, and deletes it when emptied', async () => {
    const app = await signedIn()
    expect(await app.core.handle('drafts/list', undefined)).toEqual([])
    await app.core.handle('drafts/set', { conversation_id: 3, text: 'see you at' })
    await app.core.handle('drafts/set', { conversation_id: 4, text: 'Dear team,\n' })
    await app.core.handle('drafts/set', { conversation_id: 3, text: 'see you at noon' })
    // Most recently changed first.
    expect(await app.core.handle('drafts/list', undefined)).toEqual([
      { conversation_id: 3, text: 'see you at noon' },
      { conversation_id: 4, text: 'Dear team,\n' },
    ])
    await app.core.handle('drafts/set', { conversation_id: 3, text: '' })
    // Blank is what an emptied composer leaves: no draft either.
    await app.core.handle('drafts/set', { conversation_id: 4, text: ' \n ' })
    expect(await app.core.handle('drafts/list', undefined)).toEqual([])
    await switchConversation(app)
    expect(storedDraftRows()).toEqual([])
  })

  it('writes the drafts to disk when the user switches conversations', async () => {
    const app = await signedIn()
    await app.core.handle('drafts/set', { conversation_id: 3, text: 'see you at noon' })
    await switchConversation(app)
    expect(storedDraftRows()).toEqual([
      { account: expect.stringMatching(/#\d+$/), text: 'see you at noon' },
    ])
  })

  it('survives a restart of the core on the same data folder', async () => {
    const first = await signedIn()
    await first.core.handle('drafts/set', { conversation_id: 8, text: 'older' })
    await first.core.handle('drafts/set', { conversation_id: 7, text: 'unfinished thought' })
    // Quitting right after typing: stopping writes what was not written yet.
    await first.core.stop()

    const second = await apps.start()
    expect(second.core.sessionState().user?.username).toBe(name('alice'))
    expect(await second.core.handle('drafts/list', undefined)).toEqual([
      { conversation_id: 7, text: 'unfinished thought' },
      { conversation_id: 8, text: 'older' },
    ])
  })

  it('keeps each user’s drafts apart', async () => {
    const app = await signedIn('alice')
    await registerPeer(server.url, name('bob'))
    await app.core.handle('drafts/set', { conversation_id: 1, text: 'alice writes' })

    // Another account signs in on this machine (no sign-out in between): none of Alice's.
    await app.core.handle('session/login', { username: name('bob'), password: PASSWORD })
    expect(await app.core.handle('drafts/list', undefined)).toEqual([])
    await app.core.handle('drafts/set', { conversation_id: 1, text: 'bob writes' })

    await app.core.handle('session/login', { username: name('alice'), password: PASSWORD })
    expect(await app.core.handle('drafts/list', undefined)).toEqual([
      { conversation_id: 1, text: 'alice writes' },
    ])
  })

  it('forgets every draft of the user on sign-out, on disk too', async () => {
    const app = await signedIn()
    await app.core.handle('drafts/set', { conversation_id: 1, text: 'private words' })
    await app.core.handle('drafts/set', { conversation_id: 2, text: 'more private words' })
    await switchConversation(app)
    expect(storedDraftRows()).toHaveLength(2)
    await app.core.handle('drafts/set', { conversation_id: 3, text: 'not on disk yet' })
    await app.core.handle('session/logout', undefined)
    expect(storedDraftRows()).toEqual([])
    await expect(app.core.handle('drafts/list', undefined)).rejects.toMatchObject({
      code: 'not_signed_in',
    })
    await app.core.handle('session/login', { username: name('alice'), password: PASSWORD })
    expect(await app.core.handle('drafts/list', undefined)).toEqual([])
  })

  it('forgets them as well when another device signs this one out', async () => {
    const app = await signedIn()
    await app.waitForStatus('connected')
    await app.core.handle('drafts/set', { conversation_id: 1, text: 'private words' })
    await switchConversation(app)
    expect(storedDraftRows()).toHaveLength(1)
    const elsewhere = await signInElsewhere(server.url, name('alice'))
    await elsewhere.signOutOthers()
    await app.outputs.waitFor(() => app.core.sessionState().user === null, 'signed out')
    expect(storedDraftRows()).toEqual([])
  })

  it('drops the draft of a conversation once its message is sent', async () => {
    const app = await signedIn()
    const jane = await registerPeer(server.url, name('jane'))
    const conversation = await app.core.handle('conversations/create', {
      member_ids: [jane.user.id],
    })
    await app.core.handle('drafts/set', { conversation_id: conversation.id, text: 'hello Jane' })
    await app.core.handle('drafts/set', { conversation_id: 99, text: 'elsewhere' })
    await app.core.handle('messages/send', { conversation_id: conversation.id, text: 'hello Jane' })
    expect(await app.core.handle('drafts/list', undefined)).toEqual([
      { conversation_id: 99, text: 'elsewhere' },
    ])
  })

  it('drops the draft of a conversation the user was removed from', async () => {
    const app = await signedIn()
    await app.waitForStatus('connected')
    const me = app.core.sessionState().user!.id
    const jane = await registerPeer(server.url, name('jane'))
    const group = await jane.rest.createConversation({ member_ids: [me], title: 'Plans' })
    await app.core.handle('drafts/set', { conversation_id: group.id, text: 'I think we' })
    await jane.rest.removeMember(group.id, me)
    await app.outputs.waitFor(
      () => app.events().some((e) => e.type === 'conversation_updated' && e.data.removed === true),
      'removed',
    )
    expect(await app.core.handle('drafts/list', undefined)).toEqual([])
  })

  it('bounds a draft to a message’s length and the drafts to MAX_DRAFTS_PER_ACCOUNT', async () => {
    const app = await signedIn()
    const longest = 'x'.repeat(Limits.maxMessageChars)
    await app.core.handle('drafts/set', { conversation_id: 1, text: longest })
    await expect(
      app.core.handle('drafts/set', { conversation_id: 1, text: `${longest}x` }),
    ).rejects.toMatchObject({ code: 'invalid_request' })
    expect((await app.core.handle('drafts/list', undefined))[0]?.text).toBe(longest)

    // One more than the bound: the least recently changed (conversation 1) makes room.
    for (let id = 2; id <= MAX_DRAFTS_PER_ACCOUNT + 1; id++) {
      await app.core.handle('drafts/set', { conversation_id: id, text: `draft ${id}` })
    }
    const drafts = await app.core.handle('drafts/list', undefined)
    expect(drafts).toHaveLength(MAX_DRAFTS_PER_ACCOUNT)
    expect(drafts[0]).toEqual({
      conversation_id: MAX_DRAFTS_PER_ACCOUNT + 1,
      text: `draft ${MAX_DRAFTS_PER_ACCOUNT + 1}`,
    })
    expect(drafts.some((d) => d.conversation_id === 1)).toBe(false)
    await switchConversation(app)
    expect(storedDraftRows()).toHaveLength(MAX_DRAFTS_PER_ACCOUNT)
  })

  it('refuses malformed requests, and any request without a session', async () => {
    const app = await apps.start()
    const rejects = async (channel: InvokeChannel, request: unknown, code: string) => {
      await expect(app.core.handle(channel, request as never)).rejects.toMatchObject({ code })
    }
    await rejects('drafts/set', { conversation_id: 1, text: 'hi' }, 'not_signed_in')
    await rejects('drafts/list', undefined, 'not_signed_in')
    await app.core.handle('session/register', { username: name('alice'), password: PASSWORD })
    for (const bad of [
      undefined,
      { conversation_id: 1 },
      { text: 'hi' },
      { conversation_id: 0, text: 'hi' },
      { conversation_id: -4, text: 'hi' },
      { conversation_id: 1.5, text: 'hi' },
      { conversation_id: '1', text: 'hi' },
      { conversation_id: 1, text: 42 },
      { conversation_id: 1, text: 'hi', account: 'someone-else' },
      'hi',
    ]) {
      await rejects('drafts/set', bad, 'invalid_request')
    }
    await rejects('drafts/list', { all: true }, 'invalid_request')
    expect(await app.core.handle('drafts/list', undefined)).toEqual([])
  })
})
