import { translatorFor } from '../../../src/shared/i18n/translator'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { EVENT_TYPES } from '../../../src/shared/eventTypes'
import type { PushChannel } from '../../../src/shared/ipc'
import {
  FakeBrowserWindow,
  FakeWebContents,
  app,
  fakeEvent,
  fakeSession,
  nativeTheme,
  resetFakeElectron,
  shell,
} from './fakeElectron'

vi.mock('electron', async () => (await import('./fakeElectron')).electronModule)

const { createWindowManager, guardAllWebContents, installPermissionHandlers, lockDownWebContents } =
  await import('../../../src/main/electron/windows')
const { WINDOW_BACKGROUND } = await import('../../../src/main/electron/appearance')

function manager(overrides: { quitting?: boolean; tray?: boolean } = {}) {
  return createWindowManager({
    preloadPath: '/app/out/preload/index.cjs',
    devServerUrl: null,
    iconPath: '/app/resources/icon.png',
    isQuitting: () => overrides.quitting ?? false,
    translator: () => translatorFor('en'),
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
      translator: () => translatorFor('en'),
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

  it('cancels every navigation of a frame inside either page, without opening it externally', () => {
    const wm = manager()
    for (const win of [
      wm.createMainWindow(),
      wm.openSettings(),
    ] as unknown as FakeBrowserWindow[]) {
      for (const url of [
        'https://evil.example/',
        'file:///etc/passwd',
        // Our own pages are no frame content either.
        'app://tidings/index.html',
        'app://tidings/settings.html',
      ]) {
        const subframe = { ...fakeEvent(), url, isMainFrame: false }
        win.webContents.emit('will-frame-navigate', subframe)
        expect(subframe.defaultPrevented, url).toBe(true)
      }
      // The page's own frame is left to will-navigate, which hands web links to the browser
      // (cancelling here would keep will-navigate from running).
      const top = { ...fakeEvent(), url: 'https://example.com/docs', isMainFrame: true }
      win.webContents.emit('will-frame-navigate', top)
      expect(top.defaultPrevented).toBe(false)
    }
    expect(shell.openExternal).not.toHaveBeenCalled()
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
      translator: () => translatorFor('en'),
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

  it('sends each window the pushes its page uses, and reports focus', () => {
    const wm = manager()
    const main = wm.createMainWindow() as unknown as FakeBrowserWindow
    const settings = wm.openSettings() as unknown as FakeBrowserWindow
    const pushes: [PushChannel, unknown][] = [
      ['connection/state', { status: 'connected', next_attempt_at: null, attempt: 0 }],
      ['session/changed', { user: null }],
      ['settings/changed', { clock: '24h' }],
      ['branding/changed', { timezone: 'UTC' }],
      ['outbox/changed', { client_id: 'c1' }],
      ['accounts/changed', { id: 1, state: 'connected' }],
      ['session/exportProgress', { state: 'receiving', bytes: 1 }],
      ['events/resync', { reason: 'gap' }],
      ['navigation/openConversation', { conversation_id: 3 }],
      ...EVENT_TYPES.map((type): [PushChannel, unknown] => ['events/event', { type, data: {} }]),
    ]
    for (const [channel, payload] of pushes) wm.sendToAll(channel, payload as never)
    const sent = (win: FakeBrowserWindow) =>
      win.webContents.send.mock.calls.map(([channel, payload]) =>
        channel === 'events/event' ? `event:${(payload as { type: string }).type}` : channel,
      )
    // The messenger: everything but mail accounts (it shows none).
    expect(sent(main)).toEqual([
      'connection/state',
      'session/changed',
      'settings/changed',
      'branding/changed',
      'outbox/changed',
      'events/resync',
      'navigation/openConversation',
      ...EVENT_TYPES.map((type) => `event:${type}`),
    ])
    // Settings: what its page and stores subscribe to; no messages, presence, typing or outbox.
    expect(sent(settings)).toEqual([
      'session/changed',
      'settings/changed',
      'branding/changed',
      'accounts/changed',
      'session/exportProgress',
      'events/resync',
      'event:conversation_created',
      'event:conversation_updated',
      'event:system_notification',
      'event:user_deactivated',
      'event:user_reactivated',
      'event:user_role_changed',
    ])
    expect(wm.isAnyFocused()).toBe(false)
    settings.focus()
    expect(wm.isAnyFocused()).toBe(true)
  })
})

describe('window background and the theme', () => {
  it('opens each window on the background of the colours in use, so a dark one never flashes white', () => {
    nativeTheme.themeSource = 'dark'
    const wm = manager()
    const main = wm.createMainWindow() as unknown as FakeBrowserWindow
    expect(main.options.backgroundColor).toBe(WINDOW_BACKGROUND.dark)
    nativeTheme.themeSource = 'light'
    const settings = wm.openSettings() as unknown as FakeBrowserWindow
    expect(settings.options.backgroundColor).toBe(WINDOW_BACKGROUND.light)
    // 'system' is the OS's choice.
    nativeTheme.themeSource = 'system'
    nativeTheme.setSystemDark(true)
    main.close()
    expect((wm.createMainWindow() as unknown as FakeBrowserWindow).options.backgroundColor).toBe(
      WINDOW_BACKGROUND.dark,
    )
  })

  it('updateBackgrounds repaints the open windows with the colours now in use', () => {
    const wm = manager()
    const main = wm.createMainWindow() as unknown as FakeBrowserWindow
    const settings = wm.openSettings() as unknown as FakeBrowserWindow
    expect(main.backgroundColor).toBe(WINDOW_BACKGROUND.light)
    nativeTheme.themeSource = 'dark'
    wm.updateBackgrounds()
    expect([main.backgroundColor, settings.backgroundColor]).toEqual([
      WINDOW_BACKGROUND.dark,
      WINDOW_BACKGROUND.dark,
    ])
  })
})
