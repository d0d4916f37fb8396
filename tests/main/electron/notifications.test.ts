import { translatorFor } from '../../../src/shared/i18n/translator'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { NativeNotificationRequest } from '../../../src/main/core/coreHost'
import { FakeBrowserWindow, FakeNotification, resetFakeElectron } from './fakeElectron'

vi.mock('electron', async () => (await import('./fakeElectron')).electronModule)

const { createWindowManager } = await import('../../../src/main/electron/windows')
const { createNotifier } = await import('../../../src/main/electron/notifications')

function request(overrides: Partial<NativeNotificationRequest> = {}): NativeNotificationRequest {
  return {
    tag: 'conversation:5',
    title: 'Ada',
    body: 'Lunch?',
    conversation_id: 5,
    silent: false,
    ...overrides,
  }
}

/** The real window manager and notifier, over fake Electron windows. */
function setup() {
  const wm = createWindowManager({
    preloadPath: '/p.cjs',
    devServerUrl: null,
    isQuitting: () => false,
    translator: () => translatorFor('en'),
    hideOnClose: () => true,
  })
  const opened: NativeNotificationRequest[] = []
  const notifier = createNotifier({
    showMainWindow: () => wm.showMainWindow(),
    // As index.ts's: the core shows the server, then pushes the conversation to the main window.
    open: (clicked) => {
      opened.push(clicked)
      if (clicked.conversation_id !== null) {
        wm.sendToMain('navigation/openConversation', { conversation_id: clicked.conversation_id })
      }
    },
  })
  return { wm, notifier, opened }
}

beforeEach(() => resetFakeElectron())

describe('notifier', () => {
  it('shows a native notification with the requested text', () => {
    const { notifier } = setup()
    notifier.show(request({ silent: true }))
    const shown = FakeNotification.instances[0]
    expect(shown?.shown).toBe(true)
    expect(shown?.options).toMatchObject({ title: 'Ada', body: 'Lunch?', silent: true })
  })

  it('keeps a reference until the notification is clicked or closed', () => {
    const { notifier } = setup()
    notifier.show(request({ tag: 'a' }))
    notifier.show(request({ tag: 'b' }))
    expect(notifier.activeCount).toBe(2)
    FakeNotification.instances[0]?.close()
    expect(notifier.activeCount).toBe(1)
    FakeNotification.instances[1]?.click()
    expect(notifier.activeCount).toBe(0)
  })

  it('replaces the previous notification of the same conversation', () => {
    const { notifier } = setup()
    notifier.show(request({ body: 'one' }))
    notifier.show(request({ body: 'two' }))
    const [first, second] = FakeNotification.instances
    expect(first?.closed).toBe(true)
    expect(second?.closed).toBe(false)
    expect(notifier.activeCount).toBe(1)
  })

  it('on click restores a minimized main window, focuses it and opens the conversation', () => {
    const { wm, notifier } = setup()
    const win = wm.createMainWindow() as unknown as FakeBrowserWindow
    win.webContents.finishLoad()
    win.show()
    win.minimize()
    notifier.show(request({ conversation_id: 9 }))
    FakeNotification.instances[0]?.click()
    expect(win.minimized).toBe(false)
    expect(win.visible).toBe(true)
    expect(win.focused).toBe(true)
    expect(win.webContents.send).toHaveBeenCalledWith('navigation/openConversation', {
      conversation_id: 9,
    })
  })

  it('on click hands the whole request on, its server with it', () => {
    const { notifier, opened } = setup()
    notifier.show(request({ server_id: 's-1', tag: 's-1/conversation:5' }))
    FakeNotification.instances[0]?.click()
    expect(opened).toEqual([request({ server_id: 's-1', tag: 's-1/conversation:5' })])
  })

  it('on click brings back a window hidden in the tray', () => {
    const { wm, notifier } = setup()
    const win = wm.createMainWindow() as unknown as FakeBrowserWindow
    win.webContents.finishLoad()
    win.show()
    win.close() // hides to the tray
    expect(win.visible).toBe(false)
    notifier.show(request())
    FakeNotification.instances[0]?.click()
    expect(win.visible).toBe(true)
    expect(win.focused).toBe(true)
    expect(win.webContents.send).toHaveBeenCalledWith('navigation/openConversation', {
      conversation_id: 5,
    })
  })

  it('recreates a closed window and navigates once its page has loaded', () => {
    const { notifier } = setup()
    notifier.show(request({ conversation_id: 3 }))
    expect(FakeBrowserWindow.instances).toHaveLength(0)
    FakeNotification.instances[0]?.click()
    const win = FakeBrowserWindow.instances[0]
    expect(win?.visible).toBe(true)
    expect(win?.webContents.send).not.toHaveBeenCalled()
    win?.webContents.finishLoad()
    expect(win?.webContents.send).toHaveBeenCalledWith('navigation/openConversation', {
      conversation_id: 3,
    })
  })

  it('only opens the window when the notification has no conversation', () => {
    const { wm, notifier } = setup()
    const win = wm.createMainWindow() as unknown as FakeBrowserWindow
    win.webContents.finishLoad()
    notifier.show(request({ conversation_id: null, tag: 'system' }))
    FakeNotification.instances[0]?.click()
    expect(win.focused).toBe(true)
    expect(win.webContents.send).not.toHaveBeenCalled()
  })

  it('does nothing where notifications are unsupported', () => {
    const { notifier } = setup()
    FakeNotification.isSupported.mockReturnValue(false)
    notifier.show(request())
    expect(FakeNotification.instances).toHaveLength(0)
    expect(notifier.activeCount).toBe(0)
  })

  it('closeAll closes and forgets every notification', () => {
    const { notifier } = setup()
    notifier.show(request({ tag: 'a' }))
    notifier.show(request({ tag: 'b' }))
    notifier.closeAll()
    expect(FakeNotification.instances.every((n) => n.closed)).toBe(true)
    expect(notifier.activeCount).toBe(0)
  })
})
