import { beforeEach, describe, expect, it, vi } from 'vitest'
import { translatorFor } from '../../../src/shared/i18n/translator'
import { DEFAULT_PREFERENCES } from '../../../src/shared/preferences'
import { FakeTray, resetFakeElectron } from './fakeElectron'
import type { FakeMenuItem } from './fakeElectron'

vi.mock('electron', async () => (await import('./fakeElectron')).electronModule)

const { createAppTray, doNotDisturbToggled, isDoNotDisturbOn, trayTooltip } =
  await import('../../../src/main/electron/tray')

function setup() {
  const handlers = {
    onOpen: vi.fn(),
    onSettings: vi.fn(),
    onDoNotDisturb: vi.fn(),
    onQuit: vi.fn(),
  }
  const tray = createAppTray({
    translator: translatorFor('en'),
    iconPath: (state) => `/icons/${state}.png`,
    ...handlers,
  })
  const fake = FakeTray.instances[0]
  if (!fake) throw new Error('no tray created')
  const items = (): FakeMenuItem[] => fake.menu?.items ?? []
  const item = (id: string): FakeMenuItem => {
    const found = items().find((i) => i.id === id)
    if (!found) throw new Error(`no menu item ${id}`)
    return found
  }
  return { tray, fake, items, item, handlers }
}

beforeEach(() => resetFakeElectron())

describe('tray', () => {
  it('offers Open, Settings, Do not disturb and Quit', () => {
    const { items } = setup()
    expect(items().map((i) => i.label ?? i.type)).toEqual([
      'Open Tidings',
      'Settings…',
      'separator',
      'Do not disturb',
      'separator',
      'Quit Tidings',
    ])
  })

  it('wires each item to its action', () => {
    const { item, handlers, fake } = setup()
    item('open').click?.({ checked: false })
    item('settings').click?.({ checked: false })
    item('quit').click?.({ checked: false })
    fake.emit('click')
    expect(handlers.onOpen).toHaveBeenCalledTimes(2)
    expect(handlers.onSettings).toHaveBeenCalledTimes(1)
    expect(handlers.onQuit).toHaveBeenCalledTimes(1)
  })

  it('has a do-not-disturb checkbox that reflects and changes the setting', () => {
    const { item, tray, handlers } = setup()
    expect(item('dnd')).toMatchObject({ type: 'checkbox', checked: false })
    item('dnd').click?.({ checked: true })
    expect(handlers.onDoNotDisturb).toHaveBeenCalledWith(true)
    tray.setDoNotDisturb(true)
    expect(item('dnd').checked).toBe(true)
  })

  it('switches the icon with the connection state', () => {
    const { tray, fake } = setup()
    expect(fake.image).toEqual({ path: '/icons/reconnecting.png' })
    tray.setConnection('connected')
    expect(fake.image).toEqual({ path: '/icons/connected.png' })
    tray.setConnection('offline')
    expect(fake.image).toEqual({ path: '/icons/offline.png' })
    tray.setConnection('signed_out')
    expect(fake.image).toEqual({ path: '/icons/offline.png' })
  })

  it('puts the unread count and status in the tooltip', () => {
    const { tray, fake } = setup()
    tray.setConnection('connected')
    expect(fake.tooltip).toBe('Tidings (Connected)')
    tray.setUnread(3)
    expect(fake.tooltip).toBe('Tidings: 3 unread messages (Connected)')
    tray.setUnread(1)
    tray.setConnection('reconnecting')
    expect(fake.tooltip).toBe('Tidings: 1 unread message (Reconnecting…)')
    expect(trayTooltip('offline', 0, translatorFor('en'))).toBe('Tidings (Offline)')
  })

  it('destroys the tray icon', () => {
    const { tray, fake } = setup()
    tray.destroy()
    expect(fake.destroyed).toBe(true)
    tray.setUnread(2) // after destroy: ignored, no throw
  })
})

describe('do-not-disturb helpers', () => {
  const dnd = DEFAULT_PREFERENCES.dnd

  it('is on when switched on, or until a future time', () => {
    const now = new Date('2026-01-01T12:00:00Z')
    expect(isDoNotDisturbOn(dnd, now)).toBe(false)
    expect(isDoNotDisturbOn({ ...dnd, mode: 'on' }, now)).toBe(true)
    expect(isDoNotDisturbOn({ ...dnd, mode: 'until', until: '2026-01-01T13:00:00Z' }, now)).toBe(
      true,
    )
    expect(isDoNotDisturbOn({ ...dnd, mode: 'until', until: '2026-01-01T11:00:00Z' }, now)).toBe(
      false,
    )
    expect(isDoNotDisturbOn({ ...dnd, mode: 'schedule' }, now)).toBe(false)
  })

  it('toggles the mode and keeps the schedule times', () => {
    const custom = { ...dnd, schedule_start: '21:00', schedule_end: '06:30' }
    expect(doNotDisturbToggled(custom, true)).toEqual({ ...custom, mode: 'on', until: null })
    expect(doNotDisturbToggled({ ...custom, mode: 'on' }, false)).toEqual({
      ...custom,
      mode: 'off',
      until: null,
    })
  })
})
