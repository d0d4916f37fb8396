import type http from 'node:http'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { boundedFetch, FetchRefusedError } from '../../server/previews/boundedFetch'
import { isPublicAddress } from '../../server/net/publicAddressGuard'
import { resolvePublicHost } from '../../server/previews/publicAddress'
import { firstLink, linkPreviewLimits, unfurl } from '../../server/previews/unfurl'
import { PNG, previewTestResolver, startPageServer, type PageServer } from '../support/previewPages'

// Link previews fetch pages on a user's behalf: these tests run real HTTP servers on loopback,
// reached as `preview.test` (tests/support/previewPages.ts); the refusal tests use the real policy.

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void

let pages: PageServer
let port: number
let routes: Map<string, Handler>
/** Every request the server received, path and headers: a refused fetch must add none. */
let received: { path: string; headers: http.IncomingHttpHeaders }[]

const testResolver = previewTestResolver
const at = (path: string) => pages.at(path)
const loopback = (path: string) => `http://127.0.0.1:${port}${path}`

function html(head: string, body = '<p>Body</p>'): Handler {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
    res.end(`<!doctype html><html><head>${head}</head><body>${body}</body></html>`)
  }
}

function redirect(to: string, extra: http.OutgoingHttpHeaders = {}): Handler {
  return (_req, res) => {
    res.writeHead(302, { location: to, ...extra })
    res.end()
  }
}

beforeAll(async () => {
  pages = await startPageServer((req, res) => {
    received.push({ path: req.url ?? '', headers: req.headers })
    const handler = routes.get(req.url ?? '')
    if (handler) handler(req, res)
    else res.writeHead(404).end()
  })
  port = pages.port
})

afterAll(() => pages.close())

beforeEach(() => {
  routes = new Map()
  received = []
})

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(FetchRefusedError)
  return (error as Error).message
}

describe('which addresses the server may reach', () => {
  it('only public unicast addresses', () => {
    for (const address of ['93.184.215.14', '2606:4700:4700::1111', '8.8.8.8']) {
      expect(isPublicAddress(address), address).toBe(true)
    }
    for (const address of [
      '127.0.0.1',
      '127.8.9.10',
      '::1',
      '0.0.0.0',
      '::',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254', // cloud metadata
      'fd00:ec2::254', // AWS metadata over IPv6
      'fe80::1',
      '100.64.0.1', // carrier-grade NAT
      '224.0.0.1',
      '255.255.255.255',
      '::ffff:127.0.0.1', // IPv4-mapped loopback
      '::ffff:169.254.169.254',
      '2002:7f00:1::1', // 6to4 of 127.0.0.1
      '64:ff9b::a9fe:a9fe', // NAT64 of 169.254.169.254
      'not an address',
    ]) {
      expect(isPublicAddress(address), address).toBe(false)
    }
  })
})

