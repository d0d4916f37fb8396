import { defineMessages } from '../../shared/i18n/defineMessages'
import { parseDeepLink, type DeepLink } from '../../shared/deepLinks'
import type { Translator } from '../../shared/i18n/translator'
import type { LinkPrefill } from '../../shared/ipc'
import type { ServerCoordinator } from './serverCoordinator'

const messages = defineMessages({
  cannotOpen: {
    id: 'deepLink.notice.cannotOpen',
    defaultMessage: 'Tidings cannot open this link: {reason}.',
    description: 'reason: what is wrong with the link, in English (a technical detail)',
  },
  signOutFirst: {
    id: 'deepLink.notice.signOutFirst',
    defaultMessage:
      'This invite is for a new account. Sign out first to register with it; the link fills in the form once you are signed out.',
  },
  serverFixed: {
    id: 'deepLink.notice.serverFixedAdd',
    defaultMessage:
      'This invite is for {requested}, but Tidings was started for {current} (--server-url or TIDINGS_SERVER_URL), so it cannot add it.',
  },
  resetServerFixed: {
    id: 'deepLink.notice.resetServerFixedAdd',
    defaultMessage:
      'This password reset link is for {requested}, but Tidings was started for {current} (--server-url or TIDINGS_SERVER_URL), so it cannot add it.',
  },
  signOutFirstForReset: {
    id: 'deepLink.notice.signOutFirstForReset',
    defaultMessage:
      'This link sets a new password. Sign out first to use it; the link fills in the form once you are signed out.',
  },
  notAMember: {
    id: 'deepLink.notice.notAMember',
    defaultMessage: 'This link is for a conversation you are not in.',
  },
  couldNotAdd: {
    id: 'deepLink.notice.couldNotAdd',
    defaultMessage: 'Tidings could not add {server}: {reason}',
    description: 'reason: why the server did not answer, in English (a technical detail)',
  },
})

/** What a link's form needs first when the user is signed in on its server. */
const SIGN_OUT_FIRST = {
  register: messages.signOutFirst,
  password_reset: messages.signOutFirstForReset,
} satisfies Record<LinkPrefill['form'], object>

/** The notice for a link whose server Tidings cannot add (started for one server only). */
const SERVER_FIXED = {
  register: messages.serverFixed,
  password_reset: messages.resetServerFixed,
} satisfies Record<LinkPrefill['form'], object>

/**
 * What a `tidings://` link does (src/shared/deepLinks.ts parses it), decided without Electron:
 * `routeDeepLink` is the rule, `DeepLinkHandler` applies it to links arriving from a cold start's
 * argv, a second instance's argv or macOS's `open-url`, holding them until the app can act.
 *
 * The rule that matters: a link never adds a server on its own. An invite (or a password reset)
 * for a listed server shows that server with its registration (or new password) form filled in;
 * one for another server asks the user before adding it, and while a server is fixed on the
 * command line (`--server-url`, TIDINGS_SERVER_URL) none is added at all.
 */

export interface DeepLinkContext {
  /** The listed servers (the bundled one has no address: no invite is ever for it). */
  servers: readonly { id: string; url: string | null }[]
  /** The server the windows show, and its address (the bundled one's loopback URL). */
  activeServerId: string
  serverUrl: string
  /** The server was given by --server-url or TIDINGS_SERVER_URL: links cannot add another. */
  serverFixed: boolean
  /** Signed in on the active server. */
  signedIn: boolean
}

export type DeepLinkAction =
  /** Show the window and open the conversation. */
  | { type: 'open-conversation'; conversation_id: number }
  /** A conversation link while signed out: held until the user signs in. */
  | { type: 'wait-for-sign-in'; conversation_id: number }
  /** Show the registration form filled in (signed out), or say to sign out first (signed in). */
  | { type: 'prefill-registration'; server_url: string; code: string; signed_in: boolean }
  /** The same for the form that sets a new password with a reset code. */
  | { type: 'prefill-password-reset'; server_url: string; code: string; signed_in: boolean }
  /** The link is for another listed server: show it, then fill in the form there. */
  | {
      type: 'show-server'
      server_id: string
      server_url: string
      code: string
      form: LinkPrefill['form']
    }
  /** Ask the user whether to add the link's server (and then show it, the form filled in). */
  | { type: 'confirm-add-server'; to: string; code: string; form: LinkPrefill['form'] }
  /** The link's server is not the one fixed on the command line: say so, change nothing. */
  | { type: 'server-fixed'; current: string; requested: string; form: LinkPrefill['form'] }

