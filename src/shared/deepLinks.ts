/**
 * `tidings://` links, as the OS hands them to the app (a click in a browser, a mail or a chat):
 *
 * - `tidings://invite?server=<http(s) URL>&code=<invite code>`: the registration form, filled in
 *   (an admin's invite dialog offers the link, so an invite is one click);
 * - `tidings://reset-password?server=<http(s) URL>&code=<reset code>`: the form to set a new
 *   password, filled in (an admin's password reset offers the link to hand over);
 * - `tidings://conversation/<id>`: that conversation, focused.
 *
 * A link comes from anywhere, so every part is checked and anything else is refused: another
 * scheme or host, credentials, a port, a fragment, unknown or repeated parameters, a server that
 * is not a plain http(s) URL, a code outside the server's alphabet, an id that is not a positive
 * integer. The parser only reads; what a link may do (never add a server unconfirmed) is the
 * router's (src/main/core/deepLinks.ts).
 */

export const DEEP_LINK_SCHEME = 'tidings'

/** Longer than any link the app makes; the OS passes far longer command lines. */
export const MAX_DEEP_LINK_LENGTH = 2048

/** Invite and reset codes: the server makes 16 base64url characters and accepts at most 128. */
const CODE = /^[A-Za-z0-9_-]{1,128}$/

export type DeepLink =
  | { kind: 'invite'; server_url: string; code: string }
  | { kind: 'password_reset'; server_url: string; code: string }
  | { kind: 'conversation'; conversation_id: number }

/** The links that carry a server and a code, by what they are called in a refusal. */
const CODE_LINKS = { invite: 'an invite link', password_reset: 'a password reset link' } as const

export type DeepLinkParse = { ok: true; link: DeepLink } | { ok: false; reason: string }

/**
 * A server URL as the app stores and compares it: `origin + path`, without trailing slashes,
 * query or fragment. Null unless it is an absolute http(s) URL without credentials.
 */
export function normalizeServerUrl(value: string): string | null {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return null
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null
  if (url.username || url.password || !url.hostname) return null
  if (url.search || url.hash) return null
  return url.origin + url.pathname.replace(/\/+$/, '')
}

/** Whether a command-line argument is a Tidings link (the OS passes it among Chromium's flags). */
export function isDeepLinkArg(arg: string): boolean {
  return arg.toLowerCase().startsWith(`${DEEP_LINK_SCHEME}:`)
}

/** The link among a launch's arguments (Windows and Linux pass it in argv), or null. */
export function findDeepLinkArg(argv: readonly string[]): string | null {
  return argv.find(isDeepLinkArg) ?? null
}

export function parseDeepLink(raw: string): DeepLinkParse {
  const refuse = (reason: string): DeepLinkParse => ({ ok: false, reason })
  if (raw.length > MAX_DEEP_LINK_LENGTH) return refuse('the link is too long')
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return refuse('the link is not a valid URL')
  }
  if (url.protocol !== `${DEEP_LINK_SCHEME}:`) return refuse(`not a ${DEEP_LINK_SCHEME}:// link`)
  if (url.username || url.password || url.port) return refuse('the link has credentials or a port')
  if (url.hash) return refuse('the link has a fragment')
  switch (url.hostname.toLowerCase()) {
    case 'invite':
      return parseCodeLink(url, 'invite', refuse)
    case 'reset-password':
      return parseCodeLink(url, 'password_reset', refuse)
    case 'conversation':
      return parseConversation(url, refuse)
    default:
      return refuse(`unknown link "${url.hostname}"`)
  }
}

function parseCodeLink(
  url: URL,
  kind: keyof typeof CODE_LINKS,
  refuse: (reason: string) => DeepLinkParse,
): DeepLinkParse {
  const name = CODE_LINKS[kind]
  if (url.pathname !== '' && url.pathname !== '/') return refuse(`${name} has no path`)
  const keys = [...url.searchParams.keys()]
  const unknown = keys.find((key) => key !== 'server' && key !== 'code')
  if (unknown !== undefined) return refuse(`unknown parameter "${unknown}"`)
  const servers = url.searchParams.getAll('server')
  const codes = url.searchParams.getAll('code')
  if (servers.length !== 1 || codes.length !== 1) {
    return refuse(`${name} needs exactly one server and one code`)
  }
  const server = normalizeServerUrl(servers[0] ?? '')
  if (server === null) return refuse('the server is not an http(s) URL')
  const code = codes[0] ?? ''
  if (!CODE.test(code)) {
    return refuse(
      kind === 'invite' ? 'the invite code is not valid' : 'the reset code is not valid',
    )
  }
  return { ok: true, link: { kind, server_url: server, code } }
}

function parseConversation(url: URL, refuse: (reason: string) => DeepLinkParse): DeepLinkParse {
  if (url.search) return refuse('a conversation link has no parameters')
  const match = /^\/([1-9][0-9]{0,15})\/?$/.exec(url.pathname)
  const id = match ? Number(match[1]) : NaN
  if (!Number.isSafeInteger(id)) return refuse('the conversation id is not valid')
  return { ok: true, link: { kind: 'conversation', conversation_id: id } }
}

/** The link an admin's invite dialog offers: `tidings://invite?server=…&code=…`. */
export function inviteLink(serverUrl: string, code: string): string {
  const params = new URLSearchParams({ server: serverUrl, code })
  return `${DEEP_LINK_SCHEME}://invite?${params.toString()}`
}

/**
 * The link an admin's password reset offers: `tidings://reset-password?server=…&code=…`, which
 * opens the form to set a new password with the code filled in.
 */
export function passwordResetLink(serverUrl: string, code: string): string {
  const params = new URLSearchParams({ server: serverUrl, code })
  return `${DEEP_LINK_SCHEME}://reset-password?${params.toString()}`
}

/** `tidings://conversation/<id>`. */
export function conversationLink(conversationId: number): string {
  return `${DEEP_LINK_SCHEME}://conversation/${conversationId}`
}
