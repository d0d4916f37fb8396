import type { UpdateDisabledReason, UpdateFailure, UpdateState } from '../../shared/updates'
import type { Clock, TimerHandle } from './clock'
import type { CoreApi } from './coreHost'

/**
 * Automatic updates, decided without Electron: when to check the release feed, whether what it
 * offers is worth downloading, when to tell the window ("Restart to update"), and whether the app
 * may restart on its own (never while the user types). The feed itself is read, downloaded and
 * verified by an UpdateSource: electron-updater in the app (src/main/electron/autoUpdater.ts,
 * which reads the latest*.yml that electron-builder publishes and checks the download's sha512),
 * a local HTTP server in the tests.
 *
 * - A check at start (after `firstCheckDelayMs`, so start-up is not slowed) and every
 *   `checkIntervalMs` (4 hours) after; an unreachable feed is tried again sooner (30 minutes).
 * - Only a newer version (semantic versioning, pre-releases below their release) is downloaded,
 *   in the background; the same or an older one is not (no downgrades).
 * - A download whose checksum does not match is discarded, and tried again at the next check, up
 *   to three times per version; a feed that cannot be parsed waits for the next check. Neither
 *   shows anything in the window.
 * - Downloaded: the state becomes 'ready' (the window's bar). The update installs when the user
 *   clicks "Restart to update", when the app quits, or on its own only while the user is away:
 *   no window focused, no typing in the composer for `quietTypingMs`, and the system idle for
 *   `idleRestartMs`.
 * - Turned off (administrator or user): no check, no download, nothing scheduled.
 */

export interface FeedRelease {
  /** The version the feed offers, as written there. */
  version: string
  /**
   * False when the source itself will not deliver it though it is newer (electron-updater's
   * staged rollout leaving this machine out): treated as up to date. Absent: deliverable.
   */
  available?: boolean
}

export interface UpdateSource {
  /** Reads the feed: the release it offers, whatever its version. Rejects when it cannot. */
  check(): Promise<FeedRelease>
  /** Downloads the release of the last check and verifies it; rejects on any failure. */
  download(onProgress: (percent: number) => void): Promise<void>
  /** Quits the app and installs the downloaded release. */
  install(): void
}

/** What the app knows of the user's presence, for restarting on its own. */
export interface UserActivity {
  /** When the composer last reported typing (ms since epoch), or null. */
  lastTypingAt(): number | null
  /** Seconds since the last keyboard or mouse input anywhere (powerMonitor); 0 when unknown. */
  systemIdleSeconds(): number
  isWindowFocused(): boolean
}

export type UpdatePolicy = { enabled: true } | { enabled: false; reason: UpdateDisabledReason }

export interface UpdaterOptions {
  currentVersion: string
  source: UpdateSource
  clock: Clock
  activity: UserActivity
  policy: UpdatePolicy
  onState(state: UpdateState): void
  log?(message: string): void
  firstCheckDelayMs?: number
  checkIntervalMs?: number
  offlineRetryMs?: number
  /** How often a downloaded update looks for a moment the user is away. */
  idlePollMs?: number
  idleRestartMs?: number
  quietTypingMs?: number
}

export const UPDATE_DEFAULTS = {
  firstCheckDelayMs: 15_000,
  checkIntervalMs: 4 * 60 * 60_000,
  offlineRetryMs: 30 * 60_000,
  idlePollMs: 60_000,
  idleRestartMs: 60 * 60_000,
  quietTypingMs: 10 * 60_000,
} as const

/** Attempts at downloading one version whose checksum does not match, per run. */
export const MAX_CHECKSUM_FAILURES = 3

export class Updater {
  private readonly options: UpdaterOptions
  private readonly timing: typeof UPDATE_DEFAULTS
  private policy: UpdatePolicy
  private state: UpdateState
  private timer: TimerHandle | null = null
  private idleTimer: TimerHandle | null = null
  private running: Promise<void> | null = null
  private started = false
  private lastCheckedAt: string | null = null
  private readonly checksumFailures = new Map<string, number>()
  private installing = false

  constructor(options: UpdaterOptions) {
    this.options = options
    this.timing = { ...UPDATE_DEFAULTS, ...definedTimings(options) }
    this.policy = options.policy
    this.state = this.policy.enabled
      ? { status: 'idle', checked_at: null }
      : { status: 'disabled', reason: this.policy.reason }
  }

  getState(): UpdateState {
    return this.state
  }

  /** Schedules the first check (when enabled). */
  start(): void {
    this.started = true
    this.emit(this.state)
    if (this.policy.enabled) this.schedule(this.timing.firstCheckDelayMs)
  }

  stop(): void {
    this.started = false
    this.options.clock.clearTimeout(this.timer)
    this.options.clock.clearTimeout(this.idleTimer)
    this.timer = null
    this.idleTimer = null
  }

