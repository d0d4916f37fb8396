import { beforeEach, describe, expect, it, vi } from 'vitest'
import {
  FakeBrowserWindow,
  FakeWebContents,
  app,
  fakeEvent,
  fakeSession,
  resetFakeElectron,
  shell,
} from './fakeElectron'

vi.mock('electron', async () => (await import('./fakeElectron')).electronModule)

const { createWindowManager, guardAllWebContents, installPermissionHandlers, lockDownWebContents } =
  await import('../../../src/main/electron/windows')

function manager(overrides: { quitting?: boolean; tray?: boolean } = {}) {
  return createWindowManager({
    preloadPath: '/app/out/preload/index.cjs',
    devServerUrl: null,
    iconPath: '/app/resources/icon.png',
    isQuitting: () => overrides.quitting ?? false,
    hideOnClose: () => overrides.tray ?? true,
  })
}

beforeEach(() => resetFakeElectron())

describe('window security settings', () => {
  it('creates main and settings windows with isolated, sandboxed renderers and our preload', () => {
    const wm = manager()
    wm.createMainWindow()
    wm.openSettings()
    expect(FakeBrowserWindow.instances).toHaveLength(2)
    for (const win of FakeBrowserWindow.instances) {
      expect(win.options.webPreferences).toMatchObject({
        preload: '/app/out/preload/index.cjs',
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        webviewTag: false,
      })
    }
    expect(FakeBrowserWindow.instances[0]?.options.title).toBe('Tidings')
  })

  it('loads the built pages from the app scheme, never from file://', () => {
    const wm = manager()
    const main = wm.createMainWindow() as unknown as FakeBrowserWindow
    const settings = wm.openSettings() as unknown as FakeBrowserWindow
    expect(main.loadedUrl).toBe('app://tidings/index.html')
    expect(settings.loadedUrl).toBe('app://tidings/settings.html')
  })

  it('loads pages from the dev server while developing', () => {
    const wm = createWindowManager({
      preloadPath: '/p.cjs',
      devServerUrl: 'http://localhost:5173',
      isQuitting: () => false,
      hideOnClose: () => false,
    })
    expect((wm.createMainWindow() as unknown as FakeBrowserWindow).loadedUrl).toBe(
      'http://localhost:5173/index.html',
    )
  })

  it('denies every new window and hands only safe http(s) links to the browser', () => {
    const win = manager().createMainWindow() as unknown as FakeBrowserWindow
    const handler = win.webContents.windowOpenHandler
    expect(handler).not.toBeNull()
    expect(handler?.({ url: 'https://example.com/docs' })).toEqual({ action: 'deny' })
    expect(shell.openExternal).toHaveBeenCalledWith('https://example.com/docs')
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'smb://x/y']) {
      expect(handler?.({ url })).toEqual({ action: 'deny' })
    }
    expect(shell.openExternal).toHaveBeenCalledTimes(1)
  })

  it('cancels every navigation of the page, opening http(s) targets externally', () => {
    const win = manager().createMainWindow() as unknown as FakeBrowserWindow
    const remote = fakeEvent()
    win.webContents.emit('will-navigate', remote, 'https://evil.example/')
    expect(remote.defaultPrevented).toBe(true)
    expect(shell.openExternal).toHaveBeenCalledWith('https://evil.example/')
    const local = fakeEvent()
    win.webContents.emit('will-navigate', local, 'file:///etc/passwd')
    expect(local.defaultPrevented).toBe(true)
    // Our own scheme is no way out either: the page cannot move to another app:// page.
    const own = fakeEvent()
    win.webContents.emit('will-navigate', own, 'app://tidings/settings.html')
    expect(own.defaultPrevented).toBe(true)
    expect(shell.openExternal).toHaveBeenCalledTimes(1)
    const webview = fakeEvent()
    win.webContents.emit('will-attach-webview', webview, {}, {})
    expect(webview.defaultPrevented).toBe(true)
  })

  it('refuses server redirects in both windows, without opening them externally', () => {
    const wm = manager()
    for (const win of [
      wm.createMainWindow(),
      wm.openSettings(),
    ] as unknown as FakeBrowserWindow[]) {
      const redirect = fakeEvent()
      win.webContents.emit('will-redirect', redirect, 'https://evil.example/landing')
      expect(redirect.defaultPrevented).toBe(true)
    }
    expect(shell.openExternal).not.toHaveBeenCalled()
  })

  it('denies popups and webviews in every web contents the app creates', () => {
    guardAllWebContents()
    const contents = new FakeWebContents()
    app.emit('web-contents-created', fakeEvent(), contents)
    expect(contents.windowOpenHandler?.({ url: 'https://example.com' })).toEqual({
      action: 'deny',
    })
    expect(shell.openExternal).not.toHaveBeenCalled()
    const webview = fakeEvent()
    contents.emit('will-attach-webview', webview, {}, {})
    expect(webview.defaultPrevented).toBe(true)
  })

  it('lockDownWebContents works on any web contents', () => {
    const win = new FakeBrowserWindow({})
    lockDownWebContents(win.webContents as never)
    expect(win.webContents.windowOpenHandler?.({ url: 'http://a.example' })).toEqual({
      action: 'deny',
    })
  })
})

