import type { AnyTidingsEvent } from '../../shared/events'
import {
  isInvokeChannel,
  type ConnectionState,
  type InvokeChannel,
  type InvokeRequest,
  type InvokeResponse,
  type SessionState,
} from '../../shared/ipc'
import type {
  AuthResult,
  Branding,
  CreatedPlatformAccount,
  PlatformAccount,
  User,
} from '../../shared/models'
import { MAX_PINNED_CONVERSATIONS, type Preferences } from '../../shared/preferences'
import { AttachmentTransfers } from './attachmentTransfers'
import type { BackoffPolicy } from './backoff'
import { systemClock, type Clock } from './clock'
import { CoreError, CoreErrorCode } from './coreError'
import type { CoreApi, CoreHost, CoreOutputs } from './coreHost'
import { Drafts } from './drafts'
import { EventsClient, type HeartbeatPolicy } from './eventsClient'
import { assertValidRequest } from './ipcRequests'
import { LocalStore } from './localStore'
import { NotificationCoalescer } from './notificationCoalescer'
import {
  notificationSubject,
  suppressionReason,
  type NotificationContext,
  type NotificationSubject,
} from '../../shared/notificationPolicy'
import { notificationTag, type NotificationBurst } from '../../shared/notificationText'
import { composeNotification } from './nativeNotifications'
import { Outbox } from './outbox'
import { PreferencesStore } from './preferencesStore'
import { ApiRequestError, RestClient } from './restClient'
import { UnreadCounts } from './unreadCounts'

/** Knobs tests turn to make time-based behaviour fast and deterministic. */
export interface CoreTuning {
  backoff?: BackoffPolicy
  heartbeat?: HeartbeatPolicy
  coalesceWindowMs?: number
  clock?: Clock
  random?: () => number
  requestTimeoutMs?: number
  /** How long after a change drafts are written to disk (see Drafts). */
  draftWriteDelayMs?: number
  /** The fetch the core's REST calls go through (tests count the requests it makes). */
  fetchImpl?: typeof fetch
}

export interface AppCoreOptions {
  host: CoreHost
  outputs: CoreOutputs
  /** http(s) base URL of the server this app talks to (bundled or remote). */
  serverUrl: string
  /** True when the app runs the bundled server. */
  embedded: boolean
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
}

const SIGNED_OUT_STATE: ConnectionState = {
  status: 'signed_out',
  next_attempt_at: null,
  attempt: 0,
  last_error: null,
}

/** One signed-in account's live parts; replaced as a whole on sign-in and sign-out. */
interface Session {
  user: User
  token: string
  events: EventsClient
  outbox: Outbox
  drafts: Drafts
  /** Uploads and downloads, with the files read this session kept in memory. */
  attachments: AttachmentTransfers
  /** True once conversations were loaded over REST for the unread badge. */
  stateLoaded: boolean
  /**
   * True until the first replay of a session restored from a stored stream position is over:
   * what it replays happened before this run of the app could hear of it, so it is no news.
   */
  backlog: boolean
  /**
   * Conversations whose unread count is being re-fetched (one request at a time each), with
   * whether the count changed after that request was sent.
   */
  unreadRecounts: Map<number, boolean>
}

export function createAppCore(options: AppCoreOptions): AppCore {
  return new ApplicationCore(options)
}

class ApplicationCore implements AppCore {
  private readonly host: CoreHost
  private readonly outputs: CoreOutputs
  private readonly serverUrl: string
  private readonly embedded: boolean
  private readonly tuning: CoreTuning
  private readonly clock: Clock
  private readonly store: LocalStore
  private readonly preferences: PreferencesStore
  private readonly rest: RestClient
  private readonly unread = new UnreadCounts()
  private readonly coalescer: NotificationCoalescer

  private session: Session | null = null
  private needsFirstAccount = false
  private branding: Branding | null = null
  /** The newest timezone seen on an event envelope, used until branding is loaded. */
  private eventTimezone: string | null = null
  private focusedConversationId: number | null = null
  private lastUnreadTotal: number | null = null
  private networkOnline = true
  private stopped = false