  /** The administrator's or the user's switch changed. Turning on checks soon; off stops all. */
  setPolicy(policy: UpdatePolicy): void {
    const wasEnabled = this.policy.enabled
    this.policy = policy
    if (!policy.enabled) {
      this.options.clock.clearTimeout(this.timer)
      this.options.clock.clearTimeout(this.idleTimer)
      this.timer = null
      this.idleTimer = null
      // A downloaded update still installs when the app quits (it is on disk and verified);
      // what stops is checking, downloading and restarting on its own.
      this.setState({ status: 'disabled', reason: policy.reason })
      return
    }
    if (!wasEnabled) {
      this.setState({ status: 'idle', checked_at: this.lastCheckedAt })
      if (this.started) this.schedule(this.timing.firstCheckDelayMs)
    }
  }

  /** Checks now (and downloads a newer release). Resolves when done; never rejects. */
  checkNow(): Promise<void> {
    if (!this.policy.enabled || this.installing) return Promise.resolve()
    if (this.state.status === 'ready') return Promise.resolve()
    this.running ??= this.run().finally(() => {
      this.running = null
    })
    return this.running
  }

  /** "Restart to update" in the window: installs a downloaded update now. */
  restartToUpdate(): boolean {
    if (this.state.status !== 'ready' || this.installing) return false
    this.install('the user asked')
    return true
  }

  /**
   * Whether the app may restart on its own now: only while the user is away. Never while a
   * window has focus, never within `quietTypingMs` of typing in the composer, and only after the
   * system has been idle for `idleRestartMs` (an unknown idle time, 0, never qualifies).
   */
  mayRestartOnItsOwn(): boolean {
    const { activity, clock } = this.options
    if (activity.isWindowFocused()) return false
    const typed = activity.lastTypingAt()
    if (typed !== null && clock.now() - typed < this.timing.quietTypingMs) return false
    return activity.systemIdleSeconds() * 1000 >= this.timing.idleRestartMs
  }

  private async run(): Promise<void> {
    this.options.clock.clearTimeout(this.timer)
    this.timer = null
    this.setState({ status: 'checking' })
    let release: FeedRelease
    try {
      release = await this.options.source.check()
    } catch (error) {
      this.fail(classifyUpdateError(error), error)
      return
    }
    if (!this.policy.enabled) return
    const current = parseVersion(this.options.currentVersion)
    const offered = parseVersion(release.version)
    if (offered === null || current === null) {
      this.fail('feed', new Error(`Not a version: "${release.version}"`))
      return
    }
    this.lastCheckedAt = new Date(this.options.clock.now()).toISOString()
    const version = formatVersion(offered)
    if (compareVersions(offered, current) <= 0 || release.available === false) {
      this.log(`Up to date: ${this.options.currentVersion} (the feed offers ${version})`)
      this.setState({ status: 'idle', checked_at: this.lastCheckedAt })
      this.schedule(this.timing.checkIntervalMs)
      return
    }
    if ((this.checksumFailures.get(version) ?? 0) >= MAX_CHECKSUM_FAILURES) {
      this.log(
        `Skipping ${version}: its download failed verification ${MAX_CHECKSUM_FAILURES} times`,
      )
      this.setState({ status: 'idle', checked_at: this.lastCheckedAt })
      this.schedule(this.timing.checkIntervalMs)
      return
    }
    this.setState({ status: 'downloading', version, percent: 0 })
    try {
      await this.options.source.download((percent) => {
        if (this.state.status !== 'downloading') return
        const rounded = Math.max(0, Math.min(100, Math.floor(percent)))
        if (rounded !== this.state.percent)
          this.setState({ status: 'downloading', version, percent: rounded })
      })
    } catch (error) {
      const failure = classifyUpdateError(error)
      if (failure === 'checksum') {
        this.checksumFailures.set(version, (this.checksumFailures.get(version) ?? 0) + 1)
      }
      this.fail(failure, error)
      return
    }
    if (!this.policy.enabled) return
    this.log(`Downloaded ${version}: ready to install`)
    this.setState({ status: 'ready', version })
    this.watchForAbsence()
  }

  private watchForAbsence(): void {
    this.options.clock.clearTimeout(this.idleTimer)
    this.idleTimer = this.options.clock.setTimeout(() => {
      this.idleTimer = null
      if (this.state.status !== 'ready' || !this.policy.enabled) return
      if (this.mayRestartOnItsOwn()) this.install('the user is away')
      else this.watchForAbsence()
    }, this.timing.idlePollMs)
  }

  private install(why: string): void {
    // The installer takes over from here (electron-updater quits the app).
    this.installing = true
    this.stop()
    this.log(`Installing the update (${why})`)
    this.options.source.install()
  }

  private fail(reason: UpdateFailure, error: unknown): void {
    const delay = reason === 'offline' ? this.timing.offlineRetryMs : this.timing.checkIntervalMs
    this.log(
      `Update ${reason === 'checksum' ? 'download discarded' : 'check failed'} (${reason}): ${describe(error)}`,
    )
    if (!this.policy.enabled) return
    const retryAt = new Date(this.options.clock.now() + delay).toISOString()
    this.setState({ status: 'failed', reason, retry_at: retryAt })
    this.schedule(delay)
  }

