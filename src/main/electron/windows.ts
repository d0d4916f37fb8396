import { BrowserWindow, app, shell } from 'electron'
import type { Session, WebContents, WebPreferences } from 'electron'
import { SETTINGS_WINDOW_TITLE } from '../../shared/i18n/windowTitles'
import type { Translator } from '../../shared/i18n/translator'
import { pageReceives } from '../../shared/ipc'
import type { PushChannel, PushMap, RendererPage } from '../../shared/ipc'
import { windowBackgroundColor } from './appearance'
import { attachContextMenu } from './contextMenu'
import { isSafeExternalUrl, rendererPageUrl } from './paths'

/**
 * Permissions a page may get: none. Desktop notifications are raised by main (Electron's
 * Notification, see notifications.ts), which needs no web permission; granting 'notifications'
 * would only let a page show its own, bypassing do-not-disturb, mutes and notification privacy.
 */
export const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set<string>()

/** Locked-down preferences shared by every window. */
export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: true,
  }
}

/**
 * No page may open windows or navigate away: new-window requests are denied and http(s) links go
 * to the system browser instead; navigations of the page and of any frame in it, and redirects,
 * are cancelled (a link clicked in place opens externally too); <webview> attachment is refused.
 */
export function lockDownWebContents(contents: WebContents): void {
  contents.setWindowOpenHandler(({ url }) => {
    openExternalIfSafe(url)
    return { action: 'deny' }
  })
  contents.on('will-navigate', (event, url) => {
    event.preventDefault()
    openExternalIfSafe(url)
  })
  // will-navigate sees the main frame only. Our pages have no frames, so any subframe navigating
  // (one injected into a page) is cancelled, to our own pages too, and is not handed to the
  // browser either: the page, not the user, started it.
  contents.on('will-frame-navigate', (event) => {
    if (event.isMainFrame) return
    event.preventDefault()
  })
  // will-navigate misses navigations not started by the page's main frame (loadURL, subframes);
  // none of ours is ever redirected, so a server redirect anywhere is refused, not followed.
  contents.on('will-redirect', (event) => {
    event.preventDefault()
  })
  contents.on('will-attach-webview', (event) => {
    event.preventDefault()
  })
}

/**
 * A floor for every web contents the app ever creates (including any we did not create
 * ourselves): no popups, no <webview>. Our own windows then add lockDownWebContents on top.
 */
export function guardAllWebContents(): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }))
    contents.on('will-attach-webview', (event) => {
      event.preventDefault()
    })
  })
}

function openExternalIfSafe(url: string): void {
  if (!isSafeExternalUrl(url)) return
  shell.openExternal(url).catch((error: unknown) => {
    console.error('Could not open link in the browser', error)
  })
}

/** Deny every permission request and check (ALLOWED_PERMISSIONS is empty). */
export function installPermissionHandlers(session: Session): void {
  session.setPermissionRequestHandler((_contents, permission, callback) => {
    callback(ALLOWED_PERMISSIONS.has(permission))
  })
  session.setPermissionCheckHandler((_contents, permission) => ALLOWED_PERMISSIONS.has(permission))
}

export interface WindowManagerOptions {
  preloadPath: string
  /**
   * ELECTRON_RENDERER_URL while `electron-vite dev` runs; null for the built pages, which load
   * from the app scheme (`app://tidings/…`, see appProtocol.ts).
   */
  devServerUrl: string | null
  iconPath?: string
  /** True once the app is quitting: closing the main window then really closes it. */
  isQuitting(): boolean
  /** When true (a tray icon exists), closing the main window hides it instead. */
  hideOnClose(): boolean
  /** The interface's language now: the context menus and the settings window's first title. */
  translator(): Translator
}

export interface WindowManager {
  getMainWindow(): BrowserWindow | null
  createMainWindow(): BrowserWindow
  /** Show, restore (if minimized or hidden in the tray) and focus the main window. */
  showMainWindow(): BrowserWindow
  openSettings(): BrowserWindow
  /** Push to every open renderer whose page takes it (the IPC table's push pages, src/shared/ipc.ts). */
  sendToAll<C extends PushChannel>(channel: C, payload: PushMap[C]): void
  /** Push to the main window once its page has loaded (if its page takes it). */
  sendToMain<C extends PushChannel>(channel: C, payload: PushMap[C]): void
  isAnyFocused(): boolean
  /** After a theme change: what a resize uncovers before the page repaints matches it. */
  updateBackgrounds(): void
}