  constructor(options: AppCoreOptions) {
    this.host = options.host
    this.outputs = options.outputs
    this.serverUrl = options.serverUrl.replace(/\/+$/, '')
    this.embedded = options.embedded
    this.tuning = options.tuning ?? {}
    this.clock = this.tuning.clock ?? systemClock
    this.store = new LocalStore(options.host.userDataDir, options.host.secretStore)
    this.preferences = new PreferencesStore(this.store)
    this.rest = new RestClient({
      baseUrl: this.serverUrl,
      getToken: () => this.session?.token ?? null,
      timeoutMs: this.tuning.requestTimeoutMs,
      fetchImpl: this.tuning.fetchImpl,
    })
    this.coalescer = new NotificationCoalescer({
      emit: (burst) => this.showBurst(burst),
      stillNews: (subject) => this.stillUnread(subject),
      windowMs: this.tuning.coalesceWindowMs,
      clock: this.clock,
    })
  }

  // ---- Lifecycle ---------------------------------------------------------------------------

  async start(): Promise<void> {
    const token = this.store.getSecret(this.tokenKey)
    const user = this.store.getJson<User>(this.userKey)
    if (token && user) {
      // Sign in from the stored session at once, without waiting for the server: the outbox and
      // the cached state work offline, and the events client connects when the server is there.
      this.beginSession(user, token)
      void this.verifyRestoredSession()
    }
    await this.refreshAuthStatus()
    this.pushSession()
  }

  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    this.endSession()
    this.coalescer.clear()
    this.store.close()
  }

  reconnectNow(): void {
    this.session?.events.reconnectNow()
    this.session?.outbox.kick()
  }

  setNetworkOnline(online: boolean): void {
    this.networkOnline = online
    this.session?.events.setNetworkOnline(online)
    if (online) this.session?.outbox.kick()
  }

  connectionState(): ConnectionState {
    return this.session ? this.session.events.state : SIGNED_OUT_STATE
  }

  sessionState(): SessionState {
    return {
      user: this.session?.user ?? null,
      server_url: this.serverUrl,
      embedded: this.embedded,
      needs_first_account: this.needsFirstAccount,
      secure_storage: this.store.secureStorage,
    }
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
    // Each case returns exactly the response type of its channel; the cast only bridges the
    // generic parameter, which TypeScript does not narrow through a switch.
    return (await this.dispatch(channel, request as never)) as InvokeResponse<C>
  }

  private async dispatch(channel: InvokeChannel, request: never): Promise<unknown> {
    switch (channel) {
      case 'session/get':
        // While signed out, ask again: the bundled server may not have been up at start.
        if (!this.session) await this.refreshAuthStatus()
        return this.sessionState()
      case 'session/register': {
        const body = request as InvokeRequest<'session/register'>
        const result = await this.rest.register(body)
        this.needsFirstAccount = false
        return this.signIn(result)
      }
      case 'session/login': {
        const body = request as InvokeRequest<'session/login'>
        return this.signIn(await this.rest.login(body.username, body.password))
      }
      case 'session/logout':
        return this.signOut()
      case 'session/changePassword': {
        // The passwords go to the server only: never stored, never logged. A wrong current
        // password is a 403 (wrong_password), so authed() keeps the session for another try.
        const body = request as InvokeRequest<'session/changePassword'>
        return this.authed(() => this.rest.changePassword(body))
      }
      case 'session/signOutOthers':
        return this.authed(() => this.rest.signOutOthers())
      case 'connection/get':
        return this.connectionState()
      case 'users/list':
        return this.authed(() => this.rest.users())
      case 'conversations/list':
        return this.authed(async () => {
          const conversations = await this.rest.conversations()
          this.unread.load(conversations)
          this.publishUnread()
          return conversations
        })
      case 'conversations/create': {
        const body = request as InvokeRequest<'conversations/create'>
        return this.authed(async () => {
          const conversation = await this.rest.createConversation(body)
          this.unread.addConversation(conversation)
          return conversation
        })
      }
      case 'conversations/rename': {
        const body = request as InvokeRequest<'conversations/rename'>
        return this.authed(() => this.rest.renameConversation(body.conversation_id, body.title))
      }
      case 'conversations/addMembers': {
        const body = request as InvokeRequest<'conversations/addMembers'>
        return this.authed(() => this.rest.addMembers(body.conversation_id, body.user_ids))
      }
      case 'conversations/removeMember': {
        const body = request as InvokeRequest<'conversations/removeMember'>
        return this.authed(async () => {
          const conversation = await this.rest.removeMember(body.conversation_id, body.user_id)
          if (body.user_id === this.session?.user.id) {
            // Left: its unread messages no longer count (the server's removed event says so too).
            this.unread.removeConversation(body.conversation_id)
            this.publishUnread()
            this.forgetPin(body.conversation_id)
          }
          return conversation
        })
      }
      case 'conversations/focus': {
        const body = request as InvokeRequest<'conversations/focus'>
        this.focusedConversationId = body.conversation_id
        // Switching conversations is a natural moment to put what was typed on disk.
        this.session?.drafts.flush()
        if (body.conversation_id !== null) {
          // A burst about the conversation now on screen is no longer news.
          this.coalescer.discard(`conversation:${body.conversation_id}`)
        }
        return undefined
      }
      case 'messages/history': {
        const body = request as InvokeRequest<'messages/history'>
        return this.authed(() =>
          this.rest.history(body.conversation_id, { before: body.before, limit: body.limit }),
        )
      }
      case 'messages/search': {
        const body = request as InvokeRequest<'messages/search'>
        return this.authed(() => this.rest.searchMessages(body))
      }
      case 'messages/send': {
        const body = request as InvokeRequest<'messages/send'>
        if (body.text.trim() === '' && body.attachment_ids === undefined) {
          throw new CoreError(CoreErrorCode.InvalidRequest, 'A message cannot be blank.')
        }
        const session = this.requireSession()
        const item = session.outbox.send(
          body.conversation_id,
          body.text,
          body.reply_to_id,
          body.attachment_ids,
        )
        // What was in the composer is now in the outbox: the draft is done with.
        session.drafts.delete(body.conversation_id)
        return item
      }
      case 'messages/retry': {
        const body = request as InvokeRequest<'messages/retry'>
        return this.requireSession().outbox.retry(body.client_id)
      }
      case 'messages/edit': {
        const body = request as InvokeRequest<'messages/edit'>
        return this.authed(() => this.rest.editMessage(body.message_id, body.text))
      }
      case 'messages/delete': {
        const body = request as InvokeRequest<'messages/delete'>
        return this.authed(() => this.rest.deleteMessage(body.message_id))
      }
      case 'messages/react': {
        const body = request as InvokeRequest<'messages/react'>
        return this.authed(() =>
          body.emoji === null
            ? this.rest.removeReaction(body.conversation_id, body.message_id)
            : this.rest.setReaction(body.conversation_id, body.message_id, body.emoji),
        )
      }
      case 'messages/markRead': {
        const body = request as InvokeRequest<'messages/markRead'>
        return this.authed(async () => {
          await this.rest.sendReceipt(body.conversation_id, {
            kind: 'read',
            up_to_message_id: body.up_to_message_id,
          })
          this.unreadChanged(
            body.conversation_id,
            this.unread.readUpTo(body.conversation_id, body.up_to_message_id),
          )
          return undefined
        })
      }
      case 'outbox/list':
        return this.requireSession().outbox.list()
      case 'attachments/upload': {
        const body = request as InvokeRequest<'attachments/upload'>
        const { attachments } = this.requireSession()
        return this.authed(() => attachments.upload(body))
      }
      case 'attachments/read': {
        const body = request as InvokeRequest<'attachments/read'>
        const { attachments } = this.requireSession()
        return this.authed(() => attachments.read(body))
      }
      case 'attachments/save': {
        const body = request as InvokeRequest<'attachments/save'>
        const { attachments } = this.requireSession()
        return this.authed(() => attachments.save(body))
      }
      case 'drafts/list':
        return this.requireSession().drafts.list()
      case 'drafts/set': {
        const body = request as InvokeRequest<'drafts/set'>
        this.requireSession().drafts.set(body.conversation_id, body.text)
        return undefined
      }
      case 'typing/set': {
        const body = request as InvokeRequest<'typing/set'>
        this.requireSession().events.sendTyping(body.conversation_id, body.is_typing)
        return undefined
      }
      case 'branding/get':
        return this.loadBranding()
      case 'branding/set': {
        const body = request as InvokeRequest<'branding/set'>
        return this.authed(async () => {
          const branding = await this.rest.setBranding({ timezone: body.timezone })
          this.updateBranding(branding)
          return branding
        })
      }
      case 'admin/createInvite':
        return this.authed(async () => ({ code: (await this.rest.createInvite()).code }))
      case 'accounts/list':
        return this.authed(() => this.rest.accounts())
      case 'accounts/connectEmail': {
        const body = request as InvokeRequest<'accounts/connectEmail'>
        return this.authed(async () => {
          const created = await this.rest.createAccount({ platform: 'email', ...body })
          return this.publishAccount(withoutBridgeSecret(created))
        })
      }
      case 'accounts/disconnect': {
        const body = request as InvokeRequest<'accounts/disconnect'>
        return this.authed(async () => {
          // The server also announces it (account_disconnected), which every window applies.
          this.publishAccount(await this.rest.deleteAccount(body.account_id))
          return undefined
        })
      }
      case 'accounts/sync': {
        const body = request as InvokeRequest<'accounts/sync'>
        return this.authed(async () =>
          this.publishAccount(await this.rest.syncAccount(body.account_id)),
        )
      }
      case 'settings/get':
        return this.preferences.get()
      case 'settings/set':
        return this.changePreferences(request)
      case 'conversations/setMuted': {
        const body = request as InvokeRequest<'conversations/setMuted'>
        const others = this.preferences
          .get()
          .muted_conversation_ids.filter((id) => id !== body.conversation_id)
        return this.changePreferences({
          muted_conversation_ids: body.muted ? [...others, body.conversation_id] : others,
        })
      }
      case 'conversations/setPinned': {
        const body = request as InvokeRequest<'conversations/setPinned'>
        return this.setPinned(body.conversation_id, body.pinned)
      }
      case 'window/openSettings':
        throw new CoreError(
          CoreErrorCode.NotHandledByCore,
          'window/openSettings is handled by the Electron layer',
        )
    }
  }

  /**
   * A new pin goes last and an existing one keeps its place; one past the limit changes nothing
   * and says why, so the renderer can tell the user to unpin one first.
   */
  private setPinned(conversationId: number, pinned: boolean): Preferences {
    const current = this.preferences.get().pinned_conversation_ids
    if (pinned === current.includes(conversationId)) return this.preferences.get()
    if (!pinned) {
      return this.changePreferences({
        pinned_conversation_ids: current.filter((id) => id !== conversationId),
      })
    }
    if (current.length >= MAX_PINNED_CONVERSATIONS) {
      throw new CoreError(
        CoreErrorCode.PinLimitReached,
        `You can pin up to ${MAX_PINNED_CONVERSATIONS} conversations. Unpin one first.`,
      )
    }
    return this.changePreferences({ pinned_conversation_ids: [...current, conversationId] })
  }

  /** A conversation the user left or was removed from can no longer be shown, so not pinned. */
  private forgetPin(conversationId: number): void {
    if (this.preferences.get().pinned_conversation_ids.includes(conversationId)) {
      this.setPinned(conversationId, false)
    }
  }

  /**
   * Every preference change, from the settings window or a mute in the main window, is stored
   * and pushed the same way, so each open window follows it live.
   */
  private changePreferences(patch: unknown): Preferences {
    const preferences = this.preferences.set(patch)
    this.outputs.push('settings/changed', preferences)
    return preferences
  }

  // ---- Session -----------------------------------------------------------------------------

  private get tokenKey(): string {
    return `session.token:${this.serverUrl}`
  }

  private get userKey(): string {
    return `session.user:${this.serverUrl}`
  }

  private signIn(result: AuthResult): SessionState {
    this.endSession()
    this.store.setSecret(this.tokenKey, result.token)
    this.store.setJson(this.userKey, result.user)
    this.beginSession(result.user, result.token)
    this.pushSession()
    return this.sessionState()
  }

  private async signOut(): Promise<SessionState> {
    const session = this.session
    if (session) {
      try {
        // Revoke the token on the server; it is forgotten locally whether or not this works.
        await this.rest.logout()
      } catch {
        // Offline or already revoked: nothing more to do.
      }
    }
    this.forgetSession()
    return this.sessionState()
  }

  /** Ends the session locally (sign-out, or the server rejected the token). */
  private forgetSession(): void {
    if (this.stopped) return
    const session = this.session
    this.store.deleteSecret(this.tokenKey)
    this.store.deleteJson(this.userKey)
    if (session) {
      // The next sign-in starts the stream afresh and loads state over REST. Resuming from an old
      // position would replay (and notify) everything since, already read on other devices.
      this.store.clearResumePosition(this.serverUrl, session.user.id)
      // Unsent words are private: whoever signs in next on this machine must not find them.
      session.drafts.clear()
    }
    this.endSession()
    this.outputs.push('connection/state', SIGNED_OUT_STATE)
    this.pushSession()
  }

  private beginSession(user: User, token: string): void {
    const account = `${this.serverUrl}#${user.id}`
    const resumeFrom = this.store.getResumePosition(this.serverUrl, user.id)
    const events: EventsClient = new EventsClient({
      serverUrl: this.serverUrl,
      token,
      resumeFrom,
      savePosition: (id) => {
        if (!this.stopped) this.store.setResumePosition(this.serverUrl, user.id, id)
      },
      backoff: this.tuning.backoff,
      heartbeat: this.tuning.heartbeat,
      clock: this.tuning.clock,
      random: this.tuning.random,
      listener: {
        event: (event, replaying) =>
          this.onEvent(event, replaying && this.session?.events === events && this.session.backlog),
        replayComplete: () => this.backlogOver(events),
        resync: (reason) => {
          this.backlogOver(events)
          this.outputs.push('events/resync', { reason })
          void this.reloadState()
        },
        state: (state) => {
          if (this.session?.events !== events) return
          this.outputs.push('connection/state', state)
          if (state.status === 'connected') {
            this.session.outbox.kick()
            if (!this.session.stateLoaded) void this.reloadState()
          }
        },
        signedOut: () => {
          if (this.session?.events === events) this.forgetSession()
        },
      },
    })
    const outbox: Outbox = new Outbox({
      store: this.store,
      account,
      rest: this.rest,
      onChange: (item) => this.outputs.push('outbox/changed', item),
      onUnauthorized: () => {
        if (this.session?.outbox === outbox) this.forgetSession()
      },
      backoff: this.tuning.backoff,
      clock: this.tuning.clock,
      random: this.tuning.random,
    })
    this.session = {
      user,
      token,
      events,
      outbox,
      drafts: new Drafts(this.store, account, this.clock, this.tuning.draftWriteDelayMs),
      attachments: new AttachmentTransfers({
        rest: this.rest,
        chooseSavePath: (fileName) => this.host.chooseSavePath(fileName),
        isOnline: () => this.networkOnline,
      }),
      stateLoaded: false,
      backlog: resumeFrom !== null,
      unreadRecounts: new Map(),
    }
    if (!this.networkOnline) events.setNetworkOnline(false)
    events.start()
    outbox.kick()
  }

  /** Events from now on happened while this run of the app was listening. */
  private backlogOver(events: EventsClient): void {
    if (this.session?.events === events) this.session.backlog = false
  }

  private endSession(): void {
    const session = this.session
    if (!session) return
    this.session = null
    session.events.stop()
    session.outbox.stop()
    session.drafts.close()
    this.coalescer.clear()
    this.unread.clear()
    this.focusedConversationId = null
    this.publishUnread()
  }

  /** The stored token may have been revoked while the app was closed. */
  private async verifyRestoredSession(): Promise<void> {
    const session = this.session
    if (!session) return
    try {
      const user = await this.rest.me()
      if (this.session !== session || this.stopped) return
      session.user = user
      this.store.setJson(this.userKey, user)
      this.pushSession()
    } catch (error) {
      if (this.session !== session) return
      if (error instanceof ApiRequestError && error.status === 401) this.forgetSession()
      // Any other failure: the server is not reachable yet; the events client keeps trying.
    }
  }

  private async refreshAuthStatus(): Promise<void> {
    try {
      const status = await this.rest.authStatus()
      this.needsFirstAccount = status.needs_first_account
    } catch {
      // The bundled server may still be starting; the window asks again via session/get.
    }
  }

  private requireSession(): Session {
    if (!this.session) throw new CoreError(CoreErrorCode.NotSignedIn, 'Sign in first')
    return this.session
  }

  /** Runs an authenticated call; a 401 means the token was revoked, which ends the session. */
  private async authed<T>(call: () => Promise<T>): Promise<T> {
    const session = this.requireSession()
    try {
      return await call()
    } catch (error) {
      if (error instanceof ApiRequestError && error.status === 401 && this.session === session) {
        this.forgetSession()
      }
      throw error
    }
  }

  /** Tells every window an account's latest state (connected, error, removed...). */
  private publishAccount(account: PlatformAccount): PlatformAccount {
    if (!this.stopped) this.outputs.push('accounts/changed', account)
    return account
  }

  private pushSession(): void {
    if (!this.stopped) this.outputs.push('session/changed', this.sessionState())
  }

  // ---- Server state ------------------------------------------------------------------------

  /** Loads what events only update: unread counts and branding. After a resync, again. */
  private async reloadState(): Promise<void> {
    const session = this.session
    if (!session) return
    try {
      const [conversations] = await Promise.all([
        this.rest.conversations(),
        this.loadBranding().catch(() => null),
      ])
      if (this.session !== session || this.stopped) return
      this.unread.load(conversations)
      session.stateLoaded = true
      this.publishUnread()
    } catch (error) {
      if (error instanceof ApiRequestError && error.status === 401 && this.session === session) {
        this.forgetSession()
      }
    }
  }

  private async loadBranding(): Promise<Branding> {
    const branding = await this.rest.branding()
    this.updateBranding(branding)
    return branding
  }

  private updateBranding(branding: Branding): void {
    const changed =
      this.branding?.timezone !== branding.timezone ||
      this.branding?.organization_name !== branding.organization_name
    this.branding = branding
    if (changed && !this.stopped) this.outputs.push('branding/changed', branding)
  }

  /** The organization timezone in which notification times and DND schedules are read. */
  private get timezone(): string {
    return this.branding?.timezone ?? this.eventTimezone ?? 'UTC'
  }

  /**
   * After a read or a deletion: re-fetches the conversation's count when only the server can count
   * the change, and also while a re-fetch is under way, whose answer may predate this change.
   */
  private unreadChanged(conversationId: number, needsServerCount: boolean): void {
    if (needsServerCount || this.session?.unreadRecounts.has(conversationId)) {
      this.recountUnread(conversationId)
    }
    this.publishUnread()
  }

  /**
   * Loads one conversation's unread count. One request at a time per conversation: a change while
   * one is under way only marks it stale, and a stale answer (it may predate the change) is not
   * applied but asked again, once however many changes came. A resume that replays many deletions
   * or reads in one conversation thus costs two requests, not one per event.
   */
  private recountUnread(conversationId: number): void {
    const session = this.session
    if (!session) return
    if (session.unreadRecounts.has(conversationId)) {
      session.unreadRecounts.set(conversationId, true)
      return
    }
    session.unreadRecounts.set(conversationId, false)
    /** Ends this request; true when its answer still stands (not signed out, nothing changed). */
    const settle = (): boolean => {
      if (this.session !== session || this.stopped) return false
      const stale = session.unreadRecounts.get(conversationId) === true
      session.unreadRecounts.delete(conversationId)
      if (stale) this.recountUnread(conversationId)
      return !stale
    }
    this.rest.conversation(conversationId).then(
      (conversation) => {
        if (!settle()) return
        this.unread.reloadConversation(conversation)
        this.publishUnread()
      },
      (error: unknown) => {
        if (!settle()) return
        if (error instanceof ApiRequestError && error.status === 401) this.forgetSession()
        // Offline, or no longer a member: the next connection loads every count afresh.
        else session.stateLoaded = false
      },
    )
  }

  private publishUnread(): void {
    const total = this.unread.total()
    if (total === this.lastUnreadTotal) return
    this.lastUnreadTotal = total
    this.outputs.unreadCount(total)
  }

  // ---- Events ------------------------------------------------------------------------------

  /**
   * `backlog`: replayed on starting, from before the app was open (sent while it was closed): it
   * counts and shows, but raises no notification (as in Slack or Signal). A reconnect's replay
   * later in the session still does, in bursts: it happened while the app was open.
   */
  private onEvent(event: AnyTidingsEvent, backlog: boolean): void {
    if (this.stopped) return
    if (event.timezone) this.eventTimezone = event.timezone
    this.applyEvent(event)
    this.outputs.push('events/event', event)
    if (!backlog) this.considerNotification(event)
  }

  /** Keeps the core's own view (unread, branding, outbox) in step with the stream. */
  private applyEvent(event: AnyTidingsEvent): void {
    const session = this.session
    switch (event.type) {
      case 'message_received':
        this.unread.messageReceived(event.data.message)
        this.publishUnread()
        return
      case 'message_sent':
        session?.outbox.confirmFromEvent(event.data.message)
        return
      case 'message_updated': {
        const { receipt, message } = event.data
        if (message) this.coalescer.messageEdited(message.id, message.text)
        if (receipt && receipt.kind === 'read' && receipt.user_id === session?.user.id) {
          const conversationId = event.data.conversation_id
          this.unreadChanged(
            conversationId,
            this.unread.readUpTo(conversationId, receipt.up_to_message_id),
          )
        }
        return
      }
      case 'message_deleted': {
        const conversationId = event.data.conversation_id
        this.coalescer.messageDeleted(event.data.message_id)
        this.unreadChanged(
          conversationId,
          this.unread.messageDeleted(conversationId, event.data.message_id),
        )
        return
      }
      case 'conversation_created':
      case 'conversation_updated':
        if (event.data.removed) {
          this.unread.removeConversation(event.data.conversation.id)
          // No longer a member: the draft could never be sent.
          session?.drafts.delete(event.data.conversation.id)
          this.forgetPin(event.data.conversation.id)
        } else this.unread.addConversation(event.data.conversation)
        this.publishUnread()
        return
      case 'account_connected':
      case 'account_disconnected':
        this.publishAccount(event.data.account)
        return
      case 'system_notification':
        if (event.data.kind === 'timezone_changed' && event.data.timezone) {
          this.updateBranding({
            timezone: event.data.timezone,
            organization_name: this.branding?.organization_name ?? '',
          })
        }
        return
      default:
        return
    }
  }

  private notificationContext(): NotificationContext {
    return {
      preferences: this.preferences.get(),
      focusedConversationId: this.focusedConversationId,
      windowFocused: this.host.isWindowFocused(),
      timezone: this.timezone,
      now: this.clock.now(),
    }
  }

  private considerNotification(event: AnyTidingsEvent): void {
    const subject: NotificationSubject | null = notificationSubject(
      event,
      this.session?.user.username ?? null,
    )
    if (!subject) return
    if (suppressionReason(subject, this.notificationContext()) !== null) return
    this.coalescer.add(notificationTag(subject), subject)
  }

  /**
   * Whether a gathered message still deserves its notification: not if it was read on another
   * device meanwhile (its receipt arrived while the burst gathered, as after a resume, when the
   * missed messages and the user's own read receipts are replayed together).
   */
  private stillUnread(subject: NotificationSubject): boolean {
    return (
      subject.kind !== 'message' ||
      this.unread.isUnread(subject.conversation_id, subject.message_id)
    )
  }

  private showBurst(burst: NotificationBurst): void {
    if (this.stopped || !this.session) return
    // Read everything again: the user may have opened the conversation or changed settings (or
    // the organization timezone) while the burst was gathering. A mention in the burst stands
    // for it: a mute silences the rest, not the message that names the user.
    const subject = burst.mention ?? burst.latest
    if (suppressionReason(subject, this.notificationContext()) !== null) return
    const preferences = this.preferences.get()
    this.outputs.notify(
      composeNotification(burst, {
        privacy: preferences.notification_privacy,
        clock: preferences.clock,
        timezone: this.timezone,
        sound: preferences.notification_sound,
      }),
    )
  }
}

/** The bridge secret is for bridge processes; an email account never needs it in a window. */
function withoutBridgeSecret(created: CreatedPlatformAccount): PlatformAccount {
  const { bridge_secret: _secret, ...account } = created
  return account
}
