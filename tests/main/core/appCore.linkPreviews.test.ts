import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { AnyTidingsEvent } from '../../../src/shared/events'
import type { InvokeChannel } from '../../../src/shared/ipc'
import {
  PNG,
  previewTestResolver,
  startPageServer,
  type PageServer,
} from '../../support/previewPages'
import {
  CoreFixture,
  FAST_TUNING,
  ServerFixture,
  registerPeer,
  removeDir,
  tempDir,
} from './support/coreFixture'

// The card's channels against the real server, which unfurls a page served on loopback (reached
// as `preview.test`, tests/support/previewPages.ts): the image through main, and the removal.

type UpdatedEvent = Extract<AnyTidingsEvent, { type: 'message_updated' }>

describe('app core: link previews (real server)', () => {
  let pages: PageServer
  let server: ServerFixture
  const dirs: string[] = []
  const cores: CoreFixture[] = []
  /** The preview images the cores asked the server for. */
  const imageDownloads: string[] = []

  beforeAll(async () => {
    pages = await startPageServer((req, res) => {
      if (req.url === '/cover.png') {
        res.writeHead(200, { 'content-type': 'image/png' }).end(PNG)
        return
      }
      res.writeHead(200, { 'content-type': 'text/html' })
      res.end(`<html><head><title>Notes ${req.url}</title>
        <meta property="og:image" content="/cover.png"></head></html>`)
    })
    server = new ServerFixture({ linkPreviewResolveHost: previewTestResolver })
    await server.start()
  })

  afterEach(async () => {
    for (const fixture of cores.splice(0)) await fixture.core.stop()
    for (const dir of dirs.splice(0)) removeDir(dir)
  })

  afterAll(async () => {
    await server.dispose()
    await pages.close()
  })

  async function signedIn(username: string): Promise<CoreFixture> {
    const dir = tempDir('tidings-user-')
    dirs.push(dir)
    const app = new CoreFixture(dir, server.url, {
      ...FAST_TUNING,
      fetchImpl: (input, init) => {
        if (String(input).includes('/link-previews/')) imageDownloads.push(String(input))
        return fetch(input, init)
      },
    })
    cores.push(app)
    await app.core.start()
    await app.core.handle('session/register', { username, password: 'correct horse battery' })
    await app.waitForStatus('connected')
    return app
  }

  it('reads a preview image through main once, and removes the preview of an own message', async () => {
    const alice = await signedIn('alice')
    const bob = await registerPeer(server.url, 'bob')
    const direct = await alice.core.handle('conversations/create', { member_ids: [bob.user.id] })
    const sent = await bob.rest.sendMessage(direct.id, {
      text: `Mine: ${pages.at('/alice')}`,
      client_id: 'b-0',
    })
    // Alice's own message, sent by her app: its preview arrives as message_updated.
    const mine = await alice.core.handle('messages/send', {
      conversation_id: direct.id,
      text: `Notes at ${pages.at('/notes')}`,
    })
    await alice.outputs.waitFor(
      () =>
        alice
          .events()
          .some(
            (e) =>
              e.type === 'message_updated' &&
              e.data.message?.link_preview?.url === pages.at('/notes'),
          ),
      'the preview of her message',
    )
    const withPreview = alice
      .events()
      .filter((e): e is UpdatedEvent => e.type === 'message_updated')
      .find((e) => e.data.message?.link_preview?.url === pages.at('/notes'))!.data.message!
    expect(withPreview.text).toBe(`Notes at ${pages.at('/notes')}`)
    expect(mine.client_id).toBe(withPreview.client_id)
    const imagePath = withPreview.link_preview!.image_path!

    const first = await alice.core.handle('previews/image', { image_path: imagePath })
    expect(first.mime).toBe('image/png')
    expect(new Uint8Array(first.data)).toEqual(new Uint8Array(PNG))
    const second = await alice.core.handle('previews/image', { image_path: imagePath })
    expect(new Uint8Array(second.data)).toEqual(new Uint8Array(PNG))
    expect(imageDownloads).toEqual([`${server.url}${imagePath}`])

    // Bob's message is not hers to change.
    await expect(
      alice.core.handle('previews/remove', { message_id: sent.id }),
    ).rejects.toMatchObject({ code: 'forbidden' })

    const removed = await alice.core.handle('previews/remove', { message_id: withPreview.id })
    expect(removed.id).toBe(withPreview.id)
    expect(removed).not.toHaveProperty('link_preview')
    await alice.outputs.waitFor(
      () => alice.updatesOf(withPreview.id).at(-1)?.link_preview === undefined,
      'the message without its preview',
    )
    const history = await alice.core.handle('messages/history', { conversation_id: direct.id })
    expect(history.messages.find((m) => m.id === withPreview.id)).not.toHaveProperty('link_preview')
  })

  it('refuses what is no preview image path, and passes on the server’s not_found', async () => {
    const app = await signedIn('carol')
    const rejects = async (channel: InvokeChannel, request: unknown, code = 'invalid_request') => {
      await expect(app.core.handle(channel, request as never)).rejects.toMatchObject({ code })
    }
    await rejects('previews/image', { image_path: '/conversations/1/attachments/1' })
    await rejects('previews/image', { image_path: '/link-previews/0/image' })
    await rejects('previews/image', { image_path: `${server.url}/link-previews/1/image` })
    await rejects('previews/image', { image_path: '/link-previews/1/image/../../users' })
    await rejects('previews/remove', { message_id: 0 })
    await rejects('previews/remove', { message_id: 1, extra: true })
    // Not a member of a conversation that shows it: as for an unknown id.
    await rejects('previews/image', { image_path: '/link-previews/1/image' }, 'not_found')
  })
})
