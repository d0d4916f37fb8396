import type { AnyTidingsEvent } from '../../shared/events'
import type { ConnectionState, SessionState } from '../../shared/ipc'
import type { AuthResult, User } from '../../shared/models'
import { AttachmentTransfers } from './attachmentTransfers'
import { DataExportDownload } from './dataExportDownload'
import type { Clock } from './clock'
import { CoreError, CoreErrorCode } from './coreError'
import type { CoreHost, CoreOutputs } from './coreHost'
import { Drafts } from './drafts'
import { EventsClient } from './eventsClient'
import type { CoreTuning } from './coreTuning'
import type { LocalStore } from './localStore'
import { Outbox } from './outbox'
import { ApiRequestError, type RestClient } from './restClient'

export const SIGNED_OUT_STATE: ConnectionState = {
  status: 'signed_out',
  next_attempt_at: null,
  attempt: 0,
  last_error: null,
}

/** One signed-in account's live parts; replaced as a whole on sign-in and sign-out. */
export interface Session {
  user: User
  token: string
  events: EventsClient
  outbox: Outbox
  drafts: Drafts
  /** Uploads and downloads, with the files read this session kept in memory. */
  attachments: AttachmentTransfers
  /** "Export my data": the server's ZIP saved where the user says. */
  dataExport: DataExportDownload
  /** True once conversations were loaded over REST for the unread badge. */
  stateLoaded: boolean
  /**
   * True until the first replay of a session restored from a stored stream position is over:
   * what it replays happened before this run of the app could hear of it, so it is no news.
   */
  backlog: boolean
}

/** What the rest of the core does when a session's stream speaks or the session ends. */
export interface SessionHooks {
  /**
   * A stream event. `backlog`: replayed on starting, from before the app was open; it counts and
   * shows, but raises no notification.
   */
  event(event: AnyTidingsEvent, backlog: boolean): void
  /** Events were missed beyond replay (the windows were told): reload what events only update. */
  resync(): void
  /** The stream connected: the outbox was kicked; load the server's state if not loaded yet. */
  connected(session: Session): void
  /** The session ended (sign-out, a revoked token, quit): forget what belonged to it. */
  ended(): void
}

export interface AccountSessionsOptions {
  host: CoreHost
  outputs: CoreOutputs
  store: LocalStore
  rest: RestClient
  serverUrl: string
  /**
   * What the server's session, resume position, outbox and drafts are filed under in the local
   * store: its address, or a name that outlives the bundled server's port, which changes with
   * each start.
   */
  storeKey: string
  embedded: boolean
  tuning: CoreTuning
  clock: Clock
  isStopped(): boolean
  /** The OS network state, which a new session's stream and transfers start from. */
  isNetworkOnline(): boolean
  hooks: SessionHooks
}

/**
 * Who is signed in: the stored session (token in the secret store, user in the local store), its
 * live parts (stream, outbox, drafts, transfers), and sign-in, sign-out and the end of a session
 * the server revoked. Every window hears of each change (`session/changed`).
 */
export class AccountSessions {
  /** The signed-in account's session, null while signed out. */
  current: Session | null = null
  private needsFirstAccount = false

  constructor(private readonly options: AccountSessionsOptions) {}

  /** Signs in from the stored session, if any, without waiting for the server. */
  restore(): void {
    const { store } = this.options
    const token = store.getSecret(this.tokenKey)
    const user = store.getJson<User>(this.userKey)
    if (!token || !user) return
    // The outbox and the cached state work offline; the stream connects when the server is there.
    this.begin(user, token)
    void this.verifyRestored()
  }

  state(): SessionState {
    return {
      user: this.current?.user ?? null,
      server_url: this.options.serverUrl,
      embedded: this.options.embedded,
      needs_first_account: this.needsFirstAccount,
      secure_storage: this.options.store.secureStorage,
    }
  }

  /** Whether the server has no account yet (the window then offers to create the admin). */
  async refreshAuthStatus(): Promise<void> {
    try {
      const status = await this.options.rest.authStatus()
      this.needsFirstAccount = status.needs_first_account
    } catch {
      // The bundled server may still be starting; the window asks again via session/get.
    }
  }

  async register(body: Parameters<RestClient['register']>[0]): Promise<SessionState> {
    const result = await this.options.rest.register(body)
    this.needsFirstAccount = false
    return this.signIn(result)
  }

  async login(username: string, password: string): Promise<SessionState> {
    return this.signIn(await this.options.rest.login(username, password))
  }

  /**
   * A new password with an administrator's reset code: the server signs out every device of the
   * user and signs this one in.
   */
  async resetPassword(body: Parameters<RestClient['resetPassword']>[0]): Promise<SessionState> {
    return this.signIn(await this.options.rest.resetPassword(body))
  }

  /**
   * The signed-in user changed on the server (an administrator changed their role): the session
   * keeps the new copy, stored, and every window hears of it.
   */
  userChanged(user: User): void {
    const session = this.current
    if (!session || session.user.id !== user.id || this.options.isStopped()) return
    if (session.user.role === user.role && session.user.display_name === user.display_name) return
    session.user = { ...session.user, role: user.role, display_name: user.display_name }
    this.options.store.setJson(this.userKey, session.user)
    this.push()
  }

  async signOut(): Promise<SessionState> {
    if (this.current) {
      try {
        // Revoke the token on the server; it is forgotten locally whether or not this works.
        await this.options.rest.logout()
      } catch {
        // Offline or already revoked: nothing more to do.
      }
    }
    this.forget()
    return this.state()
  }