describe('permission handlers', () => {
  it('deny every permission, notifications included (main raises those itself)', () => {
    const session = fakeSession()
    installPermissionHandlers(session as never)
    const request = session.setPermissionRequestHandler.mock.calls[0]?.[0] as (
      contents: unknown,
      permission: string,
      callback: (granted: boolean) => void,
    ) => void
    const check = session.setPermissionCheckHandler.mock.calls[0]?.[0] as (
      contents: unknown,
      permission: string,
    ) => boolean
    const answers: Record<string, boolean> = {}
    for (const permission of [
      'notifications',
      'media',
      'geolocation',
      'clipboard-read',
      'openExternal',
      'fullscreen',
      'pointerLock',
    ]) {
      request(null, permission, (granted) => {
        answers[permission] = granted
      })
    }
    expect(answers).toEqual({
      notifications: false,
      media: false,
      geolocation: false,
      'clipboard-read': false,
      openExternal: false,
      fullscreen: false,
      pointerLock: false,
    })
    expect(check(null, 'notifications')).toBe(false)
    expect(check(null, 'media')).toBe(false)
  })
})

describe('window lifecycle', () => {
  it('shows the main window once ready', () => {
    const win = manager().createMainWindow() as unknown as FakeBrowserWindow
    expect(win.visible).toBe(false)
    win.emit('ready-to-show')
    expect(win.visible).toBe(true)
  })

  it('hides to the tray on close, and really closes when quitting or without a tray', () => {
    let quitting = false
    const wm = createWindowManager({
      preloadPath: '/p.cjs',
      devServerUrl: null,
      isQuitting: () => quitting,
      hideOnClose: () => true,
    })
    const win = wm.createMainWindow() as unknown as FakeBrowserWindow
    win.show()
    win.close()
    expect(win.destroyed).toBe(false)
    expect(win.visible).toBe(false)
    quitting = true
    win.close()
    expect(win.destroyed).toBe(true)
    expect(wm.getMainWindow()).toBeNull()

    const noTray = manager({ tray: false }).createMainWindow() as unknown as FakeBrowserWindow
    noTray.close()
    expect(noTray.destroyed).toBe(true)
  })

  it('showMainWindow restores a minimized window, shows a hidden one and recreates a closed one', () => {
    const wm = manager({ tray: false })
    const win = wm.createMainWindow() as unknown as FakeBrowserWindow
    win.show()
    win.minimize()
    expect(wm.showMainWindow()).toBe(win)
    expect(win.minimized).toBe(false)
    expect(win.focused).toBe(true)
    win.hide()
    wm.showMainWindow()
    expect(win.visible).toBe(true)
    win.close()
    const again = wm.showMainWindow() as unknown as FakeBrowserWindow
    expect(again).not.toBe(win)
    expect(again.visible).toBe(true)
    expect(FakeBrowserWindow.instances).toHaveLength(2)
  })

  it('reuses one settings window', () => {
    const wm = manager()
    const first = wm.openSettings() as unknown as FakeBrowserWindow
    first.minimize()
    expect(wm.openSettings()).toBe(first)
    expect(first.minimized).toBe(false)
    expect(first.focused).toBe(true)
    first.close()
    expect(wm.openSettings()).not.toBe(first)
  })

  it('pushes to every open window and reports focus', () => {
    const wm = manager()
    const main = wm.createMainWindow() as unknown as FakeBrowserWindow
    const settings = wm.openSettings() as unknown as FakeBrowserWindow
    const state = { status: 'connected', next_attempt_at: null, attempt: 0, last_error: null }
    wm.sendToAll('connection/state', state as never)
    expect(main.webContents.send).toHaveBeenCalledWith('connection/state', state)
    expect(settings.webContents.send).toHaveBeenCalledWith('connection/state', state)
    expect(wm.isAnyFocused()).toBe(false)
    settings.focus()
    expect(wm.isAnyFocused()).toBe(true)
  })
})
