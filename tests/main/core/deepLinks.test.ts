import { describe, expect, it, vi } from 'vitest'
import {
  DeepLinkHandler,
  routeDeepLink,
  type DeepLinkContext,
  type DeepLinkHost,
} from '../../../src/main/core/deepLinks'
import { inviteLink, passwordResetLink } from '../../../src/shared/deepLinks'
import { translatorFor } from '../../../src/shared/i18n/translator'

const REMOTE: DeepLinkContext = {
  serverUrl: 'https://chat.example.com',
  embedded: false,
  serverFixed: false,
  signedIn: false,
}
const EMBEDDED: DeepLinkContext = { ...REMOTE, serverUrl: 'http://127.0.0.1:40123', embedded: true }

describe('routeDeepLink', () => {
  const invite = { kind: 'invite', server_url: 'https://chat.example.com', code: 'abc' } as const

  it('an invite for the server in use fills in the registration form', () => {
    expect(routeDeepLink(invite, REMOTE)).toEqual({
      type: 'prefill-registration',
      server_url: 'https://chat.example.com',
      code: 'abc',
      signed_in: false,
    })
    expect(routeDeepLink(invite, { ...REMOTE, signedIn: true })).toMatchObject({
      type: 'prefill-registration',
      signed_in: true,
    })
  })

  it('an invite for another server asks first, from a remote server or the bundled one', () => {
    const other = { ...invite, server_url: 'https://other.example.org' }
    expect(routeDeepLink(other, REMOTE)).toEqual({
      type: 'confirm-server-switch',
      from: 'https://chat.example.com',
      to: 'https://other.example.org',
      code: 'abc',
      form: 'register',
    })
    expect(routeDeepLink(invite, EMBEDDED)).toEqual({
      type: 'confirm-server-switch',
      from: null,
      to: 'https://chat.example.com',
      code: 'abc',
      form: 'register',
    })
  })

  it('a server fixed on the command line is never switched by a link', () => {
    const other = { ...invite, server_url: 'https://other.example.org' }
    expect(routeDeepLink(other, { ...REMOTE, serverFixed: true })).toEqual({
      type: 'server-fixed',
      current: 'https://chat.example.com',
      requested: 'https://other.example.org',
      form: 'register',
    })
  })

  it('a password reset link fills in the new password form, or asks like an invite', () => {
    const reset = { ...invite, kind: 'password_reset' } as const
    expect(routeDeepLink(reset, { ...REMOTE, signedIn: true })).toEqual({
      type: 'prefill-password-reset',
      server_url: 'https://chat.example.com',
      code: 'abc',
      signed_in: true,
    })
    expect(routeDeepLink(reset, EMBEDDED)).toMatchObject({
      type: 'confirm-server-switch',
      form: 'password_reset',
    })
  })

  it('a conversation opens when signed in, and waits for a sign-in otherwise', () => {
    const link = { kind: 'conversation', conversation_id: 9 } as const
    expect(routeDeepLink(link, { ...REMOTE, signedIn: true })).toEqual({
      type: 'open-conversation',
      conversation_id: 9,
    })
    expect(routeDeepLink(link, REMOTE)).toEqual({ type: 'wait-for-sign-in', conversation_id: 9 })
  })
})

function fakeHost(context: Partial<DeepLinkContext> = {}, members: number[] = [1, 2]) {
  const state = { ...REMOTE, ...context }
  const host = {
    state,
    context: vi.fn(() => ({ ...state })),
    showWindow: vi.fn(),
    isMember: vi.fn(async (id: number) => members.includes(id)),
    openConversation: vi.fn(),
    prefillForm: vi.fn(),
    notice: vi.fn(),
    translator: () => translatorFor('en'),
    confirmServerSwitch: vi.fn(async () => false),
    switchServerAndRestart: vi.fn(async () => {}),
    log: vi.fn(),
  } satisfies DeepLinkHost & { state: DeepLinkContext }
  return host
}