export function createWindowManager(options: WindowManagerOptions): WindowManager {
  let main: BrowserWindow | null = null
  let settings: BrowserWindow | null = null

  function live(win: BrowserWindow | null): BrowserWindow | null {
    return win && !win.isDestroyed() ? win : null
  }

  function load(win: BrowserWindow, page: RendererPage): void {
    const url = rendererPageUrl(page, options.devServerUrl)
    win.loadURL(url).catch((error: unknown) => {
      console.error(`Could not load ${page}`, error)
    })
  }

  function createMainWindow(): BrowserWindow {
    const win = new BrowserWindow({
      title: 'Tidings',
      width: 1100,
      height: 720,
      minWidth: 640,
      minHeight: 420,
      show: false,
      backgroundColor: windowBackgroundColor(),
      ...(options.iconPath ? { icon: options.iconPath } : {}),
      webPreferences: secureWebPreferences(options.preloadPath),
    })
    main = win
    lockDownWebContents(win.webContents)
    attachContextMenu(win, options.translator)
    win.once('ready-to-show', () => win.show())
    win.on('close', (event) => {
      if (!options.isQuitting() && options.hideOnClose()) {
        event.preventDefault()
        win.hide()
      }
    })
    win.on('closed', () => {
      if (main === win) main = null
    })
    load(win, 'index.html')
    return win
  }

  function showMainWindow(): BrowserWindow {
    const win = live(main) ?? createMainWindow()
    if (win.isMinimized()) win.restore()
    if (!win.isVisible()) win.show()
    win.focus()
    return win
  }

  function openSettings(): BrowserWindow {
    const existing = live(settings)
    if (existing) {
      if (existing.isMinimized()) existing.restore()
      existing.show()
      existing.focus()
      return existing
    }
    const win = new BrowserWindow({
      // Its page keeps the title in the page's language from then on (language.ts).
      title: options.translator().t(SETTINGS_WINDOW_TITLE),
      width: 560,
      height: 680,
      minWidth: 420,
      minHeight: 420,
      show: false,
      backgroundColor: windowBackgroundColor(),
      ...(options.iconPath ? { icon: options.iconPath } : {}),
      webPreferences: secureWebPreferences(options.preloadPath),
    })
    settings = win
    lockDownWebContents(win.webContents)
    attachContextMenu(win, options.translator)
    win.once('ready-to-show', () => win.show())
    win.on('closed', () => {
      if (settings === win) settings = null
    })
    load(win, 'settings.html')
    return win
  }

  function sendToAll<C extends PushChannel>(channel: C, payload: PushMap[C]): void {
    const targets = [
      [live(main), 'index.html'],
      [live(settings), 'settings.html'],
    ] as const
    for (const [win, page] of targets) {
      if (!win || win.webContents.isDestroyed()) continue
      if (pageReceives(page, channel, payload)) win.webContents.send(channel, payload)
    }
  }

  function sendToMain<C extends PushChannel>(channel: C, payload: PushMap[C]): void {
    const win = live(main)
    if (!win || !pageReceives('index.html', channel, payload)) return
    const contents = win.webContents
    if (contents.isLoading()) {
      contents.once('did-finish-load', () => contents.send(channel, payload))
    } else {
      contents.send(channel, payload)
    }
  }

  function isAnyFocused(): boolean {
    return [live(main), live(settings)].some((win) => win?.isFocused() === true)
  }

  function updateBackgrounds(): void {
    const color = windowBackgroundColor()
    for (const win of [live(main), live(settings)]) win?.setBackgroundColor(color)
  }

  return {
    getMainWindow: () => live(main),
    createMainWindow,
    showMainWindow,
    openSettings,
    sendToAll,
    sendToMain,
    isAnyFocused,
    updateBackgrounds,
  }
}
