import { describe, expect, it } from 'vitest'
import {
  conversationLink,
  findDeepLinkArg,
  inviteLink,
  normalizeServerUrl,
  parseDeepLink,
  passwordResetLink,
} from '../../src/shared/deepLinks'

describe('parseDeepLink', () => {
  it('reads an invite link as the admin’s dialog makes it', () => {
    const link = inviteLink('https://chat.example.com', 'Xy_9-abcDEF01234')
    expect(link).toBe(
      'tidings://invite?server=https%3A%2F%2Fchat.example.com&code=Xy_9-abcDEF01234',
    )
    expect(parseDeepLink(link)).toEqual({
      ok: true,
      link: { kind: 'invite', server_url: 'https://chat.example.com', code: 'Xy_9-abcDEF01234' },
    })
  })

  it('reads a password reset link as the People section makes it, and refuses a bad code', () => {
    const link = passwordResetLink('https://chat.example.com', 'R3set_code-0123')
    expect(link).toBe(
      'tidings://reset-password?server=https%3A%2F%2Fchat.example.com&code=R3set_code-0123',
    )
    expect(parseDeepLink(link)).toEqual({
      ok: true,
      link: {
        kind: 'password_reset',
        server_url: 'https://chat.example.com',
        code: 'R3set_code-0123',
      },
    })
    expect(
      parseDeepLink('tidings://reset-password?server=https://chat.example.com&code=a%20b'),
    ).toEqual({ ok: false, reason: 'the reset code is not valid' })
    expect(parseDeepLink('tidings://reset-password/x?server=https://a.example&code=a')).toEqual({
      ok: false,
      reason: 'a password reset link has no path',
    })
  })

  it('normalizes the invite’s server as the app stores servers (path kept, trailing slash not)', () => {
    expect(
      parseDeepLink('tidings://invite/?server=https://team.example.org:8443/chat/&code=abc'),
    ).toEqual({
      ok: true,
      link: { kind: 'invite', server_url: 'https://team.example.org:8443/chat', code: 'abc' },
    })
    expect(parseDeepLink('tidings://invite?server=http://10.0.0.5:8000&code=abc')).toMatchObject({
      ok: true,
      link: { server_url: 'http://10.0.0.5:8000' },
    })
  })

  it('reads a conversation link, in any letter case, with or without a trailing slash', () => {
    expect(parseDeepLink(conversationLink(42))).toEqual({
      ok: true,
      link: { kind: 'conversation', conversation_id: 42 },
    })
    expect(parseDeepLink('TIDINGS://Conversation/7/')).toEqual({
      ok: true,
      link: { kind: 'conversation', conversation_id: 7 },
    })
  })

  it.each([
    ['https://chat.example.com/invite', 'not a tidings:// link'],
    ['tidings://settings', 'unknown link "settings"'],
    ['tidings:conversation/4', 'unknown link ""'],
    [
      'tidings://user:pw@invite?server=https://a.example&code=b',
      'the link has credentials or a port',
    ],
    ['tidings://conversation:99/1', 'the link has credentials or a port'],
    ['tidings://conversation/1#x', 'the link has a fragment'],
    ['tidings://conversation/0', 'the conversation id is not valid'],
    ['tidings://conversation/-3', 'the conversation id is not valid'],
    ['tidings://conversation/1.5', 'the conversation id is not valid'],
    ['tidings://conversation/99999999999999999', 'the conversation id is not valid'],
    ['tidings://conversation/1/messages', 'the conversation id is not valid'],
    ['tidings://conversation/1?focus=1', 'a conversation link has no parameters'],
    ['tidings://invite/extra?server=https://a.example&code=b', 'an invite link has no path'],
    [
      'tidings://invite?server=https://a.example',
      'an invite link needs exactly one server and one code',
    ],
    [
      'tidings://invite?server=https://a.example&server=https://b.example&code=c',
      'an invite link needs exactly one server and one code',
    ],
    ['tidings://invite?server=https://a.example&code=b&admin=1', 'unknown parameter "admin"'],
    ['tidings://invite?server=javascript:alert(1)&code=b', 'the server is not an http(s) URL'],
    ['tidings://invite?server=file:///etc/passwd&code=b', 'the server is not an http(s) URL'],
    ['tidings://invite?server=https://u:p@a.example&code=b', 'the server is not an http(s) URL'],
    ['tidings://invite?server=https://a.example/?x=1&code=b', 'the server is not an http(s) URL'],
    ['tidings://invite?server=chat.example.com&code=b', 'the server is not an http(s) URL'],
    ['tidings://invite?server=https://a.example&code=a%20b', 'the invite code is not valid'],
    ['tidings://invite?server=https://a.example&code=', 'the invite code is not valid'],
    [
      `tidings://invite?server=https://a.example&code=${'a'.repeat(129)}`,
      'the invite code is not valid',
    ],
    [`tidings://conversation/1?${'x'.repeat(3000)}`, 'the link is too long'],
    ['not a url', 'the link is not a valid URL'],
  ])('refuses %s (%s)', (raw, reason) => {
    expect(parseDeepLink(raw)).toEqual({ ok: false, reason })
  })
})

describe('links among launch arguments', () => {
  it('finds the tidings:// argument among Chromium’s and the app’s', () => {
    expect(
      findDeepLinkArg(['/opt/Tidings/tidings', '--no-sandbox', 'tidings://conversation/3']),
    ).toBe('tidings://conversation/3')
    expect(findDeepLinkArg(['electron', '.', '--server-url=https://a.example'])).toBeNull()
  })
})

describe('normalizeServerUrl', () => {
  it('keeps http(s) origins and paths only', () => {
    expect(normalizeServerUrl('https://A.example.com/')).toBe('https://a.example.com')
    expect(normalizeServerUrl('https://a.example.com/team//')).toBe('https://a.example.com/team')
    expect(normalizeServerUrl('ftp://a.example.com')).toBeNull()
    expect(normalizeServerUrl('https://a.example.com/#x')).toBeNull()
  })
})