describe('DeepLinkHandler', () => {
  it('holds a cold start’s link until ready, the latest winning', async () => {
    const links = new DeepLinkHandler()
    await links.receive('tidings://conversation/1')
    await links.receive('tidings://conversation/2')
    const host = fakeHost({ signedIn: true })
    expect(host.openConversation).not.toHaveBeenCalled()
    await links.ready(host)
    expect(host.showWindow).toHaveBeenCalled()
    expect(host.openConversation.mock.calls).toEqual([[2]])
  })

  it('opens a conversation only for a member, and says so otherwise', async () => {
    const links = new DeepLinkHandler()
    const host = fakeHost({ signedIn: true }, [5])
    await links.ready(host)
    await links.receive('tidings://conversation/6')
    expect(host.openConversation).not.toHaveBeenCalled()
    expect(host.notice).toHaveBeenCalledWith('This link is for a conversation you are not in.')
    await links.receive('tidings://conversation/5')
    expect(host.openConversation.mock.calls).toEqual([[5]])
  })

  it('a conversation link while signed out is followed after the next sign-in, once', async () => {
    const links = new DeepLinkHandler()
    const host = fakeHost({ signedIn: false })
    await links.ready(host)
    await links.receive('tidings://conversation/2')
    expect(host.showWindow).toHaveBeenCalledTimes(1)
    expect(host.isMember).not.toHaveBeenCalled()
    await links.sessionChanged(false)
    expect(host.openConversation).not.toHaveBeenCalled()
    host.state.signedIn = true
    await links.sessionChanged(true)
    await links.sessionChanged(true)
    expect(host.openConversation.mock.calls).toEqual([[2]])
  })

  it('an invite for this server fills in the registration form', async () => {
    const links = new DeepLinkHandler()
    const host = fakeHost()
    await links.ready(host)
    await links.receive(inviteLink('https://chat.example.com', 'code1'))
    expect(host.prefillForm.mock.calls).toEqual([
      [{ form: 'register', server_url: 'https://chat.example.com', code: 'code1' }],
    ])
    expect(host.notice).not.toHaveBeenCalled()
  })

  it('a password reset link fills in the new password form, and says to sign out first', async () => {
    const links = new DeepLinkHandler()
    const host = fakeHost({ signedIn: true })
    await links.ready(host)
    await links.receive(passwordResetLink('https://chat.example.com', 'reset1'))
    expect(host.prefillForm.mock.calls).toEqual([
      [{ form: 'password_reset', server_url: 'https://chat.example.com', code: 'reset1' }],
    ])
    expect(host.notice.mock.calls[0]?.[0]).toMatch(/^This link sets a new password\. Sign out/)
  })

  it('signed in, an invite also says to sign out first', async () => {
    const links = new DeepLinkHandler()
    const host = fakeHost({ signedIn: true })
    await links.ready(host)
    await links.receive(inviteLink('https://chat.example.com', 'code1'))
    expect(host.notice.mock.calls[0]?.[0]).toMatch(/^This invite is for a new account\. Sign out/)
  })

  it('never switches servers unless the user says yes', async () => {
    const links = new DeepLinkHandler()
    const host = fakeHost()
    await links.ready(host)
    const link = inviteLink('https://other.example.org', 'code2')
    await links.receive(link)
    expect(host.confirmServerSwitch).toHaveBeenCalledWith({
      from: 'https://chat.example.com',
      to: 'https://other.example.org',
      form: 'register',
    })
    expect(host.switchServerAndRestart).not.toHaveBeenCalled()
    expect(host.prefillForm).not.toHaveBeenCalled()

    host.confirmServerSwitch.mockResolvedValueOnce(true)
    await links.receive(link)
    expect(host.switchServerAndRestart).toHaveBeenCalledWith('https://other.example.org', link)
  })

  it('asks about one switch at a time', async () => {
    const links = new DeepLinkHandler()
    const host = fakeHost()
    let answer: (yes: boolean) => void = () => {}
    host.confirmServerSwitch.mockImplementationOnce(
      () => new Promise<boolean>((resolve) => (answer = resolve)),
    )
    await links.ready(host)
    const first = links.receive(inviteLink('https://one.example.org', 'a'))
    await links.receive(inviteLink('https://two.example.org', 'b'))
    expect(host.confirmServerSwitch).toHaveBeenCalledTimes(1)
    answer(false)
    await first
    expect(host.switchServerAndRestart).not.toHaveBeenCalled()
  })

  it('a server fixed on the command line: a notice, no question, no switch', async () => {
    const links = new DeepLinkHandler()
    const host = fakeHost({ serverFixed: true })
    await links.ready(host)
    await links.receive(inviteLink('https://other.example.org', 'c'))
    expect(host.confirmServerSwitch).not.toHaveBeenCalled()
    expect(host.notice.mock.calls[0]?.[0]).toBe(
      'This invite is for https://other.example.org, but Tidings was started for ' +
        'https://chat.example.com (--server-url or TIDINGS_SERVER_URL), so it cannot switch.',
    )
  })

  it('a malformed link does nothing but say why', async () => {
    const links = new DeepLinkHandler()
    const host = fakeHost({ signedIn: true })
    await links.ready(host)
    await links.receive('tidings://invite?server=javascript:alert(1)&code=x')
    expect(host.notice).toHaveBeenCalledWith(
      'Tidings cannot open this link: the server is not an http(s) URL.',
    )
    expect(host.showWindow).not.toHaveBeenCalled()
    expect(host.confirmServerSwitch).not.toHaveBeenCalled()
    expect(host.prefillForm).not.toHaveBeenCalled()
  })
})
