import { EventEmitter } from 'node:events'
import { describe, expect, it, vi } from 'vitest'
import {
  electronUpdateSource,
  loadElectronUpdater,
  startAutoUpdates,
  type ElectronUpdaterLike,
} from '../../../src/main/electron/autoUpdater'
import type { UpdateState } from '../../../src/shared/updates'
import { ManualClock } from '../core/support/manualClock'

/** electron-updater's AppUpdater as far as the adapter uses it. */
class FakeUpdater extends EventEmitter implements ElectronUpdaterLike {
  autoDownload = true
  autoInstallOnAppQuit = false
  allowDowngrade = true
  forceDevUpdateConfig = false
  logger: ElectronUpdaterLike['logger'] = null
  feed: unknown = null
  result: Awaited<ReturnType<ElectronUpdaterLike['checkForUpdates']>> = {
    isUpdateAvailable: true,
    updateInfo: { version: '0.2.0' },
  }
  setFeedURL = vi.fn((options: unknown) => {
    this.feed = options
  })
  checkForUpdates = vi.fn(async () => this.result)
  downloadUpdate = vi.fn(async () => {
    this.emit('download-progress', { percent: 42.5 })
    return ['/tmp/Tidings-0.2.0.AppImage']
  })
  quitAndInstall = vi.fn()
}

describe('electronUpdateSource', () => {
  it('takes the decisions away from electron-updater: no auto-download, no downgrade, install on quit', () => {
    const updater = new FakeUpdater()
    electronUpdateSource(updater, { feedUrl: null, log: () => {} })
    expect(updater.autoDownload).toBe(false)
    expect(updater.allowDowngrade).toBe(false)
    expect(updater.autoInstallOnAppQuit).toBe(true)
    expect(updater.setFeedURL).not.toHaveBeenCalled()
  })

  it('a test feed URL becomes a generic feed, also in a development run', () => {
    const updater = new FakeUpdater()
    electronUpdateSource(updater, { feedUrl: 'http://127.0.0.1:8080/feed/', log: () => {} })
    expect(updater.feed).toEqual({ provider: 'generic', url: 'http://127.0.0.1:8080/feed/' })
    expect(updater.forceDevUpdateConfig).toBe(true)
  })

  it('check, download with progress, install', async () => {
    const updater = new FakeUpdater()
    const source = electronUpdateSource(updater, { feedUrl: null, log: () => {} })
    expect(await source.check()).toEqual({ version: '0.2.0' })
    updater.result = { isUpdateAvailable: false, updateInfo: { version: '0.3.0' } }
    expect(await source.check()).toEqual({ version: '0.3.0', available: false })
    const progress: number[] = []
    await source.download((percent) => progress.push(percent))
    expect(progress).toEqual([42.5])
    expect(updater.listenerCount('download-progress')).toBe(0)
    source.install()
    expect(updater.quitAndInstall).toHaveBeenCalledWith(true, true)
  })

  it('an inactive updater (null) is an error, not an empty answer', async () => {
    const updater = new FakeUpdater()
    updater.result = null
    const source = electronUpdateSource(updater, { feedUrl: null, log: () => {} })
    await expect(source.check()).rejects.toMatchObject({ code: 'ERR_UPDATER_INACTIVE' })
  })

  it('electron-updater’s log goes to ours', () => {
    const updater = new FakeUpdater()
    const lines: string[] = []
    electronUpdateSource(updater, { feedUrl: null, log: (line) => lines.push(line) })
    updater.logger?.info('Checking for update')
    expect(lines).toEqual(['Checking for update'])
  })
})

describe('loadElectronUpdater', () => {
  it('uses the package’s autoUpdater, CommonJS default or named', async () => {
    const updater = new FakeUpdater()
    expect(await loadElectronUpdater(async () => ({ default: { autoUpdater: updater } }))).toBe(
      updater,
    )
    expect(await loadElectronUpdater(async () => ({ autoUpdater: updater }))).toBe(updater)
  })

  it('is null when electron-updater is not installed', async () => {
    expect(
      await loadElectronUpdater(() =>
        Promise.reject(new Error("Cannot find package 'electron-updater'")),
      ),
    ).toBeNull()
  })
})

