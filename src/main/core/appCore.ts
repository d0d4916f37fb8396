import type { AnyTidingsEvent } from '../../shared/events'
import {
  isAppChannel,
  isInvokeChannel,
  isWindowChannel,
  type ConnectionState,
  type InvokeChannel,
  type InvokeRequest,
  type InvokeResponse,
  type ServerChannel,
  type LinkPrefill,
  type SessionState,
} from '../../shared/ipc'
import type { Branding, PlatformAccount } from '../../shared/models'
import { AccountSessions, SIGNED_OUT_STATE, type Session } from './accountSession'
import { BrandingState } from './brandingState'
import { systemClock, type Clock } from './clock'
import { CoreError, CoreErrorCode } from './coreError'
import type { CoreApi, CoreHost, CoreOutputs } from './coreHost'
import type { CoreTuning } from './coreTuning'
import { coreHandlers, type CoreHandlers, type CoreParts } from './handlers'
import { assertValidRequest } from './ipcRequests'
import { LinkForms } from './linkForms'
import { LocalStore } from './localStore'
import { LocaleState } from './localeState'
import { NotificationCentre } from './notificationCentre'
import { PreferenceChanges } from './preferenceChanges'
import { PreferencesStore } from './preferencesStore'
import { RestClient } from './restClient'
import type { PreferenceSource } from './serverPreferences'
import { applyStreamEvent } from './streamEvents'
import { UnreadTracker } from './unreadTracker'

export type { CoreTuning } from './coreTuning'

export interface AppCoreOptions {
  host: CoreHost
  outputs: CoreOutputs
  /** http(s) base URL of the server this app talks to (bundled or remote). */
  serverUrl: string
  /** True when the app runs the bundled server. */
  embedded: boolean
  /**
   * What the session, outbox and drafts are filed under in the local store (AccountSessions);
   * the server URL unless given.
   */
  storeKey?: string
  /**
   * The preferences, given the local store (host.userDataDir's): by default all of them in it;
   * with several servers, the device's shared with the others (ServerPreferencesStore).
   */
  preferences?(store: LocalStore): PreferenceSource
  tuning?: CoreTuning
}

/** The core as the Electron layer drives it. */
export interface AppCore extends CoreApi {
  /** Opens the local store's session: restores a stored sign-in and connects. */
  start(): Promise<void>
  /** Disconnects and closes the local store (app quit). */
  stop(): Promise<void>
  /** After sleep/resume or when the network is back: reconnect without waiting for backoff. */
  reconnectNow(): void
  /** The OS network state (Electron `net.isOnline()` / online-offline events). */
  setNetworkOnline(online: boolean): void
  connectionState(): ConnectionState
  sessionState(): SessionState
  /** The organization's name and timezone, once loaded (branding/get, a sign-in); else null. */
  currentBranding(): Branding | null
  /**
   * A `tidings://` link asked to fill in the registration or password reset form: the main
   * window gets it now, or when its signed-out view next asks.
   */
  offerLinkForm(prefill: LinkPrefill): void
}

export function createAppCore(options: AppCoreOptions): AppCore {
  return new ApplicationCore(options)
}

/**
 * One server's core: it builds its parts (the signed-in session, unread tracking, the
 * notification centre, preferences and branding), runs their lifecycle, answers every invoke
 * channel about the server through the handler registry (handlers/) and takes in the stream's
 * events. The app runs one per server (ServerCoordinator, serverCoordinator.ts).
 */
class ApplicationCore implements AppCore {
  private readonly outputs: CoreOutputs
  private readonly store: LocalStore
  private readonly rest: RestClient
  private readonly sessions: AccountSessions
  private readonly unread: UnreadTracker
  private readonly notifications: NotificationCentre
  private readonly branding: BrandingState
  private readonly locale: LocaleState
  private readonly linkForms: LinkForms
  private readonly parts: CoreParts
  private readonly handlers: CoreHandlers
  private networkOnline = true
  private stopped = false

