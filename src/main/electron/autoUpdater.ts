import { existsSync } from 'node:fs'
import type { UpdateState } from '../../shared/updates'
import { systemClock, type Clock } from '../core/clock'
import {
  adminPolicy,
  adminPolicyPath,
  readPolicyFile,
  resolveUpdatePolicy,
  updaterSupported,
} from '../core/updatePolicy'
import { Updater, type FeedRelease, type UpdateSource, type UserActivity } from '../core/updates'

/**
 * electron-updater behind the core's UpdateSource (what to do with it is src/main/core/updates.ts).
 * electron-updater reads the release feed electron-builder publishes (app-update.yml inside the
 * app names it: the GitHub Releases of this repository), compares versions, downloads in the
 * background, verifies the sha512 and installs: NSIS on Windows, Squirrel.Mac's zip on macOS
 * (signed builds only), the AppImage or the deb on Linux.
 */

/** The part of electron-updater's AppUpdater this uses (its `autoUpdater` export). */
export interface ElectronUpdaterLike {
  autoDownload: boolean
  autoInstallOnAppQuit: boolean
  allowDowngrade: boolean
  forceDevUpdateConfig: boolean
  logger: {
    info(message: unknown): void
    warn(message: unknown): void
    error(message: unknown): void
  } | null
  setFeedURL(options: { provider: 'generic'; url: string }): void
  checkForUpdates(): Promise<{
    isUpdateAvailable?: boolean
    updateInfo: { version: string }
  } | null>
  downloadUpdate(): Promise<string[]>
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void
  on(event: 'download-progress', listener: (progress: { percent: number }) => void): unknown
  removeListener(
    event: 'download-progress',
    listener: (progress: { percent: number }) => void,
  ): unknown
}

export interface ElectronUpdateSourceOptions {
  /** TIDINGS_UPDATE_FEED_URL: a generic feed instead of the built-in one (testing a build). */
  feedUrl: string | null
  log(message: string): void
}

export function electronUpdateSource(
  updater: ElectronUpdaterLike,
  options: ElectronUpdateSourceOptions,
): UpdateSource {
  // The core decides when to download and when to restart.
  updater.autoDownload = false
  // A downloaded update still installs when the user quits.
  updater.autoInstallOnAppQuit = true
  updater.allowDowngrade = false
  updater.logger = {
    info: (message) => options.log(String(message)),
    warn: (message) => options.log(String(message)),
    error: (message) => options.log(String(message)),
  }
  if (options.feedUrl) {
    updater.setFeedURL({ provider: 'generic', url: options.feedUrl })
    updater.forceDevUpdateConfig = true
  }
  return {
    async check(): Promise<FeedRelease> {
      const result = await updater.checkForUpdates()
      if (result === null) {
        throw Object.assign(new Error('The updater is not active for this copy of Tidings'), {
          code: 'ERR_UPDATER_INACTIVE',
        })
      }
      return {
        version: result.updateInfo.version,
        ...(result.isUpdateAvailable === false ? { available: false } : {}),
      }
    },
    async download(onProgress) {
      const listener = (progress: { percent: number }) => onProgress(progress.percent)
      updater.on('download-progress', listener)
      try {
        await updater.downloadUpdate()
      } finally {
        updater.removeListener('download-progress', listener)
      }
    },
    install() {
      // Silent on Windows (no installer wizard), and Tidings starts again afterwards.
      updater.quitAndInstall(true, true)
    },
  }
}

/**
 * electron-updater's `autoUpdater`, or null when the package is not installed (it is loaded by
 * name at run time, so a build without it still starts, without updates).
 */
export async function loadElectronUpdater(
  load: (specifier: string) => Promise<unknown> = (specifier) =>
    import(/* @vite-ignore */ specifier),
): Promise<ElectronUpdaterLike | null> {
  try {
    const loaded = (await load('electron-updater')) as {
      autoUpdater?: ElectronUpdaterLike
      default?: { autoUpdater?: ElectronUpdaterLike }
    }
    return loaded.default?.autoUpdater ?? loaded.autoUpdater ?? null
  } catch {
    return null
  }
}

export interface AutoUpdatesOptions {
  version: string
  isPackaged: boolean
  platform: string
  env: Readonly<Record<string, string | undefined>>
  resourcesPath: string
  /** The user's setting (on unless turned off). */
  userEnabled: boolean
  activity: UserActivity
  onState(state: UpdateState): void
  log(message: string): void
  clock?: Clock
  loadUpdater?: () => Promise<ElectronUpdaterLike | null>
  readPolicy?: (path: string) => string | null
  exists?: (path: string) => boolean
}

/** The running updater, and the user's switch (Settings → Updates) to follow. */
export interface AutoUpdates {
  readonly updater: Updater
  /** The user turned updates on or off; an administrator's word (or no updater) still wins. */
  setUserEnabled(enabled: boolean): void
}

/**
 * Starts the updater: the administrator's policy, whether this copy can be updated, then
 * electron-updater (loaded whenever the administrator allows and the copy can update, so that
 * the user's switch can turn updates on later), and the user's setting. Returns the core's
 * Updater, whose restartToUpdate the window's button calls, and the user's switch.
 */
export async function startAutoUpdates(options: AutoUpdatesOptions): Promise<AutoUpdates> {
  const { env, platform, log } = options
  const admin = adminPolicy(
    env,
    (options.readPolicy ?? readPolicyFile)(adminPolicyPath(platform, env)),
  )
  if (admin.problem)
    log(`Ignoring the update policy at ${adminPolicyPath(platform, env)}: ${admin.problem}`)
  let supported = updaterSupported({
    isPackaged: options.isPackaged,
    platform,
    env,
    resourcesPath: options.resourcesPath,
    exists: options.exists ?? existsSync,
  })
  let updater: ElectronUpdaterLike | null = null
  if (resolveUpdatePolicy({ admin, userEnabled: true, supported }).enabled) {
    updater = await (options.loadUpdater ?? loadElectronUpdater)()
    if (updater === null) {
      log('electron-updater is not installed: no automatic updates')
      supported = false
    }
  }
  const policyFor = (userEnabled: boolean) => resolveUpdatePolicy({ admin, userEnabled, supported })
  const source: UpdateSource = updater
    ? electronUpdateSource(updater, { feedUrl: env.TIDINGS_UPDATE_FEED_URL || null, log })
    : {
        check: () => Promise.reject(new Error('No updater')),
        download: () => Promise.reject(new Error('No updater')),
        install: () => {},
      }
  const updates = new Updater({
    currentVersion: options.version,
    source,
    clock: options.clock ?? systemClock,
    activity: options.activity,
    policy: policyFor(options.userEnabled),
    onState: (state) => options.onState(state),
    log,
  })
  updates.start()
  return {
    updater: updates,
    setUserEnabled: (enabled) => updates.setPolicy(policyFor(enabled)),
  }
}
