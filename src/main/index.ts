// Electron main entry: the thin shell around the Electron-free core. It owns the process
// lifecycle (single instance, the bundled server's process, windows, tray, updates, quit) and
// nothing else; which servers run, and which one the windows show, is the core's
// (ServerCoordinator).
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { defineMessages } from '../shared/i18n/defineMessages'
import { app, dialog, powerMonitor, session } from 'electron'
import type { PushChannel, PushMap } from '../shared/ipc'
import { findDeepLinkArg } from '../shared/deepLinks'
import { localeInfo } from '../shared/i18n/locales'
import { translatorFor, type Translator } from '../shared/i18n/translator'
import { DEFAULT_PREFERENCES, type Preferences } from '../shared/preferences'
import { DeepLinkHandler, serverLinkHost } from './core/deepLinks'
import { createServerCoordinator, type BundledServer } from './core/serverCoordinator'
import { trackTyping } from './core/updates'
import { readStoredPreferences } from './core/storedPreferences'
import { systemLocalesOf } from './core/systemLocales'
import type { CoreOutputs } from './core/coreHost'
import { handleAppScheme, registerAppSchemePrivileges } from './electron/appProtocol'
import { applyThemePreference, onThemeUpdated } from './electron/appearance'
import { startAutoUpdates, type AutoUpdates } from './electron/autoUpdater'
import { configureSpellChecker } from './electron/contextMenu'
import { createBadge } from './electron/badge'
import {
  confirmAddServer,
  listenForOpenUrl,
  registerProtocolClient,
  showLinkNotice,
} from './electron/deepLinks'
import { registerIpcHandlers } from './electron/ipcHandlers'
import { createNotifier } from './electron/notifications'
import {
  ownRendererPage,
  parseServerUrlArg,
  resolvePreloadPath,
  resolveRendererDir,
  resolveResourcesDir,
  resolveServerEntry,
  trayIconPath,
} from './electron/paths'
import type { AppLayout } from './electron/paths'
import { watchPowerEvents } from './electron/powerEvents'
import { saveDialog } from './electron/saveDialog'
import { createSecretStore } from './electron/secretStore'
import { createServerSupervisor } from './electron/serverSupervisor'
import type { ServerSupervisor } from './electron/serverSupervisor'
import { claimSingleInstance } from './electron/singleInstance'
import { createAppTray, doNotDisturbToggled, isDoNotDisturbOn } from './electron/tray'
import type { AppTray } from './electron/tray'
import {
  createWindowManager,
  guardAllWebContents,
  installPermissionHandlers,
} from './electron/windows'
import type { WindowManager } from './electron/windows'

export const APP_USER_MODEL_ID = 'app.tidings.desktop'

const messages = defineMessages({
  startFailedTitle: { id: 'startup.failed.title', defaultMessage: 'Tidings could not start' },
  startFailed: {
    id: 'startup.failed.serverDidNotStart',
    defaultMessage: 'The built-in server did not start.',
  },
  unencryptedRefused: {
    id: 'startup.unencryptedServer.refused',
    defaultMessage: 'Tidings did not connect to an unencrypted server',
  },
  unencryptedRefusedDetail: {
    id: 'startup.unencryptedServer.leftOut',
    defaultMessage:
      '{url} is plain http://, so the network could read your password and messages, and you never confirmed using it. Tidings left it out of your servers; add it again in Settings → Servers (confirming it) to use it anyway.',
  },
})

let windows: WindowManager | null = null

