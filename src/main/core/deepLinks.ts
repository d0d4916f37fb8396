import { defineMessages } from '../../shared/i18n/defineMessages'
import { parseDeepLink, type DeepLink } from '../../shared/deepLinks'
import type { Translator } from '../../shared/i18n/translator'
import type { LinkPrefill } from '../../shared/ipc'

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
    id: 'deepLink.notice.serverFixed',
    defaultMessage:
      'This invite is for {requested}, but Tidings was started for {current} (--server-url or TIDINGS_SERVER_URL), so it cannot switch.',
  },
  resetServerFixed: {
    id: 'deepLink.notice.resetServerFixed',
    defaultMessage:
      'This password reset link is for {requested}, but Tidings was started for {current} (--server-url or TIDINGS_SERVER_URL), so it cannot switch.',
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
})

/**
 * What a `tidings://` link does (src/shared/deepLinks.ts parses it), decided without Electron:
 * `routeDeepLink` is the rule, `DeepLinkHandler` applies it to links arriving from a cold start's
 * argv, a second instance's argv or macOS's `open-url`, holding them until the app can act.
 *
 * The rule that matters: a link never changes the server on its own. An invite (or a password
 * reset) for the server in use fills in the registration (or new password) form; one for another
 * server asks the user first, and a server fixed on the command line (`--server-url`,
 * TIDINGS_SERVER_URL) is not switched at all.
 */

export interface DeepLinkContext {
  /** The server in use (the bundled one's loopback URL when embedded). */
  serverUrl: string
  /** The app runs its bundled server: a remote invite means switching away from it. */
  embedded: boolean
  /** The server was given by --server-url or TIDINGS_SERVER_URL: links cannot change it. */
  serverFixed: boolean
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
  /** Ask the user whether to switch to the link's server (and restart there). */
  | {
      type: 'confirm-server-switch'
      from: string | null
      to: string
      code: string
      form: LinkPrefill['form']
    }
  /** The link's server differs from one fixed on the command line: say so, change nothing. */
  | { type: 'server-fixed'; current: string; requested: string; form: LinkPrefill['form'] }

export function routeDeepLink(link: DeepLink, context: DeepLinkContext): DeepLinkAction {
  if (link.kind === 'conversation') {
    return context.signedIn
      ? { type: 'open-conversation', conversation_id: link.conversation_id }
      : { type: 'wait-for-sign-in', conversation_id: link.conversation_id }
  }
  const form = link.kind === 'invite' ? 'register' : 'password_reset'
  const sameServer = !context.embedded && link.server_url === context.serverUrl
  if (sameServer) {
    return {
      type: form === 'register' ? 'prefill-registration' : 'prefill-password-reset',
      server_url: link.server_url,
      code: link.code,
      signed_in: context.signedIn,
    }
  }
  if (context.serverFixed) {
    return { type: 'server-fixed', current: context.serverUrl, requested: link.server_url, form }
  }
  return {
    type: 'confirm-server-switch',
    from: context.embedded ? null : context.serverUrl,
    to: link.server_url,
    code: link.code,
    form,
  }
}

/** What the handler needs from the app: each a small step the Electron layer supplies. */
export interface DeepLinkHost {
  context(): DeepLinkContext
  showWindow(): void
  /** Whether the signed-in user is in that conversation (a link may name any number). */
  isMember(conversationId: number): Promise<boolean>
  openConversation(conversationId: number): void
  /** Fills in the signed-out window's registration or new password form (AppCore.offerLinkForm). */
  prefillForm(prefill: LinkPrefill): void
  /** A short notice to the user (a link that cannot be followed, and why). */
  notice(message: string): void
  /** The interface's language, for the notices. */
  translator(): Translator
  /** Asks the user; true only on an explicit yes. */
  confirmServerSwitch(request: {
    from: string | null
    to: string
    form: LinkPrefill['form']
  }): Promise<boolean>
  /** Saves the new server and restarts with `link`, which then prefills the form there. */
  switchServerAndRestart(serverUrl: string, link: string): Promise<void>
  log(message: string): void
}

/**
 * Takes links from every source from the very start of the app. Until `ready(host)` (the window
 * exists and the session is known) they are held, the last one winning; a conversation link while
 * signed out waits for the next sign-in. One server switch is asked about at a time. A form a
 * link fills in is the core's to hold until the signed-out window takes it (LinkForms).
 */
export class DeepLinkHandler {
  private host: DeepLinkHost | null = null
  private held: string | null = null
  private conversationAfterSignIn: number | null = null
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

  /** The session changed: a conversation link that waited for a sign-in is followed. */
  async sessionChanged(signedIn: boolean): Promise<void> {
    if (!signedIn || this.host === null || this.conversationAfterSignIn === null) return
    const id = this.conversationAfterSignIn
    this.conversationAfterSignIn = null
    await this.openConversation(this.host, id)
  }

  private async handle(host: DeepLinkHost, raw: string): Promise<void> {
    const parsed = parseDeepLink(raw)
    if (!parsed.ok) {
      host.log(`Ignored a tidings:// link: ${parsed.reason}`)
      host.notice(host.translator().t(messages.cannotOpen, { reason: parsed.reason }))
      return
    }
    const action = routeDeepLink(parsed.link, host.context())
    switch (action.type) {
      case 'open-conversation':
        await this.openConversation(host, action.conversation_id)
        return
      case 'wait-for-sign-in':
        this.conversationAfterSignIn = action.conversation_id
        host.showWindow()
        return
      case 'prefill-registration':
        host.showWindow()
        if (action.signed_in) {
          host.notice(host.translator().t(messages.signOutFirst))
        }
        host.prefillForm({ form: 'register', server_url: action.server_url, code: action.code })
        return
      case 'prefill-password-reset':
        host.showWindow()
        if (action.signed_in) {
          host.notice(host.translator().t(messages.signOutFirstForReset))
        }
        host.prefillForm({
          form: 'password_reset',
          server_url: action.server_url,
          code: action.code,
        })
        return
      case 'server-fixed':
        host.showWindow()
        host.notice(
          host.translator().t(messages.serverFixed, {
            form: action.form,
            requested: action.requested,
            current: action.current,
          }),
        )
        return
      case 'confirm-server-switch':
        await this.confirmSwitch(host, { from: action.from, to: action.to, form: action.form }, raw)
        return
    }
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

  private async confirmSwitch(
    host: DeepLinkHost,
    request: Parameters<DeepLinkHost['confirmServerSwitch']>[0],
    raw: string,
  ): Promise<void> {
    if (this.asking) return
    this.asking = true
    try {
      host.showWindow()
      if (!(await host.confirmServerSwitch(request))) return
      await host.switchServerAndRestart(request.to, raw)
    } finally {
      this.asking = false
    }
  }
}