  /** Ends the session locally (sign-out, or the server rejected the token). */
  forget(): void {
    if (this.options.isStopped()) return
    const { store, storeKey, outputs } = this.options
    const session = this.current
    store.deleteSecret(this.tokenKey)
    store.deleteJson(this.userKey)
    if (session) {
      // The next sign-in starts the stream afresh and loads state over REST. Resuming from an old
      // position would replay (and notify) everything since, already read on other devices.
      store.clearResumePosition(storeKey, session.user.id)
      // Unsent words are private: whoever signs in next on this machine must not find them.
      session.drafts.clear()
    }
    this.end()
    outputs.push('connection/state', SIGNED_OUT_STATE)
    this.push()
  }

  /** Stops the session's parts (quit, sign-out, another sign-in); what is stored stays. */
  end(): void {
    const session = this.current
    if (!session) return
    this.current = null
    session.events.stop()
    session.outbox.stop()
    session.drafts.close()
    this.options.hooks.ended()
  }

  require(): Session {
    if (!this.current) throw new CoreError(CoreErrorCode.NotSignedIn, 'Sign in first')
    return this.current
  }

  /** Runs an authenticated call; a 401 means the token was revoked, which ends the session. */
  async authed<T>(call: () => Promise<T>): Promise<T> {
    const session = this.require()
    try {
      return await call()
    } catch (error) {
      this.forgetIfRevoked(session, error)
      throw error
    }
  }

  /** Ends `session` when `error` says its token was revoked (and it is still the current one). */
  forgetIfRevoked(session: Session, error: unknown): void {
    if (error instanceof ApiRequestError && error.status === 401 && this.current === session) {
      this.forget()
    }
  }

  /** Tells every window the session as it is now. */
  push(): void {
    if (!this.options.isStopped()) this.options.outputs.push('session/changed', this.state())
  }

  private get tokenKey(): string {
    return `session.token:${this.options.storeKey}`
  }

  private get userKey(): string {
    return `session.user:${this.options.storeKey}`
  }

  private signIn(result: AuthResult): SessionState {
    this.end()
    this.options.store.setSecret(this.tokenKey, result.token)
    this.options.store.setJson(this.userKey, result.user)
    this.begin(result.user, result.token)
    this.push()
    return this.state()
  }

  private begin(user: User, token: string): void {
    const { store, serverUrl, storeKey, tuning, hooks, outputs, rest } = this.options
    const account = `${storeKey}#${user.id}`
    const resumeFrom = store.getResumePosition(storeKey, user.id)
    const events: EventsClient = new EventsClient({
      serverUrl,
      token,
      resumeFrom,
      savePosition: (id) => {
        if (!this.options.isStopped()) store.setResumePosition(storeKey, user.id, id)
      },
      backoff: tuning.backoff,
      heartbeat: tuning.heartbeat,
      clock: tuning.clock,
      random: tuning.random,
      listener: {
        event: (event, replaying) => {
          if (this.options.isStopped()) return
          const session = this.current
          hooks.event(event, replaying && session?.events === events && session.backlog)
        },
        replayComplete: () => this.backlogOver(events),
        resync: (reason) => {
          this.backlogOver(events)
          outputs.push('events/resync', { reason })
          hooks.resync()
        },
        state: (state) => {
          const session = this.current
          if (session?.events !== events) return
          outputs.push('connection/state', state)
          if (state.status === 'connected') {
            session.outbox.kick()
            hooks.connected(session)
          }
        },
        signedOut: () => {
          if (this.current?.events === events) this.forget()
        },
      },
    })
    const outbox: Outbox = new Outbox({
      store,
      account,
      rest,
      onChange: (item) => outputs.push('outbox/changed', item),
      onUnauthorized: () => {
        if (this.current?.outbox === outbox) this.forget()
      },
      backoff: tuning.backoff,
      clock: tuning.clock,
      random: tuning.random,
    })
    this.current = {
      user,
      token,
      events,
      outbox,
      drafts: new Drafts(store, account, this.options.clock, tuning.draftWriteDelayMs),
      attachments: new AttachmentTransfers({
        rest,
        chooseSavePath: (fileName) => this.options.host.chooseSavePath(fileName),
        isOnline: () => this.options.isNetworkOnline(),
      }),
      dataExport: new DataExportDownload({
        rest,
        chooseSavePath: (fileName) => this.options.host.chooseSavePath(fileName),
        progress: (progress) => outputs.push('session/exportProgress', progress),
      }),
      stateLoaded: false,
      backlog: resumeFrom !== null,
    }
    if (!this.options.isNetworkOnline()) events.setNetworkOnline(false)
    events.start()
    outbox.kick()
  }

  /** Events from now on happened while this run of the app was listening. */
  private backlogOver(events: EventsClient): void {
    if (this.current?.events === events) this.current.backlog = false
  }

  /** The stored token may have been revoked while the app was closed. */
  private async verifyRestored(): Promise<void> {
    const session = this.current
    if (!session) return
    try {
      const user = await this.options.rest.me()
      if (this.current !== session || this.options.isStopped()) return
      session.user = user
      this.options.store.setJson(this.userKey, user)
      this.push()
    } catch (error) {
      // A 401 ends it; any other failure: the server is not reachable yet, the stream keeps trying.
      this.forgetIfRevoked(session, error)
    }
  }
}
