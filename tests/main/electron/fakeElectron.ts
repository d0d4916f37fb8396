// A stand-in for the `electron` module in main-process tests (the real package would try to
// download a binary). Each fake records what the code under test did, in the shape tests assert
// on. Use: vi.mock('electron', async () => (await import('./fakeElectron')).electronModule)
import { EventEmitter } from 'node:events'
import { vi } from 'vitest'
import type { Mock } from 'vitest'

export interface FakeEvent {
  defaultPrevented: boolean
  preventDefault(): void
}

export function fakeEvent(): FakeEvent {
  return {
    defaultPrevented: false,
    preventDefault() {
      this.defaultPrevented = true
    },
  }
}

type WindowOpenHandler = (details: { url: string }) => { action: 'allow' | 'deny' }

export class FakeWebContents extends EventEmitter {
  windowOpenHandler: WindowOpenHandler | null = null
  replaceMisspelling: Mock<(word: string) => void> = vi.fn()
  readonly session = fakeSession()
  loading = true
  destroyed = false
  send: Mock<(channel: string, payload: unknown) => void> = vi.fn()
  setWindowOpenHandler(handler: WindowOpenHandler): void {
    this.windowOpenHandler = handler
  }
  isLoading(): boolean {
    return this.loading
  }
  isDestroyed(): boolean {
    return this.destroyed
  }
  /** Simulates the page finishing its load. */
  finishLoad(): void {
    this.loading = false
    this.emit('did-finish-load')
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static instances: FakeBrowserWindow[] = []
  readonly options: Record<string, unknown>
  readonly webContents = new FakeWebContents()
  visible = false
  minimized = false
  focused = false
  destroyed = false
  loadedUrl: string | null = null
  setOverlayIcon: Mock<(image: unknown, description: string) => void> = vi.fn()
  /** The latest setBackgroundColor, else the constructor's. */
  backgroundColor: unknown

  constructor(options: Record<string, unknown>) {
    super()
    this.options = options
    this.backgroundColor = options.backgroundColor
    FakeBrowserWindow.instances.push(this)
  }
  setBackgroundColor(color: string): void {
    this.backgroundColor = color
  }
  static getFocusedWindow(): FakeBrowserWindow | null {
    return FakeBrowserWindow.instances.find((w) => w.focused && !w.destroyed) ?? null
  }
  loadURL(url: string): Promise<void> {
    this.loadedUrl = url
    return Promise.resolve()
  }
  show(): void {
    this.visible = true
    this.minimized = false
  }
  hide(): void {
    this.visible = false
    this.focused = false
  }
  focus(): void {
    this.focused = true
  }
  blur(): void {
    this.focused = false
  }
  minimize(): void {
    this.minimized = true
    this.focused = false
  }
  restore(): void {
    this.minimized = false
    this.visible = true
  }
  isMinimized(): boolean {
    return this.minimized
  }
  isVisible(): boolean {
    return this.visible
  }
  isFocused(): boolean {
    return this.focused
  }
  isDestroyed(): boolean {
    return this.destroyed
  }
  /** Like BrowserWindow.close(): 'close' may be cancelled; otherwise 'closed' follows. */
  close(): void {
    const event = fakeEvent()
    this.emit('close', event)
    if (event.defaultPrevented) return
    this.destroyed = true
    this.webContents.destroyed = true
    this.emit('closed')
  }
}

export class FakeNotification extends EventEmitter {
  static instances: FakeNotification[] = []
  static isSupported = vi.fn(() => true)
  readonly options: Record<string, unknown>
  shown = false
  closed = false
  constructor(options: Record<string, unknown>) {
    super()
    this.options = options
    FakeNotification.instances.push(this)
  }
  show(): void {
    this.shown = true
  }
  close(): void {
    if (this.closed) return
    this.closed = true
    this.emit('close', fakeEvent())
  }
  click(): void {
    this.emit('click', fakeEvent())
  }
}

export interface FakeMenuItem {
  id?: string
  label?: string
  type?: string
  checked?: boolean
  click?: (item: { checked: boolean }) => void
}

export class FakeTray extends EventEmitter {
  static instances: FakeTray[] = []
  image: unknown
  tooltip = ''
  menu: { items: FakeMenuItem[] } | null = null
  destroyed = false
  constructor(image: unknown) {
    super()
    this.image = image
    FakeTray.instances.push(this)
  }
  setImage(image: unknown): void {
    this.image = image
  }
  setToolTip(tooltip: string): void {
    this.tooltip = tooltip
  }
  setContextMenu(menu: { items: FakeMenuItem[] }): void {
    this.menu = menu
  }
  destroy(): void {
    this.destroyed = true
  }
  isDestroyed(): boolean {
    return this.destroyed
  }
}

export class FakeUtilityProcess extends EventEmitter {
  readonly modulePath: string
  readonly args: string[]
  readonly options: Record<string, unknown>
  readonly posted: unknown[] = []
  killed = false
  pid: number | undefined = 4242
  constructor(modulePath: string, args: string[], options: Record<string, unknown>) {
    super()
    this.modulePath = modulePath
    this.args = args
    this.options = options
  }
  postMessage(message: unknown): void {
    this.posted.push(message)
    this.emit('posted', message)
  }
  kill(): boolean {
    this.killed = true
    return true
  }
}

class FakeApp extends EventEmitter {
  readonly paths = new Map<string, string>([['userData', '/tmp/tidings-fake-user-data']])
  isPackaged = false
  /** Becomes true when the promise whenReady() returned resolves, as 'ready' would. */
  ready = false
  isReady: Mock<() => boolean> = vi.fn(() => this.ready)
  whenReady: Mock<() => Promise<void>> = vi.fn(() =>
    Promise.resolve().then(() => {
      this.ready = true
    }),
  )
  getAppPath: Mock<() => string> = vi.fn(() => '/app')
  getVersion: Mock<() => string> = vi.fn(() => '0.1.0')
  /** The language Electron runs in (the OS's, or --lang): main's first choice of language. */
  getLocale: Mock<() => string> = vi.fn(() => 'en-US')
  getPreferredSystemLanguages: Mock<() => string[]> = vi.fn(() => ['en-US'])
  getPath: Mock<(name: string) => string> = vi.fn((name: string) => {
    const path = this.paths.get(name)
    if (!path) throw new Error(`no fake path for ${name}`)
    return path
  })
  setPath: Mock<(name: string, path: string) => void> = vi.fn((name: string, path: string) => {
    this.paths.set(name, path)
  })
  requestSingleInstanceLock = vi.fn(() => true)
  quit: Mock<() => void> = vi.fn()
  relaunch: Mock<() => void> = vi.fn()
  exit: Mock<(code?: number) => void> = vi.fn()
  setBadgeCount = vi.fn(() => true)
  /** tidings:// and other schemes this app is the OS handler of (setAsDefaultProtocolClient). */
  readonly protocolClients = new Map<string, { path?: string; args?: string[] }>()
  setAsDefaultProtocolClient: Mock<(scheme: string, path?: string, args?: string[]) => boolean> =
    vi.fn((scheme: string, path?: string, args?: string[]) => {
      this.protocolClients.set(scheme, { ...(path ? { path } : {}), ...(args ? { args } : {}) })
      return true
    })
  isDefaultProtocolClient: Mock<(scheme: string) => boolean> = vi.fn((scheme: string) =>
    this.protocolClients.has(scheme),
  )
  setAppUserModelId: Mock<(id: string) => void> = vi.fn()
  /** Like Electron: only before ready. Records whether the app was ready at each call. */
  readonly sandboxEnabledWhileReady: boolean[] = []
  enableSandbox: Mock<() => void> = vi.fn(() => {
    this.sandboxEnabledWhileReady.push(this.ready)
    if (this.ready) throw new Error('app.enableSandbox() can only be called before app is ready')
  })
}

class FakeIpcMain extends EventEmitter {
  readonly handlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>()
  handle = vi.fn((channel: string, handler: (event: unknown, ...args: unknown[]) => unknown) => {
    // Like Electron: a second handler for one channel is an error.
    if (this.handlers.has(channel))
      throw new Error(`Attempted to register a second handler for '${channel}'`)
    this.handlers.set(channel, handler)
  })
  removeHandler = vi.fn((channel: string) => {
    this.handlers.delete(channel)
  })
}

type ProtocolHandler = (request: Request) => Response | Promise<Response>

/**
 * Like Electron's protocol module: schemes become privileged only before ready (and only once);
 * handlers are installed only after ready, one per scheme. Each call records whether the app was
 * ready at the time, so tests can check the order.
 */
class FakeProtocol {
  readonly handlers = new Map<string, ProtocolHandler>()
  readonly privileged: { scheme: string; privileges?: Record<string, boolean>; ready: boolean }[] =
    []
  readonly handledWhileReady = new Map<string, boolean>()
  registerSchemesAsPrivileged = vi.fn(
    (schemes: { scheme: string; privileges?: Record<string, boolean> }[]) => {
      if (app.ready) throw new Error('registerSchemesAsPrivileged must be called before ready')
      if (this.privileged.length > 0) throw new Error('registerSchemesAsPrivileged called twice')
      for (const scheme of schemes) this.privileged.push({ ...scheme, ready: app.ready })
    },
  )
  handle = vi.fn((scheme: string, handler: ProtocolHandler) => {
    if (!app.ready) throw new Error('protocol.handle before the app is ready')
    if (this.handlers.has(scheme)) throw new Error(`The scheme '${scheme}' is already handled`)
    this.handlers.set(scheme, handler)
    this.handledWhileReady.set(scheme, app.ready)
  })
  unhandle = vi.fn((scheme: string) => {
    this.handlers.delete(scheme)
  })
  reset(): void {
    this.handlers.clear()
    this.privileged.length = 0
    this.handledWhileReady.clear()
  }
}

type ThemeSource = 'system' | 'light' | 'dark'

/**
 * Like Electron's nativeTheme: `themeSource` decides `shouldUseDarkColors` ('system': the OS's
 * setting, `systemDark` here), and 'updated' is emitted when either changes.
 */
class FakeNativeTheme extends EventEmitter {
  /** Every value assigned to themeSource, in order. */
  readonly sourcesSet: ThemeSource[] = []
  private source: ThemeSource = 'system'
  private osDark = false
  get themeSource(): ThemeSource {
    return this.source
  }
  set themeSource(value: ThemeSource) {
    this.source = value
    this.sourcesSet.push(value)
    this.emit('updated')
  }
  get shouldUseDarkColors(): boolean {
    return this.source === 'system' ? this.osDark : this.source === 'dark'
  }
  /** The user switching the OS between light and dark. */
  setSystemDark(dark: boolean): void {
    this.osDark = dark
    if (this.source === 'system') this.emit('updated')
  }
  reset(): void {
    this.source = 'system'
    this.osDark = false
    this.sourcesSet.length = 0
    this.removeAllListeners()
  }
}

export const app = new FakeApp()
export const nativeTheme = new FakeNativeTheme()
export const protocol = new FakeProtocol()
export const ipcMain = new FakeIpcMain()
export const shell = { openExternal: vi.fn(() => Promise.resolve()) }
export const powerMonitor = Object.assign(new EventEmitter(), {
  getSystemIdleTime: vi.fn(() => 0),
})
export const net = { isOnline: vi.fn(() => true) }
export const safeStorage = {
  isEncryptionAvailable: vi.fn(() => true),
  getSelectedStorageBackend: vi.fn(() => 'gnome_libsecret'),
  encryptString: vi.fn((plain: string) => Buffer.from(`sealed:${plain}`)),
  decryptString: vi.fn((cipher: Buffer) => cipher.toString().replace(/^sealed:/, '')),
}
export const nativeImage = { createFromPath: vi.fn((path: string) => ({ path })) }
export interface FakeMenu {
  items: FakeMenuItem[]
  popup: Mock<(options?: unknown) => void>
}
export const Menu: { buildFromTemplate: Mock<(items: FakeMenuItem[]) => FakeMenu> } = {
  buildFromTemplate: vi.fn((items: FakeMenuItem[]) => ({ items, popup: vi.fn() })),
}
export const clipboard: { writeText: Mock<(text: string) => void> } = { writeText: vi.fn() }
export const dialog: {
  showErrorBox: Mock<(title: string, content: string) => void>
  /** (options) or (parentWindow, options), as Electron takes them. */
  showMessageBox: Mock<
    (...args: unknown[]) => Promise<{ response: number; checkboxChecked: boolean }>
  >
  showSaveDialog: Mock<(...args: unknown[]) => Promise<{ canceled: boolean; filePath?: string }>>
} = {
  showErrorBox: vi.fn(),
  showSaveDialog: vi.fn(() => Promise.resolve({ canceled: true })),
  showMessageBox: vi.fn(() => Promise.resolve({ response: 0, checkboxChecked: false })),
}
export const utilityProcess = {
  fork: vi.fn(
    (modulePath: string, args: string[] = [], options: Record<string, unknown> = {}) =>
      new FakeUtilityProcess(modulePath, args, options),
  ),
}

export interface FakeSession {
  setPermissionRequestHandler: Mock<(handler: unknown) => void>
  setPermissionCheckHandler: Mock<(handler: unknown) => void>
  availableSpellCheckerLanguages: string[]
  setSpellCheckerLanguages: Mock<(languages: string[]) => void>
  addWordToSpellCheckerDictionary: Mock<(word: string) => boolean>
}

export function fakeSession(): FakeSession {
  return {
    setPermissionRequestHandler: vi.fn(),
    setPermissionCheckHandler: vi.fn(),
    availableSpellCheckerLanguages: ['de-DE', 'en-GB', 'en-US', 'fr', 'pt-BR'],
    setSpellCheckerLanguages: vi.fn(),
    addWordToSpellCheckerDictionary: vi.fn(() => true),
  }
}

export const electronModule: Record<string, unknown> = {
  app,
  ipcMain,
  shell,
  powerMonitor,
  net,
  protocol,
  safeStorage,
  nativeImage,
  Menu,
  clipboard,
  utilityProcess,
  BrowserWindow: FakeBrowserWindow,
  Notification: FakeNotification,
  Tray: FakeTray,
  session: { defaultSession: fakeSession() },
  dialog,
  nativeTheme,
}

/** Clears every recorded call and instance between tests. */
export function resetFakeElectron(): void {
  vi.clearAllMocks()
  FakeBrowserWindow.instances = []
  FakeNotification.instances = []
  FakeTray.instances = []
  FakeNotification.isSupported.mockImplementation(() => true)
  app.removeAllListeners()
  app.protocolClients.clear()
  app.ready = false
  app.sandboxEnabledWhileReady.length = 0
  protocol.reset()
  nativeTheme.reset()
  app.requestSingleInstanceLock.mockImplementation(() => true)
  ipcMain.handlers.clear()
  powerMonitor.removeAllListeners()
  net.isOnline.mockImplementation(() => true)
  safeStorage.isEncryptionAvailable.mockImplementation(() => true)
  safeStorage.getSelectedStorageBackend.mockImplementation(() => 'gnome_libsecret')
}
