import type http from 'node:http'
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
import { waitUntil } from '../support/waitUntil'
import type { WsTestClient } from '../support/wsTestClient'

// Link previews through the real server: a page served on loopback, reached as `preview.test`
// (tests/support/previewPages.ts); linkPreviewFetch.test.ts has every bound and refusal of the fetch.

let pages: PageServer
let pagePort: number
const requested: string[] = []
/** Paths whose page is held back until their gate is opened (an unfurl caught half-way). */
const gates = new Map<string, { open(): void; opened: Promise<void> }>()

function gate(path: string): () => void {
  let open!: () => void
  const opened = new Promise<void>((resolve) => (open = resolve))
  gates.set(path, { open, opened })
  return open
}
const testResolver = previewTestResolver
const page = (path: string) => pages.at(path)

beforeAll(async () => {
  pages = await startPageServer((req, res) => void serve(req, res))
  pagePort = pages.port
})

async function serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  requested.push(req.url ?? '')
  await gates.get(req.url ?? '')?.opened
  if (req.url?.startsWith('/broken')) {
    res.writeHead(500, { 'content-type': 'text/html' }).end('<title>Down</title>')
    return
  }
  if (req.url === '/cover.png') {
    res.writeHead(200, { 'content-type': 'image/png' }).end(PNG)
    return
  }
  res.writeHead(200, { 'content-type': 'text/html' })
  res.end(`<html><head><title>Page ${req.url}</title>
    <meta property="og:description" content="About ${req.url}">
    <meta property="og:site_name" content="Preview Test">
    <meta property="og:image" content="/cover.png"></head><body></body></html>`)
}

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

/** A server that may read the test pages; Ann and Bob in a team conversation, and an outsider. */
async function startTeam() {
  const server = await startHarness({ linkPreviewResolveHost: testResolver })
  const registered = await registerTeam(server.url, ['bob', 'outsider'], 'ann')
  const [bob, outsider] = registered.members as [TestAccount, TestAccount]
  const team = await createConversation(registered.admin, [bob], 'Team')
  return { server, ann: registered.admin, bob, outsider, team }
}

