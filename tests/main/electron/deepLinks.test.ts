import { translatorFor } from '../../../src/shared/i18n/translator'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import {
  confirmAddServer,
  listenForOpenUrl,
  registerProtocolClient,
  showLinkNotice,
} from '../../../src/main/electron/deepLinks'
import { claimSingleInstance } from '../../../src/main/electron/singleInstance'
import { FakeBrowserWindow, app, dialog, fakeEvent, resetFakeElectron } from './fakeElectron'

vi.mock('electron', async () => (await import('./fakeElectron')).electronModule)

beforeEach(() => resetFakeElectron())

describe('registerProtocolClient', () => {
  const base = { execPath: '/usr/bin/electron', appArg: '.', registerInDevelopment: false }

  it('a packaged app makes itself the tidings:// handler, unless it already is', () => {
    expect(registerProtocolClient({ ...base, isPackaged: true })).toBe(true)
    expect(app.setAsDefaultProtocolClient.mock.calls).toEqual([['tidings']])
    registerProtocolClient({ ...base, isPackaged: true })
    expect(app.setAsDefaultProtocolClient).toHaveBeenCalledTimes(1)
  })

  it('a development run registers only when asked, as Electron plus the app folder', () => {
    expect(registerProtocolClient({ ...base, isPackaged: false })).toBe(false)
    expect(app.setAsDefaultProtocolClient).not.toHaveBeenCalled()
    registerProtocolClient({ ...base, isPackaged: false, registerInDevelopment: true })
    expect(app.setAsDefaultProtocolClient.mock.calls[0]?.[0]).toBe('tidings')
    expect(app.setAsDefaultProtocolClient.mock.calls[0]?.[1]).toBe('/usr/bin/electron')
    expect(app.setAsDefaultProtocolClient.mock.calls[0]?.[2]).toEqual([process.cwd()])
  })
})

describe('links from the OS', () => {
  it('macOS open-url: the URL is taken (and the default action prevented)', () => {
    const received: string[] = []
    const stop = listenForOpenUrl((url) => received.push(url))
    const event = fakeEvent()
    app.emit('open-url', event, 'tidings://conversation/4')
    expect(received).toEqual(['tidings://conversation/4'])
    expect(event.defaultPrevented).toBe(true)
    stop()
    expect(app.listenerCount('open-url')).toBe(0)
  })

  it('a second launch hands its arguments to the first instance', () => {
    const launches: (readonly string[])[] = []
    expect(claimSingleInstance((argv) => launches.push(argv))).toBe(true)
    app.emit('second-instance', fakeEvent(), ['tidings.exe', 'tidings://conversation/8'], 'C:\\')
    expect(launches).toEqual([['tidings.exe', 'tidings://conversation/8']])
  })
})

describe('dialogs', () => {
  it('asks before adding a server, with Cancel as the default', async () => {
    const parent = new FakeBrowserWindow({})
    dialog.showMessageBox.mockResolvedValueOnce({ response: 1, checkboxChecked: false })
    const yes = await confirmAddServer(
      parent as never,
      { to: 'https://chat.example.com', form: 'register' },
      translatorFor('en'),
    )
    expect(yes).toBe(false)
    const [shownOn, options] = dialog.showMessageBox.mock.calls[0] as unknown as [
      unknown,
      Record<string, unknown>,
    ]
    expect(shownOn).toBe(parent)
    expect(options).toMatchObject({
      buttons: ['Add server', 'Cancel'],
      defaultId: 1,
      cancelId: 1,
      message: 'Add https://chat.example.com to Tidings?',
    })
    expect(options.detail).toContain('your other servers stay signed in')
    expect(options.detail).toContain('Adding it shows its registration form')
    dialog.showMessageBox.mockResolvedValueOnce({ response: 0, checkboxChecked: false })
    expect(
      await confirmAddServer(
        null,
        { to: 'https://b.example', form: 'password_reset' },
        translatorFor('en'),
      ),
    ).toBe(true)
    const [resetOptions] = dialog.showMessageBox.mock.calls[1] as unknown as [
      Record<string, unknown>,
    ]
    expect(resetOptions.detail).toContain('The password reset link you opened')
    expect(resetOptions.detail).toContain('its form to set a new password')
  })

  it('shows a notice without waiting for it', () => {
    showLinkNotice(null, 'This link is for a conversation you are not in.', translatorFor('en'))
    expect(dialog.showMessageBox.mock.calls[0]).toEqual([
      { type: 'info', buttons: ['OK'], message: 'This link is for a conversation you are not in.' },
    ])
  })
})