async function main(): Promise<void> {
  // A separate profile (tests, a second account): must be set before the single-instance lock,
  // which is scoped to the userData folder.
  const userDataOverride = process.env.TIDINGS_USER_DATA_DIR
  if (userDataOverride) app.setPath('userData', userDataOverride)

  // tidings:// links: what they do is decided in core/deepLinks.ts; they are held until the window
  // and the session are there (`links.ready()` below), so a cold start's link is not lost.
  const links = new DeepLinkHandler()

  if (
    !claimSingleInstance((argv) => {
      windows?.showMainWindow()
      // Windows and Linux hand a link to the running instance in the new launch's arguments.
      const link = findDeepLinkArg(argv)
      if (link !== null) void links.receive(link)
    })
  ) {
    return
  }

  // macOS hands links over as open-url, at a cold start before the app is ready.
  listenForOpenUrl((url) => void links.receive(url))
  const coldStartLink = findDeepLinkArg(process.argv)
  if (coldStartLink !== null) void links.receive(coldStartLink)

  // Every renderer sandboxed, not only our windows (which ask for it too): anything else that
  // ever renders, now or in a later version, starts sandboxed. Only possible before ready.
  app.enableSandbox()

  // The built pages load from app://tidings/ (not file://); Electron takes a scheme's privileges
  // only before the app is ready. Its handler is installed once ready, below.
  registerAppSchemePrivileges()

  // Windows shows no notification (and groups no taskbar entry) without an AppUserModelID.
  app.setAppUserModelId(APP_USER_MODEL_ID)

  let serverUrl: string | null
  try {
    serverUrl = parseServerUrlArg(process.argv) ?? parseServerUrlArg(envServerUrl())
  } catch (error) {
    console.error(error instanceof Error ? error.message : error)
    app.exit(2)
    return
  }

  // Quitting is held once until the core and the bundled server have stopped; the app.quit()
  // that follows goes through.
  let quitting = false
  let cleanedUp = false
  let shuttingDown: Promise<void> | null = null
  let shutdown: () => Promise<void> = async () => {}
  app.on('before-quit', (event) => {
    quitting = true
    if (cleanedUp) return
    event.preventDefault()
    shuttingDown ??= shutdown()
      .catch((error: unknown) => console.error('Shutdown failed', error))
      .finally(() => {
        cleanedUp = true
        app.quit()
      })
  })

  await app.whenReady()
  if (quitting) return

  // A server given by flag or environment is the only one (and cannot change); otherwise the
  // server list of the settings window, which starts from the bundled server.
  const secretStore = createSecretStore()
  const fixedServerUrl = serverUrl
  let stored: Preferences = DEFAULT_PREFERENCES
  try {
    stored = readStoredPreferences(app.getPath('userData'), secretStore)
  } catch (error) {
    console.error('Could not read the stored preferences; using the defaults', error)
  }
  // The language: the stored choice over the OS's; the core takes over once it exists.
  const systemLocales = systemLocalesOf(
    process.env,
    app.getLocale(),
    app.getPreferredSystemLanguages(),
  )
  const startLocale = localeInfo(stored.language, systemLocales)
  let translator: Translator = translatorFor(startLocale.locale, startLocale.formatLocale)
  // Before any window exists: its background and its page's first paint follow the choice.
  applyThemePreference(stored.theme)

  const layout: AppLayout = {
    appPath: app.getAppPath(),
    isPackaged: app.isPackaged,
    resourcesPath: process.resourcesPath,
  }
  const resourcesDir = resolveResourcesDir(layout)
  const rendererDir = resolveRendererDir(layout)
  const devServerUrl = !app.isPackaged ? (process.env.ELECTRON_RENDERER_URL ?? null) : null
  const iconPath = join(resourcesDir, 'icon.png')
  handleAppScheme(rendererDir)
  registerProtocolClient({
    isPackaged: app.isPackaged,
    registerInDevelopment: process.env.TIDINGS_REGISTER_PROTOCOL === '1',
    execPath: process.execPath,
    appArg: process.argv[1],
  })
  installPermissionHandlers(session.defaultSession)
  configureSpellChecker(session.defaultSession, app.getPreferredSystemLanguages(), process.platform)
  guardAllWebContents()

  // The bundled server runs while the server list holds it (the core starts and stops it).
  let supervisor: ServerSupervisor | null = null
  let bundledFailure: unknown = null
  const bundledServer: BundledServer = {
    async start() {
      supervisor ??= createServerSupervisor({
        entryPath: resolveServerEntry(layout, existsSync),
        dataDir: join(app.getPath('userData'), 'server'),
        onUnexpectedExit: (code) => console.error(`The bundled server stopped (code ${code})`),
      })
      try {
        return (await supervisor.start()).url
      } catch (error) {
        bundledFailure = error
        await supervisor.stop()
        throw error
      }
    },
    async stop() {
      await supervisor?.stop()
    },
  }

  let tray: AppTray | null = null
  const wm = createWindowManager({
    preloadPath: resolvePreloadPath(layout),
    devServerUrl,
    iconPath,
    isQuitting: () => quitting,
    hideOnClose: () => tray !== null,
    translator: () => translator,
  })
  windows = wm
  const stopFollowingTheme = onThemeUpdated(() => wm.updateBackgrounds())

  const badge = createBadge({
    platform: process.platform,
    getMainWindow: () => wm.getMainWindow(),
    overlayIconPath: join(resourcesDir, 'badge-overlay.png'),
  })

  let preferences: Preferences | null = null
  let autoUpdates: AutoUpdates | null = null
  const outputs: CoreOutputs = {
    push<C extends PushChannel>(channel: C, payload: PushMap[C]) {
      // "Open this" waits for the main window's page (a click may have just recreated it).
      if (channel === 'navigation/openConversation' || channel === 'links/prefill') {
        wm.sendToMain(channel, payload)
        return
      }
      wm.sendToAll(channel, payload)
      if (channel === 'session/changed') {
        // A conversation link that waited for a sign-in (on the server shown) is followed.
        void links.sessionChanged((payload as PushMap['session/changed']).user !== null)
      } else if (channel === 'connection/state') {
        tray?.setConnection((payload as PushMap['connection/state']).status)
      } else if (channel === 'locale/changed') {
        const info = payload as PushMap['locale/changed']
        translator = translatorFor(info.locale, info.formatLocale)
        tray?.setTranslator(translator)
      } else if (channel === 'settings/changed') {
        const previous = preferences
        preferences = payload as Preferences
        tray?.setDoNotDisturb(isDoNotDisturbOn(preferences.dnd))
        applyThemePreference(preferences.theme)
        if (previous?.auto_update !== preferences.auto_update) {
          autoUpdates?.setUserEnabled(preferences.auto_update)
        }
      }
    },
    notify: (request) => notifier.show(request),
    unreadCount(count) {
      // Every server's unread messages: the core sums them.
      badge.setUnread(count)
      tray?.setUnread(count)
    },
  }

  const core = createServerCoordinator({
    host: {
      userDataDir: app.getPath('userData'),
      secretStore,
      isWindowFocused: () => wm.isAnyFocused(),
      chooseSavePath: saveDialog(() => wm.getMainWindow()),
      systemLocales,
    },
    outputs,
    fixedServerUrl,
    bundledServer,
  })

  const notifier = createNotifier({
    showMainWindow: () => wm.showMainWindow(),
    open: (request) => {
      core.openNotification(request).catch((error: unknown) => {
        console.error('Could not open a notification', error)
      })
    },
    iconPath,
  })

  const linkHost = serverLinkHost(core, {
    showWindow: () => {
      wm.showMainWindow()
    },
    notice: (message) => showLinkNotice(wm.getMainWindow(), message, translator),
    translator: () => translator,
    confirmAddServer: (request) => confirmAddServer(wm.getMainWindow(), request, translator),
    log: (message) => console.warn(message),
  })

  // The updater never restarts the app on its own within minutes of typing in the composer.
  const typing = trackTyping(core, Date.now)
  const unregisterIpc = registerIpcHandlers({
    core: typing.core,
    senderPage: (url) => ownRendererPage(url, { devServerUrl }),
    openSettings: () => wm.openSettings(),
  })

  try {
    tray = createAppTray({
      translator,
      iconPath: (state) => trayIconPath(resourcesDir, state),
      onOpen: () => wm.showMainWindow(),
      onSettings: () => wm.openSettings(),
      onDoNotDisturb: (enabled) => {
        void setDoNotDisturb(enabled)
      },
      onQuit: () => app.quit(),
    })
  } catch (error) {
    // Some Linux desktops have no status area; the app then quits when its window closes.
    console.warn('No tray icon available', error)
    tray = null
  }

  async function setDoNotDisturb(enabled: boolean): Promise<void> {
    try {
      const current = preferences ?? (await core.handle('settings/get', undefined))
      const updated = await core.handle('settings/set', {
        dnd: doNotDisturbToggled(current.dnd, enabled),
      })
      preferences = updated
      tray?.setDoNotDisturb(isDoNotDisturbOn(updated.dnd))
    } catch (error) {
      console.error('Could not change do-not-disturb', error)
    }
  }

  // The core keeps the bundled server online whatever the network: it is on 127.0.0.1.
  const stopWatchingPower = watchPowerEvents({
    reconnectNow: () => core.reconnectNow(),
    setNetworkOnline: (online: boolean) => core.setNetworkOnline(online),
  })

  shutdown = async () => {
    autoUpdates?.updater.stop()
    stopWatchingPower()
    stopFollowingTheme()
    notifier.closeAll()
    unregisterIpc()
    try {
      // Stops every server's core, and the bundled server.
      await core.stop()
    } catch (error) {
      console.error('Core did not stop cleanly', error)
    }
    tray?.destroy()
    tray = null
  }

  app.on('window-all-closed', () => {
    // With a tray (or on macOS) the app keeps running; otherwise closing the window quits.
    if (tray === null && process.platform !== 'darwin') app.quit()
  })
  app.on('activate', () => wm.showMainWindow())

  const started = core.start()
  wm.createMainWindow()
  try {
    await started
    for (const refused of core.refusedAtStart()) {
      void dialog.showMessageBox({
        type: 'warning',
        message: translator.t(messages.unencryptedRefused),
        detail: translator.t(messages.unencryptedRefusedDetail, { url: refused }),
      })
    }
    const prefs = await core.handle('settings/get', undefined)
    preferences ??= prefs
    tray?.setDoNotDisturb(isDoNotDisturbOn(prefs.dnd))
  } catch (error) {
    if (bundledFailure !== null) {
      dialog.showErrorBox(
        translator.t(messages.startFailedTitle),
        `${translator.t(messages.startFailed)}\n\n${bundledFailure instanceof Error ? bundledFailure.message : String(bundledFailure)}`,
      )
      cleanedUp = true
      await core.stop().catch(() => undefined)
      app.exit(1)
      return
    }
    console.error('The app core did not start', error)
  }
  await links.ready(linkHost)

  // Checks the release feed at start and every few hours and downloads in the background; the
  // windows hear of its state (the main window's "Restart to update" bar, Settings → Updates).
  autoUpdates = await startAutoUpdates({
    version: app.getVersion(),
    isPackaged: app.isPackaged,
    platform: process.platform,
    env: process.env,
    resourcesPath: process.resourcesPath,
    userEnabled: (preferences ?? stored).auto_update,
    activity: {
      lastTypingAt: typing.lastTypingAt,
      systemIdleSeconds: () => powerMonitor.getSystemIdleTime(),
      isWindowFocused: () => wm.isAnyFocused(),
    },
    onState: (state) => wm.sendToAll('updates/state', state),
    log: (message) => console.info(`Updates: ${message}`),
  })
  core.setUpdates(autoUpdates.updater)
  if (quitting) autoUpdates.updater.stop()
}

function envServerUrl(): string[] {
  const value = process.env.TIDINGS_SERVER_URL
  return value ? [`--server-url=${value}`] : []
}

void main().catch((error: unknown) => {
  console.error('Tidings failed to start', error)
  app.exit(1)
})
