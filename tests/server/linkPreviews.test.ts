import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Conversation, Message, MessagePage } from '../../src/shared/models'
import {
  createConversation,
  registerTeam,
  sendMessage,
  type TestAccount,
} from '../support/accounts'
import { PNG, previewTestResolver, startPageServer, type PageServer } from '../support/previewPages'
import { startHarness, type TestServer } from '../support/serverHarness'
import type { WsTestClient } from '../support/wsTestClient'

// Link previews through the real server: a page served on loopback, reached as `preview.test`
// (tests/support/previewPages.ts); linkPreviewFetch.test.ts has every bound and refusal of the fetch.

let pages: PageServer
let pagePort: number
const requested: string[] = []
const testResolver = previewTestResolver
const page = (path: string) => pages.at(path)

beforeAll(async () => {
  pages = await startPageServer((req, res) => {
    requested.push(req.url ?? '')
    if (req.url === '/cover.png') {
      res.writeHead(200, { 'content-type': 'image/png' }).end(PNG)
      return
    }
    res.writeHead(200, { 'content-type': 'text/html' })
    res.end(`<html><head><title>Page ${req.url}</title>
      <meta property="og:description" content="About ${req.url}">
      <meta property="og:site_name" content="Preview Test">
      <meta property="og:image" content="/cover.png"></head><body></body></html>`)
  })
  pagePort = pages.port
})

afterAll(() => pages.close())

async function getImage(server: TestServer, account: TestAccount, path: string) {
  const response = await fetch(new URL(path, server.url), {
    headers: { authorization: `Bearer ${account.token}` },
  })
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    bytes: Buffer.from(await response.arrayBuffer()),
  }
}

describe('link previews', () => {
  let server: TestServer
  let ann: TestAccount
  let bob: TestAccount
  let outsider: TestAccount
  let team: Conversation
  let bobWs: WsTestClient

  beforeAll(async () => {
    server = await startHarness({ linkPreviewResolveHost: testResolver })
    const registered = await registerTeam(server.url, ['bob', 'outsider'], 'ann')
    ann = registered.admin
    ;[bob, outsider] = registered.members as [TestAccount, TestAccount]
    team = await createConversation(ann, [bob], 'Team')
    bobWs = await bob.connect()
  })
  afterAll(async () => {
    await bobWs.close()
    await server.stop()
  })

  async function previewOf(message: Message, mark: number): Promise<Message> {
    const updated = await bobWs.waitForEvent('message_updated', {
      after: mark,
      where: (e) => e.data.message?.id === message.id,
    })
    return updated.data.message!
  }

  it('unfurls the first link of a new message, and the members get it as message_updated', async () => {
    const mark = bobWs.mark()
    const sent = await sendMessage(ann, team.id, `Read ${page('/post')} then ${page('/second')}`)
    expect(sent).not.toHaveProperty('link_preview')

    const updated = await previewOf(sent, mark)
    const preview = updated.link_preview!
    expect(preview).toEqual({
      url: page('/post'),
      title: 'Page /post',
      description: 'About /post',
      site_name: 'Preview Test',
      image_path: expect.stringMatching(/^\/link-previews\/\d+\/image$/),
    })
    expect(requested).toEqual(['/post', '/cover.png'])
    const history = await bob.rest.get<MessagePage>(`/conversations/${team.id}/messages`)
    expect(history.data.messages.find((m) => m.id === sent.id)?.link_preview).toEqual(preview)

    // The image comes from the server, to members only.
    const image = await getImage(server, bob, preview.image_path!)
    expect(image).toEqual({ status: 200, type: 'image/png', bytes: PNG })
    expect((await getImage(server, outsider, preview.image_path!)).status).toBe(404)
  })

  it('reuses a URL’s preview for the next message that links it, without fetching again', async () => {
    const before = requested.length
    const mark = bobWs.mark()
    const sent = await sendMessage(bob, team.id, `Again: ${page('/post')}`)
    expect((await previewOf(sent, mark)).link_preview?.title).toBe('Page /post')
    expect(requested.length).toBe(before)
  })

  it('lets the sender alone remove a preview', async () => {
    const mark = bobWs.mark()
    const sent = await sendMessage(ann, team.id, `Removable ${page('/removable')}`)
    await previewOf(sent, mark)

    const byBob = await bob.rest.delete(`/messages/${sent.id}/link-preview`)
    expect(byBob.status).toBe(403)
    expect((await outsider.rest.delete(`/messages/${sent.id}/link-preview`)).status).toBe(403)

    const removedMark = bobWs.mark()
    const removed = await ann.rest.delete<Message>(`/messages/${sent.id}/link-preview`)
    expect(removed.status).toBe(200)
    expect(removed.data).not.toHaveProperty('link_preview')
    expect((await previewOf(sent, removedMark)).link_preview).toBeUndefined()
  })

  it('leaves a message with a refused link as it is', async () => {
    const refused = await sendMessage(ann, team.id, `Internal: http://127.0.0.1:${pagePort}/admin`)
    // A later message's preview arrives after the refused one was decided: that refusal happens
    // before any connection, this one needs two fetches.
    const mark = bobWs.mark()
    const later = await sendMessage(ann, team.id, `Public: ${page('/later')}`)
    await previewOf(later, mark)
    expect(requested).not.toContain('/admin')
    const updates = bobWs
      .events(mark)
      .filter((e) => e.type === 'message_updated' && e.data.message?.id === refused.id)
    expect(updates).toEqual([])
  })
})

describe('link previews turned off', () => {
  it('fetches nothing', async () => {
    const server = await startHarness({ linkPreviews: false, linkPreviewResolveHost: testResolver })
    const { admin, members } = await registerTeam(server.url, ['bob'])
    const direct = await createConversation(admin, members)
    const before = requested.length
    await sendMessage(admin, direct.id, `No preview: ${page('/off')}`)
    // Stopping waits for every unfurl that was started.
    await server.stop()
    expect(requested.length).toBe(before)
  })
})