describe('link previews', () => {
  let server: TestServer
  let ann: TestAccount
  let bob: TestAccount
  let outsider: TestAccount
  let team: Conversation
  let bobWs: WsTestClient

  beforeAll(async () => {
    ;({ server, ann, bob, outsider, team } = await startTeam())
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

  it('unfurls the new first link of an edited message, and drops the preview with its link', async () => {
    const mark = bobWs.mark()
    const sent = await sendMessage(ann, team.id, `Draft at ${page('/edit-one')}`)
    expect((await previewOf(sent, mark)).link_preview?.url).toBe(page('/edit-one'))

    // The same first link: the preview stays, and nothing is fetched.
    const before = requested.length
    const same = await ann.rest.patch<Message>(`/messages/${sent.id}`, {
      text: `Final draft at ${page('/edit-one')}, and ${page('/edit-extra')}`,
    })
    expect(same.data.link_preview?.url).toBe(page('/edit-one'))

    // Another first link: the edit's own message_updated has no preview, the next one the new.
    const editMark = bobWs.mark()
    const moved = await ann.rest.patch<Message>(`/messages/${sent.id}`, {
      text: `Moved to ${page('/edit-two')}`,
    })
    expect(moved.data).not.toHaveProperty('link_preview')
    const reunfurled = await bobWs.waitForEvent('message_updated', {
      after: editMark,
      where: (e) => e.data.message?.id === sent.id && e.data.message.link_preview !== undefined,
    })
    expect(reunfurled.data.message!.link_preview).toMatchObject({
      url: page('/edit-two'),
      title: 'Page /edit-two',
    })
    expect(requested.slice(before)).toEqual(['/edit-two', '/cover.png'])

    // No link left: no preview, in the answer and in history.
    const plain = await ann.rest.patch<Message>(`/messages/${sent.id}`, { text: 'No link now' })
    expect(plain.data).not.toHaveProperty('link_preview')
    const history = await bob.rest.get<MessagePage>(`/conversations/${team.id}/messages`)
    expect(history.data.messages.find((m) => m.id === sent.id)).not.toHaveProperty('link_preview')
  })

  it('answers 404 for removing the preview of an unknown message', async () => {
    const unknown = await ann.rest.delete(`/messages/999999/link-preview`)
    expect(unknown.status).toBe(404)
    expect(unknown.error.code).toBe('not_found')
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

// These stop the server to know that every unfurl it started is done (stopping waits for them):
// what must not happen then has had every chance to.
describe('link previews and edits or removals during an unfurl', () => {
  let server: TestServer
  let ann: TestAccount
  let bob: TestAccount
  let team: Conversation

  beforeAll(async () => {
    ;({ server, ann, bob, team } = await startTeam())
  })
  afterAll(() => server.stop())

  async function inHistory(id: number): Promise<Message> {
    const history = await bob.rest.get<MessagePage>(`/conversations/${team.id}/messages`)
    return history.data.messages.find((m) => m.id === id)!
  }

  it('keeps a preview removed while its page was being read, and through an edit', async () => {
    const open = gate('/slow-removed')
    const sent = await sendMessage(ann, team.id, `Soon ${page('/slow-removed')}`)
    await waitUntil(() => requested.includes('/slow-removed'), 'the page was asked for')

    // Nothing shown yet, so nothing to tell anyone; the removal holds all the same.
    const removed = await ann.rest.delete<Message>(`/messages/${sent.id}/link-preview`)
    expect(removed.status).toBe(200)
    open()
    const edited = await ann.rest.patch<Message>(`/messages/${sent.id}`, {
      text: `Elsewhere ${page('/after-removal')}`,
    })
    expect(edited.data).not.toHaveProperty('link_preview')

    await server.restart()
    expect(await inHistory(sent.id)).not.toHaveProperty('link_preview')
    // The edit fetched nothing: the sender does not want a preview on this message.
    expect(requested).not.toContain('/after-removal')
    // Removing again changes nothing.
    expect((await ann.rest.delete(`/messages/${sent.id}/link-preview`)).status).toBe(200)
  })

  it('attaches the preview of a link that an edit kept while its page was being read', async () => {
    const open = gate('/slow-kept')
    const sent = await sendMessage(ann, team.id, `Tpyo ${page('/slow-kept')}`)
    await waitUntil(() => requested.includes('/slow-kept'), 'the page was asked for')
    await ann.rest.patch(`/messages/${sent.id}`, { text: `Typo fixed: ${page('/slow-kept')}` })
    open()

    await server.restart()
    expect((await inHistory(sent.id)).link_preview?.url).toBe(page('/slow-kept'))
  })

  it('does not attach the preview of a link that an edit took out meanwhile', async () => {
    const open = gate('/slow-replaced')
    const sent = await sendMessage(ann, team.id, `First ${page('/slow-replaced')}`)
    await waitUntil(() => requested.includes('/slow-replaced'), 'the page was asked for')
    await ann.rest.patch(`/messages/${sent.id}`, { text: 'Then no link at all' })
    open()

    await server.restart()
    expect(requested).toContain('/cover.png')
    expect(await inHistory(sent.id)).not.toHaveProperty('link_preview')
  })

  it('remembers a page that gave nothing, and does not read it again for the next message', async () => {
    const first = await sendMessage(ann, team.id, `Down: ${page('/broken')}`)
    await server.restart()
    const second = await sendMessage(bob, team.id, `Still down? ${page('/broken')}`)
    await server.restart()

    expect(requested.filter((path) => path === '/broken')).toEqual(['/broken'])
    expect(await inHistory(first.id)).not.toHaveProperty('link_preview')
    expect(await inHistory(second.id)).not.toHaveProperty('link_preview')
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