describe('startAutoUpdates', () => {
  const activity = {
    lastTypingAt: () => null,
    systemIdleSeconds: () => 0,
    isWindowFocused: () => false,
  }

  function start(overrides: Partial<Parameters<typeof startAutoUpdates>[0]> = {}) {
    const states: UpdateState[] = []
    const updater = new FakeUpdater()
    const loadUpdater = vi.fn(async () => updater as ElectronUpdaterLike | null)
    const clock = new ManualClock()
    const started = startAutoUpdates({
      version: '0.1.0',
      isPackaged: true,
      platform: 'win32',
      env: {},
      resourcesPath: 'C:\\Tidings\\resources',
      userEnabled: true,
      activity,
      onState: (state) => states.push(state),
      log: () => {},
      clock,
      loadUpdater,
      readPolicy: () => null,
      ...overrides,
    })
    return { started, states, updater, loadUpdater, clock }
  }

  it('packaged and allowed: checks the feed through electron-updater after start', async () => {
    const { started, states, updater, clock } = start()
    const { updater: updates } = await started
    expect(states).toEqual([{ status: 'idle', checked_at: null }])
    clock.advance(15_000)
    await vi.waitFor(() =>
      expect(updates.getState()).toEqual({ status: 'ready', version: '0.2.0' }),
    )
    expect(updater.checkForUpdates).toHaveBeenCalledTimes(1)
    updates.stop()
  })

  it('the administrator’s policy file turns it off: electron-updater is not even loaded', async () => {
    const { started, states, loadUpdater } = start({ readPolicy: () => '{"auto_update": false}' })
    await started
    expect(states).toEqual([{ status: 'disabled', reason: 'admin' }])
    expect(loadUpdater).not.toHaveBeenCalled()
  })

  it('the user’s setting, a development run, or no electron-updater: off, and why', async () => {
    expect((await start({ userEnabled: false }).started).updater.getState()).toEqual({
      status: 'disabled',
      reason: 'user',
    })
    expect((await start({ isPackaged: false }).started).updater.getState()).toEqual({
      status: 'disabled',
      reason: 'unsupported',
    })
    const missing = start({ loadUpdater: async () => null })
    expect((await missing.started).updater.getState()).toEqual({
      status: 'disabled',
      reason: 'unsupported',
    })
  })

  it('the user’s switch turns updates on and off, electron-updater loaded for it', async () => {
    const { started, states, updater, loadUpdater, clock } = start({ userEnabled: false })
    const updates = await started
    expect(loadUpdater).toHaveBeenCalledTimes(1)
    updates.setUserEnabled(true)
    expect(states.at(-1)).toEqual({ status: 'idle', checked_at: null })
    clock.advance(15_000)
    await vi.waitFor(() => expect(updater.checkForUpdates).toHaveBeenCalledTimes(1))
    await vi.waitFor(() => expect(states.at(-1)).toEqual({ status: 'ready', version: '0.2.0' }))
    updates.setUserEnabled(false)
    expect(states.at(-1)).toEqual({ status: 'disabled', reason: 'user' })
    updates.updater.stop()
  })

  it('the user’s switch cannot turn on what the administrator or the copy turned off', async () => {
    const admin = await start({ readPolicy: () => '{"auto_update": false}' }).started
    admin.setUserEnabled(true)
    expect(admin.updater.getState()).toEqual({ status: 'disabled', reason: 'admin' })
    const development = await start({ isPackaged: false }).started
    development.setUserEnabled(false)
    development.setUserEnabled(true)
    expect(development.updater.getState()).toEqual({ status: 'disabled', reason: 'unsupported' })
  })
})