  constructor(options: AppCoreOptions) {
    const { host, outputs } = options
    const serverUrl = options.serverUrl.replace(/\/+$/, '')
    const tuning = options.tuning ?? {}
    const clock: Clock = tuning.clock ?? systemClock
    const isStopped = () => this.stopped
    this.outputs = outputs
    this.store = new LocalStore(host.userDataDir, host.secretStore)
    const stored = options.preferences?.(this.store) ?? new PreferencesStore(this.store)
    // The language is the device's: read from the source each time, as another server's core
    // may have changed it.
    this.locale = new LocaleState(host.systemLocales, () => stored.get(), outputs)
    const preferences = new PreferenceChanges(stored, outputs, (changed) =>
      this.locale.preferencesChanged(changed),
    )
    this.rest = new RestClient({
      baseUrl: serverUrl,
      getToken: () => this.sessions.current?.token ?? null,
      timeoutMs: tuning.requestTimeoutMs,
      fetchImpl: tuning.fetchImpl,
    })
    this.sessions = new AccountSessions({
      host,
      outputs,
      store: this.store,
      rest: this.rest,
      serverUrl,
      storeKey: options.storeKey ?? serverUrl,
      embedded: options.embedded,
      tuning,
      clock,
      isStopped,
      isNetworkOnline: () => this.networkOnline,
      hooks: {
        event: (event, backlog) => this.onEvent(event, backlog),
        resync: () => void this.reloadState(),
        connected: (session) => {
          if (!session.stateLoaded) void this.reloadState()
        },
        ended: () => {
          this.notifications.reset()
          this.unread.clear()
        },
      },
    })
    this.unread = new UnreadTracker({
      rest: this.rest,
      outputs,
      isStopped,
      isSignedIn: () => this.sessions.current !== null,
      onUnauthorized: () => this.sessions.forget(),
      onRecountFailed: () => {
        if (this.sessions.current) this.sessions.current.stateLoaded = false
      },
    })
    this.branding = new BrandingState(this.rest, outputs, isStopped)
    this.linkForms = new LinkForms(outputs, isStopped)
    this.notifications = new NotificationCentre({
      host,
      outputs,
      clock,
      coalesceWindowMs: tuning.coalesceWindowMs,
      preferences: () => preferences.get(),
      timezone: () => this.branding.timezone,
      username: () => this.sessions.current?.user.username ?? null,
      userId: () => this.sessions.current?.user.id ?? null,
      isUnread: (conversationId, messageId) => this.unread.isUnread(conversationId, messageId),
      isActive: () => !this.stopped && this.sessions.current !== null,
      translator: () => this.locale.translator(),
    })
    this.parts = {
      rest: this.rest,
      sessions: this.sessions,
      unread: this.unread,
      notifications: this.notifications,
      preferences,
      branding: this.branding,
      locale: this.locale,
      connectionState: () => this.connectionState(),
      publishAccount: (account) => this.publishAccount(account),
      linkForms: this.linkForms,
      chooseSavePath: (fileName) => host.chooseSavePath(fileName),
    }
    this.handlers = coreHandlers(this.parts)
  }

  // ---- Lifecycle ---------------------------------------------------------------------------

  async start(): Promise<void> {
    this.sessions.restore()
    await this.sessions.refreshAuthStatus()
    this.sessions.push()
  }

  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    this.sessions.end()
    this.notifications.reset()
    this.store.close()
  }

  reconnectNow(): void {
    this.sessions.current?.events.reconnectNow()
    this.sessions.current?.outbox.kick()
  }

  setNetworkOnline(online: boolean): void {
    this.networkOnline = online
    this.sessions.current?.events.setNetworkOnline(online)
    if (online) this.sessions.current?.outbox.kick()
  }

  connectionState(): ConnectionState {
    return this.sessions.current ? this.sessions.current.events.state : SIGNED_OUT_STATE
  }

  sessionState(): SessionState {
    return this.sessions.state()
  }

  currentBranding(): Branding | null {
    return this.branding.current
  }

  offerLinkForm(prefill: LinkPrefill): void {
    this.linkForms.offer(prefill)
  }

  // ---- Invoke channels ---------------------------------------------------------------------

  async handle<C extends InvokeChannel>(
    channel: C,
    request: InvokeRequest<C>,
  ): Promise<InvokeResponse<C>> {
    if (!isInvokeChannel(channel)) {
      throw new CoreError(CoreErrorCode.UnknownChannel, `Unknown channel ${String(channel)}`)
    }
    if (this.stopped) throw new CoreError('stopped', 'The application is shutting down')
    assertValidRequest(channel, request)
    if (isWindowChannel(channel) || isAppChannel(channel)) {
      throw new CoreError(
        CoreErrorCode.NotHandledByCore,
        `${channel} is answered by ${isWindowChannel(channel) ? 'the Electron layer' : 'the app'}`,
      )
    }
    // The registry holds channel C's own handler; TypeScript cannot carry the generic C through
    // the guards above, hence the casts.
    const server = channel as C & ServerChannel
    return this.answer(server, request as InvokeRequest<typeof server>) as Promise<
      InvokeResponse<C>
    >
  }

  private async answer<C extends ServerChannel>(
    channel: C,
    request: InvokeRequest<C>,
  ): Promise<InvokeResponse<C>> {
    return this.handlers[channel](request)
  }

  // ---- The stream and the server's state ---------------------------------------------------

  /**
   * `backlog`: replayed on starting, from before the app was open (sent while it was closed): it
   * counts and shows, but raises no notification (as in Slack or Signal). A reconnect's replay
   * later in the session still does, in bursts: it happened while the app was open.
   */
  private onEvent(event: AnyTidingsEvent, backlog: boolean): void {
    if (this.stopped) return
    applyStreamEvent(this.parts, event)
    this.outputs.push('events/event', event)
    if (!backlog) this.notifications.consider(event)
  }

  /** Loads what events only update: unread counts and branding. After a resync, again. */
  private async reloadState(): Promise<void> {
    const session: Session | null = this.sessions.current
    if (!session) return
    try {
      const [conversations] = await Promise.all([
        this.rest.conversations(),
        this.branding.load().catch(() => null),
      ])
      if (this.sessions.current !== session || this.stopped) return
      this.unread.load(conversations)
      session.stateLoaded = true
    } catch (error) {
      this.sessions.forgetIfRevoked(session, error)
    }
  }

  private publishAccount(account: PlatformAccount): PlatformAccount {
    if (!this.stopped) this.outputs.push('accounts/changed', account)
    return account
  }
}
