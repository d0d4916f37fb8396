import { describe, expect, it, vi } from 'vitest'
import {
  DeepLinkHandler,
  routeDeepLink,
  type DeepLinkContext,
  type DeepLinkHost,
} from '../../../src/main/core/deepLinks'
import { inviteLink, passwordResetLink } from '../../../src/shared/deepLinks'
import { translatorFor } from '../../../src/shared/i18n/translator'

/** Two servers listed, the remote one shown. */
const REMOTE: DeepLinkContext = {
  servers: [
    { id: 'bundled', url: null },
    { id: 's-chat', url: 'https://chat.example.com' },
  ],
  activeServerId: 's-chat',
  serverUrl: 'https://chat.example.com',
  serverFixed: false,
  signedIn: false,
}
/** The same list, the bundled server shown. */
const EMBEDDED: DeepLinkContext = {
  ...REMOTE,
  activeServerId: 'bundled',
  serverUrl: 'http://127.0.0.1:40123',
}

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

  it('an invite for another listed server shows that server first', () => {
    expect(routeDeepLink(invite, EMBEDDED)).toEqual({
      type: 'show-server',
      server_id: 's-chat',
      server_url: 'https://chat.example.com',
      code: 'abc',
      form: 'register',
    })
  })

  it('an invite for a server not in the list asks before adding it, whichever is shown', () => {
    const other = { ...invite, server_url: 'https://other.example.org' }
    for (const context of [REMOTE, EMBEDDED]) {
      expect(routeDeepLink(other, context)).toEqual({
        type: 'confirm-add-server',
        to: 'https://other.example.org',
        code: 'abc',
        form: 'register',
      })
    }
    // The bundled server has no address: a loopback invite is someone else's server.
    const loopback = { ...invite, server_url: 'http://127.0.0.1:40123' }
    expect(routeDeepLink(loopback, EMBEDDED)).toMatchObject({ type: 'confirm-add-server' })
  })

  it('a server fixed on the command line: no server is added by a link', () => {
    const other = { ...invite, server_url: 'https://other.example.org' }
    expect(routeDeepLink(other, { ...REMOTE, serverFixed: true })).toEqual({
      type: 'server-fixed',
      current: 'https://chat.example.com',
      requested: 'https://other.example.org',
      form: 'register',
    })
  })

  it('a password reset link fills in the new password form, or shows or adds its server', () => {
    const reset = { ...invite, kind: 'password_reset' } as const
    expect(routeDeepLink(reset, { ...REMOTE, signedIn: true })).toEqual({
      type: 'prefill-password-reset',
      server_url: 'https://chat.example.com',
      code: 'abc',
      signed_in: true,
    })
    expect(routeDeepLink(reset, EMBEDDED)).toMatchObject({
      type: 'show-server',
      server_id: 's-chat',
      form: 'password_reset',
    })
    const elsewhere = { ...reset, server_url: 'https://other.example.org' }
    expect(routeDeepLink(elsewhere, REMOTE)).toEqual({
      type: 'confirm-add-server',
      to: 'https://other.example.org',
      code: 'abc',
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
    confirmAddServer: vi.fn(async () => false),
    activateServer: vi.fn(async (id: string) => {
      state.activeServerId = id
    }),
    addServer: vi.fn(async (url: string) => {
      state.servers = [...state.servers, { id: 's-new', url }]
      state.activeServerId = 's-new'
    }),
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

  it('a conversation link while signed out is followed after the next sign-in there, once', async () => {
    const links = new DeepLinkHandler()
    const host = fakeHost({ signedIn: false })
    await links.ready(host)
    await links.receive('tidings://conversation/2')
    expect(host.showWindow).toHaveBeenCalledTimes(1)
    expect(host.isMember).not.toHaveBeenCalled()
    await links.sessionChanged(false)
    expect(host.openConversation).not.toHaveBeenCalled()
    // Signed in on another server first: ids are per server, so the link waits for its own.
    host.state.activeServerId = 'bundled'
    host.state.signedIn = true
    await links.sessionChanged(true)
    expect(host.isMember).not.toHaveBeenCalled()
    host.state.activeServerId = 's-chat'
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

  it('an invite for another listed server shows it, then fills in its form', async () => {
    const links = new DeepLinkHandler()
    const host = fakeHost({ activeServerId: 'bundled' })
    await links.ready(host)
    await links.receive(inviteLink('https://chat.example.com', 'code3'))
    expect(host.activateServer.mock.calls).toEqual([['s-chat']])
    expect(host.confirmAddServer).not.toHaveBeenCalled()
    expect(host.prefillForm).toHaveBeenCalledWith({
      form: 'register',
      server_url: 'https://chat.example.com',
      code: 'code3',
    })
  })

  it('a password reset link for another listed server shows it, then fills in its form', async () => {
    const links = new DeepLinkHandler()
    const host = fakeHost({ activeServerId: 'bundled' })
    await links.ready(host)
    await links.receive(passwordResetLink('https://chat.example.com', 'reset2'))
    expect(host.activateServer.mock.calls).toEqual([['s-chat']])
    expect(host.prefillForm.mock.calls).toEqual([
      [{ form: 'password_reset', server_url: 'https://chat.example.com', code: 'reset2' }],
    ])
  })

  it('never adds a server unless the user says yes', async () => {
    const links = new DeepLinkHandler()
    const host = fakeHost()
    await links.ready(host)
    const link = inviteLink('https://other.example.org', 'code2')
    await links.receive(link)
    expect(host.confirmAddServer).toHaveBeenCalledWith({
      to: 'https://other.example.org',
      form: 'register',
    })
    expect(host.addServer).not.toHaveBeenCalled()
    expect(host.prefillForm).not.toHaveBeenCalled()

    host.confirmAddServer.mockResolvedValueOnce(true)
    await links.receive(link)
    expect(host.addServer).toHaveBeenCalledWith('https://other.example.org')
    expect(host.prefillForm).toHaveBeenCalledWith({
      form: 'register',
      server_url: 'https://other.example.org',
      code: 'code2',
    })
  })

  it('a password reset link for a server not in the list asks, adds it, then fills in the form', async () => {
    const links = new DeepLinkHandler()
    const host = fakeHost()
    host.confirmAddServer.mockResolvedValueOnce(true)
    await links.ready(host)
    await links.receive(passwordResetLink('https://other.example.org', 'reset3'))
    expect(host.confirmAddServer).toHaveBeenCalledWith({
      to: 'https://other.example.org',
      form: 'password_reset',
    })
    expect(host.addServer).toHaveBeenCalledWith('https://other.example.org')
    expect(host.prefillForm.mock.calls).toEqual([
      [{ form: 'password_reset', server_url: 'https://other.example.org', code: 'reset3' }],
    ])
  })

  it('a server that does not answer is not added, and the user is told why', async () => {
    const links = new DeepLinkHandler()
    const host = fakeHost()
    host.confirmAddServer.mockResolvedValueOnce(true)
    host.addServer.mockRejectedValueOnce(
      new Error('No Tidings server answered at https://x.example.'),
    )
    await links.ready(host)
    await links.receive(inviteLink('https://x.example', 'code4'))
    expect(host.notice).toHaveBeenCalledWith(
      'Tidings could not add https://x.example: No Tidings server answered at https://x.example.',
    )
    expect(host.prefillForm).not.toHaveBeenCalled()
  })

  it('asks about one new server at a time', async () => {
    const links = new DeepLinkHandler()
    const host = fakeHost()
    let answer: (yes: boolean) => void = () => {}
    host.confirmAddServer.mockImplementationOnce(
      () => new Promise<boolean>((resolve) => (answer = resolve)),
    )
    await links.ready(host)
    const first = links.receive(inviteLink('https://one.example.org', 'a'))
    await links.receive(inviteLink('https://two.example.org', 'b'))
    expect(host.confirmAddServer).toHaveBeenCalledTimes(1)
    answer(false)
    await first
    expect(host.addServer).not.toHaveBeenCalled()
  })

  it('a server fixed on the command line: a notice, no question, nothing added', async () => {
    const links = new DeepLinkHandler()
    const host = fakeHost({ serverFixed: true })
    await links.ready(host)
    await links.receive(inviteLink('https://other.example.org', 'c'))
    expect(host.confirmAddServer).not.toHaveBeenCalled()
    expect(host.addServer).not.toHaveBeenCalled()
    expect(host.notice.mock.calls[0]?.[0]).toBe(
      'This invite is for https://other.example.org, but Tidings was started for ' +
        'https://chat.example.com (--server-url or TIDINGS_SERVER_URL), so it cannot add it.',
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
    expect(host.confirmAddServer).not.toHaveBeenCalled()
    expect(host.prefillForm).not.toHaveBeenCalled()
  })
})
