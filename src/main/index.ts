// Electron main entry: the thin shell around the Electron-free core. It owns the process
// lifecycle (single instance, embedded server, windows, tray, quit) and nothing else.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { defineMessages } from '../shared/i18n/defineMessages'
import { app, dialog, powerMonitor, session } from 'electron'
import type { PushChannel, PushMap } from '../shared/ipc'
import { findDeepLinkArg } from '../shared/deepLinks'
import { localeInfo } from '../shared/i18n/locales'
import { translatorFor, type Translator } from '../shared/i18n/translator'
import { DEFAULT_PREFERENCES, type Preferences } from '../shared/preferences'
import { createAppCore } from './core/appCore'
import { DeepLinkHandler, type DeepLinkHost } from './core/deepLinks'
import { trackTyping, type Updater } from './core/updates'
import { readStoredPreferences } from './core/storedPreferences'
import { systemLocalesOf } from './core/systemLocales'
import { chosenServer, serverChoiceChanged } from './core/storedServerUrl'
import type { CoreOutputs } from './core/coreHost'
import { handleAppScheme, registerAppSchemePrivileges } from './electron/appProtocol'
import { applyThemePreference, onThemeUpdated } from './electron/appearance'
import { startAutoUpdates } from './electron/autoUpdater'
import { configureSpellChecker } from './electron/contextMenu'
import { createBadge } from './electron/badge'
import {
  confirmServerSwitch,
  listenForOpenUrl,
  registerProtocolClient,
  relaunchWithLink,
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
  restartNow: { id: 'serverSwitch.restartNow', defaultMessage: 'Restart now' },
  later: { id: 'serverSwitch.later', defaultMessage: 'Later' },
  restartQuestion: {
    id: 'serverSwitch.question',
    defaultMessage: 'Restart Tidings to switch servers?',
  },
  willConnect: { id: 'serverSwitch.willConnect', defaultMessage: 'Tidings will connect to {url}.' },
  unencryptedRefused: {
    id: 'startup.unencryptedServer.refused',
    defaultMessage: 'Tidings did not connect to an unencrypted server',
  },
  unencryptedRefusedDetail: {
    id: 'startup.unencryptedServer.detail',
    defaultMessage:
      '{url} is plain http://, so the network could read your password and messages. Tidings runs its built-in server instead; confirm the address in Settings to use it anyway.',
  },
  willUseBuiltIn: {
    id: 'serverSwitch.willUseBuiltIn',
    defaultMessage: 'Tidings will use its built-in server.',
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

  // Flag and environment win; otherwise the server chosen in the settings window; else bundled.
  const secretStore = createSecretStore()
  const fromCommandLine = serverUrl !== null
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
  if (!fromCommandLine) {
    const choice = chosenServer(stored)
    serverUrl = choice.url
    if (choice.refused !== null) {
      void dialog.showMessageBox({
        type: 'warning',
        message: translator.t(messages.unencryptedRefused),
        detail: translator.t(messages.unencryptedRefusedDetail, { url: choice.refused }),
      })
    }
  }
  const preferredServerAtStart = serverUrl
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

  let supervisor: ServerSupervisor | null = null
  if (serverUrl === null) {
    supervisor = createServerSupervisor({
      entryPath: resolveServerEntry(layout, existsSync),
      dataDir: join(app.getPath('userData'), 'server'),
      onUnexpectedExit: (code) => console.error(`The bundled server stopped (code ${code})`),
    })
    try {
      serverUrl = (await supervisor.start()).url
    } catch (error) {
      dialog.showErrorBox(
        translator.t(messages.startFailedTitle),
        `${translator.t(messages.startFailed)}\n\n${error instanceof Error ? error.message : error}`,
      )
      cleanedUp = true
      await supervisor.stop()
      app.exit(1)
      return
    }
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

  const notifier = createNotifier({
    showMainWindow: () => wm.showMainWindow(),
    sendToMain: (channel, payload) => wm.sendToMain(channel, payload),
    iconPath,
  })
  const badge = createBadge({
    platform: process.platform,
    getMainWindow: () => wm.getMainWindow(),
    overlayIconPath: join(resourcesDir, 'badge-overlay.png'),
  })

  let preferences: Preferences | null = null
  let signedIn = false
  const outputs: CoreOutputs = {
    push<C extends PushChannel>(channel: C, payload: PushMap[C]) {
      wm.sendToAll(channel, payload)
      if (channel === 'session/changed') {
        signedIn = (payload as PushMap['session/changed']).user !== null
        void links.sessionChanged(signedIn)
      } else if (channel === 'connection/state') {
        tray?.setConnection((payload as PushMap['connection/state']).status)
      } else if (channel === 'locale/changed') {
        const info = payload as PushMap['locale/changed']
        translator = translatorFor(info.locale, info.formatLocale)
        tray?.setTranslator(translator)
      } else if (channel === 'settings/changed') {
        preferences = payload as Preferences
        tray?.setDoNotDisturb(isDoNotDisturbOn(preferences.dnd))
        applyThemePreference(preferences.theme)
        if (
          !fromCommandLine &&
          serverChoiceChanged(preferredServerAtStart, chosenServer(preferences).url)
        ) {
          void offerRestartForServer(preferences.server_url)
        }
      }
    },
    notify: (request) => notifier.show(request),
    unreadCount(count) {
      badge.setUnread(count)
      tray?.setUnread(count)
    },
  }

  const core = createAppCore({
    host: {
      userDataDir: app.getPath('userData'),
      secretStore,
      isWindowFocused: () => wm.isAnyFocused(),
      chooseSavePath: saveDialog(() => wm.getMainWindow()),
      systemLocales,
    },
    outputs,
    serverUrl,
    embedded: supervisor !== null,
  })

  const connectedServer = serverUrl
  const linkHost: DeepLinkHost = {
    context: () => ({
      serverUrl: connectedServer,
      embedded: supervisor !== null,
      serverFixed: fromCommandLine,
      signedIn,
    }),
    showWindow: () => {
      wm.showMainWindow()
    },
    isMember: async (id) =>
      (await core.handle('conversations/list', undefined)).some((c) => c.id === id),
    openConversation: (id) => wm.sendToMain('navigation/openConversation', { conversation_id: id }),
    // The core holds it for the signed-out window (links/prefill, links/takePrefill).
    prefillForm: (prefill) => core.offerLinkForm(prefill),
    notice: (message) => showLinkNotice(wm.getMainWindow(), message, translator),
    translator: () => translator,
    confirmServerSwitch: (request) => confirmServerSwitch(wm.getMainWindow(), request, translator),
    switchServerAndRestart: async (url, link) => {
      // The switch was just confirmed: no second "restart to switch servers?" question.
      restartOffered = url
      await core.handle('settings/set', { server_url: url })
      relaunchWithLink(link)
    },
    log: (message) => console.warn(message),
  }

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

  const stopWatchingPower = watchPowerEvents({
    reconnectNow: () => core.reconnectNow(),
    // The bundled server is on 127.0.0.1: losing the network must not take the app offline.
    ...(supervisor === null
      ? { setNetworkOnline: (online: boolean) => core.setNetworkOnline(online) }
      : {}),
  })

  /** The server is chosen at start-up; switching it means a restart, offered once per change. */
  let restartOffered: string | null | undefined
  async function offerRestartForServer(url: string | null): Promise<void> {
    if (restartOffered === url) return
    restartOffered = url
    const { t } = translator
    const { response } = await dialog.showMessageBox({
      type: 'question',
      buttons: [t(messages.restartNow), t(messages.later)],
      defaultId: 0,
      cancelId: 1,
      message: t(messages.restartQuestion),
      detail: url ? t(messages.willConnect, { url }) : t(messages.willUseBuiltIn),
    })
    if (response === 0) {
      app.relaunch()
      app.quit()
    }
  }

  let updates: Updater | null = null
  shutdown = async () => {
    updates?.stop()
    stopWatchingPower()
    stopFollowingTheme()
    notifier.closeAll()
    unregisterIpc()
    try {
      await core.stop()
    } catch (error) {
      console.error('Core did not stop cleanly', error)
    }
    await supervisor?.stop()
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
    const prefs = await core.handle('settings/get', undefined)
    preferences ??= prefs
    tray?.setDoNotDisturb(isDoNotDisturbOn(prefs.dnd))
    signedIn = (await core.handle('session/get', undefined)).user !== null
  } catch (error) {
    console.error('The app core did not start', error)
  }
  await links.ready(linkHost)

  // Checks the release feed at start and every few hours, downloads in the background; the
  // window's "Restart to update" bar and the user's switch come with the IPC table (see
  // docs/install-notes.md). Until then a downloaded update installs when the app quits.
  updates = await startAutoUpdates({
    version: app.getVersion(),
    isPackaged: app.isPackaged,
    platform: process.platform,
    env: process.env,
    resourcesPath: process.resourcesPath,
    userEnabled: true,
    activity: {
      lastTypingAt: typing.lastTypingAt,
      systemIdleSeconds: () => powerMonitor.getSystemIdleTime(),
      isWindowFocused: () => wm.isAnyFocused(),
    },
    onState: (state) => {
      if (state.status === 'ready') console.info(`Updates: ${state.version} is ready to install`)
    },
    log: (message) => console.info(`Updates: ${message}`),
  })
}

function envServerUrl(): string[] {
  const value = process.env.TIDINGS_SERVER_URL
  return value ? [`--server-url=${value}`] : []
}

void main().catch((error: unknown) => {
  console.error('Tidings failed to start', error)
  app.exit(1)
})
