import { expect, it, vi } from 'vitest'
import { FakeBrowserWindow, app, protocol, utilityProcess } from './fakeElectron'

vi.mock('electron', async () => (await import('./fakeElectron')).electronModule)

it('a second launch quits before doing anything else', async () => {
  app.requestSingleInstanceLock.mockReturnValue(false)
  await import('../../../src/main/index')
  await vi.waitFor(() => expect(app.quit).toHaveBeenCalledTimes(1))
  expect(app.whenReady).not.toHaveBeenCalled()
  expect(app.setAppUserModelId).not.toHaveBeenCalled()
  expect(protocol.registerSchemesAsPrivileged).not.toHaveBeenCalled()
  expect(utilityProcess.fork).not.toHaveBeenCalled()
  expect(FakeBrowserWindow.instances).toHaveLength(0)
  expect(app.listenerCount('second-instance')).toBe(0)
})
