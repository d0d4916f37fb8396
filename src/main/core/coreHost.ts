import type {
  InvokeChannel,
  InvokeRequest,
  InvokeResponse,
  PushChannel,
  PushMap,
} from '../../shared/ipc'

/**
 * The seam between the Electron-free application core (src/main/core) and the thin Electron
 * layer (src/main/electron). The core never imports `electron`; the Electron layer supplies a
 * CoreHost and listens to the core's outputs. Tests supply their own host.
 */

/** What the core needs from the platform. */
export interface CoreHost {
  /**
   * Folder for the local store (outbox, resume position, preferences, session): the app's user
   * data folder for the ServerCoordinator, a server's own folder in it for that server's core.
   */
  userDataDir: string
  /** OS-backed encryption (Electron safeStorage); `available` false means plain storage. */
  secretStore: SecretStore
  /** Whether a Tidings window has OS focus right now (for notification suppression). */
  isWindowFocused(): boolean
  /**
   * Asks the user where to save a file, suggesting `fileName` (Electron's save dialog); null when
   * they cancel. The path is main's alone: the renderer never sees it.
   */
  chooseSavePath(fileName: string): Promise<string | null>
  /**
   * The OS's languages, the one the app runs in first (Electron's `app.getLocale()`, then
   * `app.getPreferredSystemLanguages()`): the interface speaks the first Tidings has, unless the
   * user chose a language in the settings window.
   */
  systemLocales: readonly string[]
}

export interface SecretStore {
  available(): boolean
  encrypt(plain: string): Buffer
  decrypt(cipher: Buffer): string
}

/** A native notification the core wants raised; the Electron layer shows it and handles clicks. */
export interface NativeNotificationRequest {
  /** Stable per conversation, so a burst replaces the previous notification instead of stacking. */
  tag: string
  title: string
  body: string
  /** Conversation to open on click; null opens the window only. */
  conversation_id: number | null
  silent: boolean
  /** The server it is from (set by the ServerCoordinator): a click shows that server first. */
  server_id?: string
}

/** Outputs of the core, as listeners the Electron layer (or a test harness) attaches. */
export interface CoreOutputs {
  /** Forward to every renderer window. */
  push<C extends PushChannel>(channel: C, payload: PushMap[C]): void
  /** Raise a native notification. */
  notify(request: NativeNotificationRequest): void
  /** Total unread messages, for the dock/taskbar badge and tray tooltip. */
  unreadCount(count: number): void
}

/** The core as the Electron layer sees it: one handler per invoke channel. */
export interface CoreApi {
  handle<C extends InvokeChannel>(channel: C, request: InvokeRequest<C>): Promise<InvokeResponse<C>>
}
