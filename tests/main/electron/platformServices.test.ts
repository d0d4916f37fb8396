import { translatorFor } from '../../../src/shared/i18n/translator'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  FakeBrowserWindow,
  app,
  nativeImage,
  net,
  powerMonitor,
  resetFakeElectron,
  safeStorage,
} from './fakeElectron'

vi.mock('electron', async () => (await import('./fakeElectron')).electronModule)

const { createBadge } = await import('../../../src/main/electron/badge')
const { createSecretStore } = await import('../../../src/main/electron/secretStore')
const { watchPowerEvents } = await import('../../../src/main/electron/powerEvents')
const { claimSingleInstance } = await import('../../../src/main/electron/singleInstance')
const { createWindowManager } = await import('../../../src/main/electron/windows')

beforeEach(() => resetFakeElectron())
afterEach(() => {
  vi.useRealTimers()
})

describe('badge', () => {
  it('sets the app badge count on macOS and Linux', () => {
    for (const platform of ['darwin', 'linux'] as const) {
      createBadge({ platform, getMainWindow: () => null, overlayIconPath: '/o.png' }).setUnread(4)
      expect(app.setBadgeCount).toHaveBeenLastCalledWith(4)
    }
    createBadge({ platform: 'linux', getMainWindow: () => null, overlayIconPath: '' }).setUnread(0)
    expect(app.setBadgeCount).toHaveBeenLastCalledWith(0)
  })

  it('uses a taskbar overlay on Windows and clears it at zero', () => {
    const win = new FakeBrowserWindow({})
    const badge = createBadge({
      platform: 'win32',
      getMainWindow: () => win as never,
      overlayIconPath: '/res/badge-overlay.png',
    })
    badge.setUnread(2)
    expect(win.setOverlayIcon).toHaveBeenLastCalledWith(
      { path: '/res/badge-overlay.png' },
      '2 unread messages',
    )
    badge.setUnread(0)
    expect(win.setOverlayIcon).toHaveBeenLastCalledWith(null, '')
    expect(app.setBadgeCount).not.toHaveBeenCalled()
    expect(nativeImage.createFromPath).toHaveBeenCalledTimes(1)
  })
})

describe('secret store', () => {
  it('encrypts and decrypts through safeStorage when available', () => {
    const store = createSecretStore('linux')
    expect(store.available()).toBe(true)
    const sealed = store.encrypt('token-1')
    expect(safeStorage.encryptString).toHaveBeenCalledWith('token-1')
    expect(store.decrypt(sealed)).toBe('token-1')
  })

  it('is unavailable when the OS offers no encryption', () => {
    safeStorage.isEncryptionAvailable.mockReturnValue(false)
    const store = createSecretStore('darwin')
    expect(store.available()).toBe(false)
    expect(() => store.encrypt('x')).toThrow(/not available/)
  })

  it("is unavailable on Linux with the 'basic_text' backend only", () => {
    safeStorage.getSelectedStorageBackend.mockReturnValue('basic_text')
    expect(createSecretStore('linux').available()).toBe(false)
    expect(createSecretStore('win32').available()).toBe(true)
  })
})

describe('power events', () => {
  it('reconnects on resume and unlock, and stops listening when disposed', () => {
    const reconnectNow = vi.fn()
    const stop = watchPowerEvents({ reconnectNow })
    powerMonitor.emit('resume')
    powerMonitor.emit('unlock-screen')
    expect(reconnectNow).toHaveBeenCalledTimes(2)
    stop()
    powerMonitor.emit('resume')
    expect(reconnectNow).toHaveBeenCalledTimes(2)
  })

  it('reconnects when the network comes back, not while it stays up or down', () => {
    vi.useFakeTimers()
    const reconnectNow = vi.fn()
    const stop = watchPowerEvents({ reconnectNow, pollIntervalMs: 1000 })
    vi.advanceTimersByTime(3000)
    expect(reconnectNow).not.toHaveBeenCalled()
    net.isOnline.mockReturnValue(false)
    vi.advanceTimersByTime(3000)
    expect(reconnectNow).not.toHaveBeenCalled()
    net.isOnline.mockReturnValue(true)
    vi.advanceTimersByTime(1000)
    expect(reconnectNow).toHaveBeenCalledTimes(1)
    vi.advanceTimersByTime(5000)
    expect(reconnectNow).toHaveBeenCalledTimes(1)
    stop()
  })

  it('reports the network state to the core when asked to, at start and on each change', () => {
    vi.useFakeTimers()
    const reconnectNow = vi.fn()
    const setNetworkOnline = vi.fn()
    net.isOnline.mockReturnValue(false)
    const stop = watchPowerEvents({ reconnectNow, setNetworkOnline, pollIntervalMs: 1000 })
    expect(setNetworkOnline.mock.calls).toEqual([[false]])
    vi.advanceTimersByTime(2000)
    net.isOnline.mockReturnValue(true)
    vi.advanceTimersByTime(1000)
    net.isOnline.mockReturnValue(false)
    vi.advanceTimersByTime(1000)
    expect(setNetworkOnline.mock.calls).toEqual([[false], [true], [false]])
    expect(reconnectNow).not.toHaveBeenCalled()
    stop()
    net.isOnline.mockReturnValue(true)
    vi.advanceTimersByTime(5000)
    expect(setNetworkOnline).toHaveBeenCalledTimes(3)
  })
})

describe('single instance', () => {
  it('a second instance quits at once', () => {
    app.requestSingleInstanceLock.mockReturnValue(false)
    const onSecond = vi.fn()
    expect(claimSingleInstance(onSecond)).toBe(false)
    expect(app.quit).toHaveBeenCalledTimes(1)
    expect(app.listenerCount('second-instance')).toBe(0)
  })

  it('the first instance brings its window forward when launched again', () => {
    const wm = createWindowManager({
      preloadPath: '/p.cjs',
      devServerUrl: null,
      isQuitting: () => false,
      translator: () => translatorFor('en'),
      hideOnClose: () => true,
    })
    expect(claimSingleInstance(() => wm.showMainWindow())).toBe(true)
    expect(app.quit).not.toHaveBeenCalled()
    const win = wm.createMainWindow() as unknown as FakeBrowserWindow
    win.show()
    win.minimize()
    app.emit('second-instance', {}, ['tidings'], '/')
    expect(win.minimized).toBe(false)
    expect(win.focused).toBe(true)
    expect(FakeBrowserWindow.instances).toHaveLength(1)
  })
})