export function routeDeepLink(link: DeepLink, context: DeepLinkContext): DeepLinkAction {
  if (link.kind === 'conversation') {
    return context.signedIn
      ? { type: 'open-conversation', conversation_id: link.conversation_id }
      : { type: 'wait-for-sign-in', conversation_id: link.conversation_id }
  }
  const form = link.kind === 'invite' ? 'register' : 'password_reset'
  const listed = context.servers.find((server) => server.url === link.server_url)
  if (listed?.id === context.activeServerId) {
    return {
      type: form === 'register' ? 'prefill-registration' : 'prefill-password-reset',
      server_url: link.server_url,
      code: link.code,
      signed_in: context.signedIn,
    }
  }
  if (listed) {
    return {
      type: 'show-server',
      server_id: listed.id,
      server_url: link.server_url,
      code: link.code,
      form,
    }
  }
  if (context.serverFixed) {
    return { type: 'server-fixed', current: context.serverUrl, requested: link.server_url, form }
  }
  return { type: 'confirm-add-server', to: link.server_url, code: link.code, form }
}

/** What the handler needs from the app: each a small step the Electron layer supplies. */
export interface DeepLinkHost {
  context(): DeepLinkContext
  showWindow(): void
  /** Whether the signed-in user is in that conversation (a link may name any number). */
  isMember(conversationId: number): Promise<boolean>
  openConversation(conversationId: number): void
  /**
   * Fills in the active server's signed-out registration or new password form: that server's
   * core holds it (AppCore.offerLinkForm; links/prefill, links/takePrefill).
   */
  prefillForm(prefill: LinkPrefill): void
  /** A short notice to the user (a link that cannot be followed, and why). */
  notice(message: string): void
  /** The interface's language, for the notices. */
  translator(): Translator
  /**
   * Asks the user; true only on an explicit yes. For a plain http:// server on another machine
   * the question says the network could read everything (the yes confirms that too).
   */
  confirmAddServer(request: { to: string; form: LinkPrefill['form'] }): Promise<boolean>
  /** Shows a listed server. */
  activateServer(serverId: string): Promise<void>
  /** Adds a server and shows it; rejects when it does not answer. */
  addServer(serverUrl: string): Promise<void>
  log(message: string): void
}

/** The dialogs and the window, which only the Electron layer (or a test) has. */
export interface DeepLinkUi {
  showWindow(): void
  notice(message: string): void
  translator(): Translator
  confirmAddServer(request: { to: string; form: LinkPrefill['form'] }): Promise<boolean>
  log(message: string): void
}

/** The host of the app: links act on the server list of `core`, through `ui`'s dialogs. */
export function serverLinkHost(core: ServerCoordinator, ui: DeepLinkUi): DeepLinkHost {
  return {
    context: () => {
      const list = core.serverList()
      const session = core.sessionState()
      return {
        servers: list.servers.map(({ id, url }) => ({ id, url })),
        activeServerId: list.active_id,
        serverUrl: session.server_url,
        serverFixed: !list.can_change,
        signedIn: session.user !== null,
      }
    },
    showWindow: () => ui.showWindow(),
    isMember: async (id) =>
      (await core.handle('conversations/list', undefined)).some((c) => c.id === id),
    openConversation: (id) => core.openConversation(id),
    prefillForm: (prefill) => core.offerLinkForm(prefill),
    notice: (message) => ui.notice(message),
    translator: () => ui.translator(),
    confirmAddServer: (request) => ui.confirmAddServer(request),
    activateServer: async (id) => {
      await core.activate(id)
    },
    addServer: async (url) => {
      // Only after confirmAddServer's yes, whose dialog warns of a plain-http remote server.
      await core.add(url, true)
    },
    log: (message) => ui.log(message),
  }
}

/**
 * Takes links from every source from the very start of the app. Until `ready(host)` (the window
 * exists and the session is known) they are held, the last one winning; a conversation link while
 * signed out waits for the next sign-in. One new server is asked about at a time. A form a link
 * fills in is the core's to hold, per server, until its signed-out window takes it (LinkForms).
 */