  private schedule(delayMs: number): void {
    this.options.clock.clearTimeout(this.timer)
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = null
      void this.checkNow()
    }, delayMs)
  }

  private setState(state: UpdateState): void {
    this.state = state
    this.emit(state)
  }

  private emit(state: UpdateState): void {
    if (this.started) this.options.onState(state)
  }

  private log(message: string): void {
    this.options.log?.(message)
  }
}

function definedTimings(options: UpdaterOptions): Partial<typeof UPDATE_DEFAULTS> {
  const keys = Object.keys(UPDATE_DEFAULTS) as (keyof typeof UPDATE_DEFAULTS)[]
  return Object.fromEntries(
    keys.filter((key) => options[key] !== undefined).map((key) => [key, options[key]]),
  )
}

const OFFLINE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ESOCKETTIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
])

const FEED_CODES = new Set([
  'ERR_UPDATER_INVALID_UPDATE_INFO',
  'ERR_UPDATER_INVALID_VERSION',
  'ERR_UPDATER_CHANNEL_FILE_NOT_FOUND',
  'ERR_UPDATER_LATEST_VERSION_NOT_FOUND',
  'ERR_UPDATER_NO_PUBLISHED_VERSIONS',
  'ERR_UPDATER_INVALID_RELEASE_FEED',
  'ERR_UPDATER_NO_FILES_PROVIDED',
  'ERR_UPDATER_NO_CHECKSUM',
  'ERR_UPDATER_ASSET_NOT_FOUND',
  'HTTP_ERROR_404',
])

/**
 * What went wrong, from the error codes electron-updater and builder-util-runtime use (and Node's
 * and Chromium's network errors, which it passes through).
 */
/**
 * The time of the last typing in the composer, noted from the core's own traffic: a window's
 * `typing/set` (true) and `drafts/set` calls. Wraps the core handed to the IPC handlers.
 */
export function trackTyping(
  core: CoreApi,
  now: () => number,
): { core: CoreApi; lastTypingAt(): number | null } {
  let last: number | null = null
  return {
    core: {
      handle(channel, request) {
        const typing =
          channel === 'drafts/set' ||
          (channel === 'typing/set' && (request as { is_typing?: unknown }).is_typing === true)
        if (typing) last = now()
        return core.handle(channel, request)
      },
    },
    lastTypingAt: () => last,
  }
}

export function classifyUpdateError(error: unknown): UpdateFailure {
  const codes: string[] = []
  const messages: string[] = []
  for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
    const record = e as { code?: unknown; message?: unknown; cause?: unknown }
    if (typeof record.code === 'string') codes.push(record.code)
    if (typeof record.message === 'string') messages.push(record.message)
    e = record.cause
  }
  if (
    codes.includes('ERR_CHECKSUM_MISMATCH') ||
    messages.some((m) => /checksum mismatch/i.test(m))
  ) {
    return 'checksum'
  }
  if (codes.some((code) => OFFLINE_CODES.has(code))) return 'offline'
  if (
    messages.some((m) =>
      /net::ERR_(INTERNET_DISCONNECTED|NAME_NOT_RESOLVED|CONNECTION_|NETWORK_|PROXY_|TIMED_OUT|ADDRESS_UNREACHABLE)/.test(
        m,
      ),
    )
  ) {
    return 'offline'
  }
  if (codes.some((code) => FEED_CODES.has(code))) return 'feed'
  return 'other'
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n')[0] ?? error.name
  return String(error)
}

/** A semantic version: major.minor.patch, pre-release identifiers, build metadata ignored. */
export interface Version {
  major: number
  minor: number
  patch: number
  prerelease: (string | number)[]
}

const SEMVER =
  /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/

export function parseVersion(text: string): Version | null {
  const match = SEMVER.exec(String(text).trim())
  if (!match) return null
  const [, major, minor, patch, pre] = match
  const numbers = [major, minor, patch].map(Number)
  if (numbers.some((n) => !Number.isSafeInteger(n))) return null
  return {
    major: numbers[0]!,
    minor: numbers[1]!,
    patch: numbers[2]!,
    prerelease: pre ? pre.split('.').map((id) => (/^\d+$/.test(id) ? Number(id) : id)) : [],
  }
}

export function formatVersion(version: Version): string {
  const core = `${version.major}.${version.minor}.${version.patch}`
  return version.prerelease.length > 0 ? `${core}-${version.prerelease.join('.')}` : core
}

/** Semantic versioning's precedence: negative when a < b, 0 when equal, positive when a > b. */
export function compareVersions(a: Version, b: Version): number {
  for (const key of ['major', 'minor', 'patch'] as const) {
    if (a[key] !== b[key]) return a[key] - b[key]
  }
  if (a.prerelease.length === 0 || b.prerelease.length === 0) {
    return b.prerelease.length - a.prerelease.length
  }
  for (let i = 0; i < Math.max(a.prerelease.length, b.prerelease.length); i++) {
    const x = a.prerelease[i]
    const y = b.prerelease[i]
    if (x === undefined) return -1
    if (y === undefined) return 1
    if (x === y) continue
    if (typeof x === 'number' && typeof y === 'number') return x - y
    if (typeof x === 'number') return -1
    if (typeof y === 'number') return 1
    return x < y ? -1 : 1
  }
  return 0
}