describe('link preview fetches', () => {
  it('reads OpenGraph tags and fetches the image server-side, sending no cookie', async () => {
    routes.set(
      '/article',
      html(`<title>Plain title</title>
        <meta property="og:title" content="Ship &amp; tell">
        <meta property="og:description" content="What we shipped this week">
        <meta property="og:site_name" content="Tidings blog">
        <meta property="og:image" content="/cover.png">`),
    )
    routes.set('/cover.png', (_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png' })
      res.end(PNG)
    })
    const text = `Have a look: ${at('/article')} and ${at('/other')}`
    expect(firstLink(text)).toBe(at('/article'))

    const preview = await unfurl(firstLink(text)!, testResolver)

    expect(preview).toEqual({
      url: at('/article'),
      title: 'Ship & tell',
      description: 'What we shipped this week',
      siteName: 'Tidings blog',
      image: { mime: 'image/png', bytes: PNG },
    })
    expect(received.map((r) => r.path)).toEqual(['/article', '/cover.png'])
    for (const r of received) {
      expect(r.headers.cookie).toBeUndefined()
      expect(r.headers.authorization).toBeUndefined()
      expect(r.headers['accept-encoding']).toBe('identity')
    }
  })

  it('falls back to <title> and the description meta; a page with neither gives no preview', async () => {
    routes.set(
      '/plain',
      html(`<TITLE>  Release
        notes </TITLE><meta name="description" content="Fixes &lt;and&gt; more">`),
    )
    routes.set('/empty', html('<meta charset="utf-8">'))
    expect(await unfurl(at('/plain'), testResolver)).toEqual({
      url: at('/plain'),
      title: 'Release notes',
      description: 'Fixes <and> more',
    })
    expect(await unfurl(at('/empty'), testResolver)).toBeNull()
  })

  it('refuses loopback, private and metadata addresses however they are written, before connecting', async () => {
    routes.set('/', html('<title>Inside</title>'))
    for (const url of [
      loopback('/'),
      `http://localhost:${port}/`,
      `http://[::1]:${port}/`,
      `http://[::ffff:127.0.0.1]:${port}/`,
      `http://2130706433:${port}/`, // 127.0.0.1 as one number
      `http://0x7f.1:${port}/`,
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.1/',
      'http://192.168.0.1/',
    ]) {
      expect(await refusal(boundedFetch(url, linkPreviewLimits.page, resolvePublicHost))).toMatch(
        /not a public address/,
      )
      expect(await unfurl(url, resolvePublicHost)).toBeNull()
    }
    expect(received).toEqual([])
  })

  it('refuses other schemes and URLs with credentials', async () => {
    for (const url of [
      'file:///etc/passwd',
      'ftp://example.com/',
      `http://u:p@preview.test:${port}/`,
    ]) {
      await refusal(boundedFetch(url, linkPreviewLimits.page, testResolver))
    }
    expect(received).toEqual([])
  })

  it('checks every redirect: one to a loopback address is refused before it is followed', async () => {
    routes.set('/hop', redirect(loopback('/inside'), { 'set-cookie': 'session=1' }))
    routes.set('/hop-name', redirect(`http://localhost:${port}/inside`))
    routes.set('/inside', html('<title>Inside</title>'))
    expect(await refusal(boundedFetch(at('/hop'), linkPreviewLimits.page, testResolver))).toMatch(
      /127\.0\.0\.1.*not a public address/,
    )
    expect(
      await refusal(boundedFetch(at('/hop-name'), linkPreviewLimits.page, testResolver)),
    ).toMatch(/not a public address/)
    expect(received.map((r) => r.path)).toEqual(['/hop', '/hop-name'])
  })

  it('follows three redirects, not four, and keeps no cookie across them', async () => {
    routes.set('/r1', redirect('/r2', { 'set-cookie': 'session=1; Path=/' }))
    routes.set('/r2', redirect(at('/r3')))
    routes.set('/r3', redirect('/page'))
    routes.set('/r0', redirect('/r1'))
    routes.set('/page', html('<title>Arrived</title>'))
    const fetched = await boundedFetch(at('/r1'), linkPreviewLimits.page, testResolver)
    expect(fetched.url).toBe(at('/page'))
    expect(received.map((r) => r.headers.cookie)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ])
    expect(await refusal(boundedFetch(at('/r0'), linkPreviewLimits.page, testResolver))).toBe(
      'more than 3 redirects',
    )
  })

  it('gives up at the time bound when a server does not answer', async () => {
    let stalled!: () => void
    const arrived = new Promise<void>((resolve) => (stalled = resolve))
    routes.set('/slow', () => stalled()) // never answers
    const started = Date.now()
    const bounds = { ...linkPreviewLimits.page, timeoutMs: 300 }
    expect(await refusal(boundedFetch(at('/slow'), bounds, testResolver))).toBe('timed out')
    await arrived
    expect(Date.now() - started).toBeLessThan(5_000)
  })

  it('keeps the first MiB of a larger page (its head) and refuses an image over its bound', async () => {
    const head = '<meta property="og:title" content="Big page">'
    routes.set('/big', html(head, 'x'.repeat(linkPreviewLimits.page.maxBytes + 10_000)))
    const page = await boundedFetch(at('/big'), linkPreviewLimits.page, testResolver)
    expect(page.truncated).toBe(true)
    expect(page.body.length).toBe(linkPreviewLimits.page.maxBytes)
    expect((await unfurl(at('/big'), testResolver))?.title).toBe('Big page')

    const small = { ...linkPreviewLimits.image, maxBytes: 1000 }
    routes.set('/declared.png', (_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': 2000 })
      res.end(Buffer.alloc(2000))
    })
    routes.set('/chunked.png', (_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png' }) // no length: counted as it arrives
      res.write(Buffer.alloc(800))
      res.end(Buffer.alloc(800))
    })
    expect(await refusal(boundedFetch(at('/declared.png'), small, testResolver))).toBe(
      'larger than 1000 bytes',
    )
    expect(await refusal(boundedFetch(at('/chunked.png'), small, testResolver))).toBe(
      'larger than 1000 bytes',
    )
  })

  it('refuses content types it does not read, and compressed answers', async () => {
    routes.set('/data', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('{"title":"no"}')
    })
    routes.set('/gz', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' })
      res.end(Buffer.alloc(10))
    })
    routes.set(
      '/page-with-svg',
      html('<title>Vector</title><meta property="og:image" content="/i.svg">'),
    )
    routes.set('/i.svg', (_req, res) => {
      res.writeHead(200, { 'content-type': 'image/svg+xml' })
      res.end('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    })
    expect(await refusal(boundedFetch(at('/data'), linkPreviewLimits.page, testResolver))).toBe(
      'content type application/json is not fetched',
    )
    expect(await refusal(boundedFetch(at('/gz'), linkPreviewLimits.page, testResolver))).toBe(
      'content encoding gzip',
    )
    // The page keeps its text; the SVG is not taken as its image.
    expect(await unfurl(at('/page-with-svg'), testResolver)).toEqual({
      url: at('/page-with-svg'),
      title: 'Vector',
    })
  })
})