export class DeepLinkHandler {
  private host: DeepLinkHost | null = null
  private held: string | null = null
  /** A conversation link that waits for a sign-in on the server that was shown. */
  private conversationAfterSignIn: { id: number; serverId: string } | null = null
  private asking = false

  /** A link from argv or open-url. Resolves once it has been acted on (or held). */
  async receive(raw: string): Promise<void> {
    if (this.host === null) {
      this.held = raw
      return
    }
    await this.handle(this.host, raw)
  }

  /** The app can act now, through `host`; a link held since start-up is handled. */
  async ready(host: DeepLinkHost): Promise<void> {
    this.host = host
    const held = this.held
    this.held = null
    if (held !== null) await this.handle(host, held)
  }

  /**
   * The session changed: a conversation link that waited for a sign-in is followed, once signed
   * in on the server it came for (conversation ids are per server; another one shown waits).
   */
  async sessionChanged(signedIn: boolean): Promise<void> {
    const waiting = this.conversationAfterSignIn
    if (!signedIn || this.host === null || waiting === null) return
    if (this.host.context().activeServerId !== waiting.serverId) return
    this.conversationAfterSignIn = null
    await this.openConversation(this.host, waiting.id)
  }

  private async handle(host: DeepLinkHost, raw: string): Promise<void> {
    const parsed = parseDeepLink(raw)
    if (!parsed.ok) {
      host.log(`Ignored a tidings:// link: ${parsed.reason}`)
      host.notice(host.translator().t(messages.cannotOpen, { reason: parsed.reason }))
      return
    }
    const context = host.context()
    const action = routeDeepLink(parsed.link, context)
    switch (action.type) {
      case 'open-conversation':
        await this.openConversation(host, action.conversation_id)
        return
      case 'wait-for-sign-in':
        this.conversationAfterSignIn = {
          id: action.conversation_id,
          serverId: context.activeServerId,
        }
        host.showWindow()
        return
      case 'prefill-registration':
        host.showWindow()
        this.prefill(host, { form: 'register', server_url: action.server_url, code: action.code })
        return
      case 'show-server':
        host.showWindow()
        try {
          await host.activateServer(action.server_id)
        } catch (error) {
          host.log(`Could not show ${action.server_url}: ${String(error)}`)
          return
        }
        this.prefill(host, {
          form: action.form,
          server_url: action.server_url,
          code: action.code,
        })
        return
      case 'prefill-password-reset':
        host.showWindow()
        this.prefill(host, {
          form: 'password_reset',
          server_url: action.server_url,
          code: action.code,
        })
        return
      case 'server-fixed':
        host.showWindow()
        host.notice(
          host.translator().t(SERVER_FIXED[action.form], {
            requested: action.requested,
            current: action.current,
          }),
        )
        return
      case 'confirm-add-server':
        await this.confirmAdd(host, { form: action.form, server_url: action.to, code: action.code })
        return
    }
  }

  /** Fills in the form on the server now shown; signed in there, it says to sign out first. */
  private prefill(host: DeepLinkHost, prefill: LinkPrefill): void {
    if (host.context().signedIn) host.notice(host.translator().t(SIGN_OUT_FIRST[prefill.form]))
    host.prefillForm(prefill)
  }

  private async openConversation(host: DeepLinkHost, id: number): Promise<void> {
    host.showWindow()
    let member = false
    try {
      member = await host.isMember(id)
    } catch (error) {
      host.log(`Could not check conversation ${id}: ${String(error)}`)
    }
    if (!member) {
      host.notice(host.translator().t(messages.notAMember))
      return
    }
    host.openConversation(id)
  }

  private async confirmAdd(host: DeepLinkHost, prefill: LinkPrefill): Promise<void> {
    if (this.asking) return
    this.asking = true
    try {
      host.showWindow()
      const to = prefill.server_url
      if (!(await host.confirmAddServer({ to, form: prefill.form }))) return
      try {
        await host.addServer(to)
      } catch (error) {
        host.log(`Could not add ${to}: ${String(error)}`)
        host.notice(
          host.translator().t(messages.couldNotAdd, { server: to, reason: errorText(error) }),
        )
        return
      }
      this.prefill(host, prefill)
    } finally {
      this.asking = false
    }
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
