import http from 'node:http'
import https from 'node:https'
import { isIP, type LookupFunction } from 'node:net'
import { RefusedHostError, type ResolveHost } from './publicAddress'

/** What one outbound fetch may take: the bounds of link previews (see linkPreviewLimits). */
export interface FetchBounds {
  /** For the whole fetch: every redirect, connection and byte of the body. */
  timeoutMs: number
  maxBytes: number
  /** `truncate` keeps the first maxBytes (an HTML page's head is at its start); `refuse` fails. */
  overLimit: 'truncate' | 'refuse'
  maxRedirects: number
  /** Media types accepted (no parameters, lower case); any other answer is refused. */
  contentTypes: readonly string[]
  /** The Accept header sent. */
  accept: string
}

export interface FetchedBody {
  /** The URL the body came from, after redirects. */
  url: string
  contentType: string
  /** The charset parameter of the Content-Type, lower case, when there was one. */
  charset: string | undefined
  body: Buffer
  truncated: boolean
}

/** Why a fetch gave nothing: the preview is left out, the message is not affected. */
export class FetchRefusedError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'FetchRefusedError'
  }
}

const USER_AGENT = 'TidingsLinkPreview/1 (+https://github.com/tidings)'

/**
 * GETs a URL on a user's behalf within bounds: http and https only, every connection's host
 * resolved and checked by `resolveHost` (the connection goes to the checked addresses, on every
 * redirect), at most `maxRedirects` redirects, `timeoutMs` in all, `maxBytes` of body, only the
 * listed content types, no cookies or credentials sent or kept, no compression asked for (a
 * compressed answer is refused rather than inflated past the size bound).
 */
export async function boundedFetch(
  url: string,
  bounds: FetchBounds,
  resolveHost: ResolveHost,
): Promise<FetchedBody> {
  const signal = AbortSignal.timeout(bounds.timeoutMs)
  let current = parseTarget(url)
  for (let redirects = 0; ; redirects += 1) {
    await checkLiteralHost(current, resolveHost)
    const response = await request(current, bounds, resolveHost, signal)
    const location = response.headers.location
    if (isRedirect(response.statusCode) && location !== undefined) {
      response.destroy()
      if (redirects >= bounds.maxRedirects) {
        throw new FetchRefusedError(`more than ${bounds.maxRedirects} redirects`)
      }
      current = parseTarget(new URL(location, current).href)
      continue
    }
    try {
      return await readBody(current, response, bounds, signal)
    } finally {
      response.destroy()
    }
  }
}

function parseTarget(url: string): URL {
  let target: URL
  try {
    target = new URL(url)
  } catch {
    throw new FetchRefusedError('not a URL')
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new FetchRefusedError(`${target.protocol} is not fetched`)
  }
  if (target.username || target.password) throw new FetchRefusedError('a URL with credentials')
  return target
}

function isRedirect(status: number | undefined): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308
}

/**
 * A host written as an address (http://127.0.0.1/, http://[::1]/) is connected to without a
 * lookup, so the lookup hook never sees it: it is checked here, by the same function.
 */
async function checkLiteralHost(target: URL, resolveHost: ResolveHost): Promise<void> {
  const bare = target.hostname.startsWith('[') ? target.hostname.slice(1, -1) : target.hostname
  if (isIP(bare) === 0) return
  try {
    await resolveHost(bare)
  } catch (error) {
    throw new FetchRefusedError((error as Error).message)
  }
}

/** `net.connect`'s lookup, answered only with addresses `resolveHost` accepted. */
function checkedLookup(resolveHost: ResolveHost): LookupFunction {
  return (hostname, options, callback) => {
    resolveHost(hostname).then(
      (addresses) => {
        if (options.all) {
          callback(null, addresses)
          return
        }
        const wanted = options.family === 6 ? 6 : options.family === 4 ? 4 : undefined
        const pick = addresses.find((a) => wanted === undefined || a.family === wanted)
        if (!pick) callback(new RefusedHostError(hostname, 'no address of that family'), '', 0)
        else callback(null, pick.address, pick.family)
      },
      (error: unknown) => callback(error as NodeJS.ErrnoException, '', 0),
    )
  }
}

function request(
  target: URL,
  bounds: FetchBounds,
  resolveHost: ResolveHost,
  signal: AbortSignal,
): Promise<http.IncomingMessage> {
  const client = target.protocol === 'https:' ? https : http
  return new Promise((resolve, reject) => {
    const req = client.request(target, {
      method: 'GET',
      signal,
      // A fresh connection each time (no agent pool): each is looked up, and so checked.
      agent: false,
      lookup: checkedLookup(resolveHost),
      headers: {
        'user-agent': USER_AGENT,
        accept: bounds.accept,
        'accept-encoding': 'identity',
      },
    })
    req.once('response', resolve)
    req.once('error', (error) => reject(asRefusal(error, signal)))
    req.end()
  })
}

function asRefusal(error: unknown, signal: AbortSignal): Error {
  if (signal.aborted) return new FetchRefusedError('timed out')
  if (error instanceof RefusedHostError) return new FetchRefusedError(error.message)
  if (error instanceof FetchRefusedError) return error
  return new FetchRefusedError(`fetch failed: ${(error as Error).message}`)
}

async function readBody(
  target: URL,
  response: http.IncomingMessage,
  bounds: FetchBounds,
  signal: AbortSignal,
): Promise<FetchedBody> {
  const status = response.statusCode ?? 0
  if (status < 200 || status > 299) throw new FetchRefusedError(`HTTP ${status}`)
  const [type = '', ...parameters] = (response.headers['content-type'] ?? '').split(';')
  const contentType = type.trim().toLowerCase()
  const charset = parameters
    .map((p) => p.trim().toLowerCase())
    .find((p) => p.startsWith('charset='))
    ?.slice('charset='.length)
    .replace(/^"|"$/g, '')
  if (!bounds.contentTypes.includes(contentType)) {
    throw new FetchRefusedError(`content type ${contentType || 'none'} is not fetched`)
  }
  const encoding = (response.headers['content-encoding'] ?? 'identity').trim().toLowerCase()
  if (encoding !== 'identity') throw new FetchRefusedError(`content encoding ${encoding}`)
  const declared = Number(response.headers['content-length'] ?? NaN)
  if (bounds.overLimit === 'refuse' && declared > bounds.maxBytes) {
    throw new FetchRefusedError(`larger than ${bounds.maxBytes} bytes`)
  }
  const chunks: Buffer[] = []
  let size = 0
  let truncated = false
  try {
    for await (const chunk of response as AsyncIterable<Buffer>) {
      const room = bounds.maxBytes - size
      if (chunk.length > room) {
        if (bounds.overLimit === 'refuse') {
          throw new FetchRefusedError(`larger than ${bounds.maxBytes} bytes`)
        }
        chunks.push(chunk.subarray(0, room))
        size += room
        truncated = true
        break
      }
      chunks.push(chunk)
      size += chunk.length
    }
  } catch (error) {
    throw asRefusal(error, signal)
  }
  return { url: target.href, contentType, charset, body: Buffer.concat(chunks, size), truncated }
}
