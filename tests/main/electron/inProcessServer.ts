// A utility-process stand-in whose child side runs the real server entry logic (runServerChild
// with the real startServer) inside the test process, so supervisor tests exercise the real
// server without an Electron binary. Messages cross through a fake parent handle and parentPort.
import { startServer } from '../../../server/startServer'
import { runServerChild } from '../../../src/main/electron/serverChild'
import type { ParentPortLike } from '../../../src/main/electron/serverChild'
import { FakeUtilityProcess } from './fakeElectron'

export function inProcessFork(
  modulePath: string,
  args: string[] = [],
  options: object = {},
): FakeUtilityProcess {
  const child = new FakeUtilityProcess(modulePath, args, options as Record<string, unknown>)
  const parentListeners: ((event: { data: unknown }) => void)[] = []
  const parentPort: ParentPortLike = {
    postMessage: (message) => queueMicrotask(() => child.emit('message', message)),
    on: (_event, listener) => parentListeners.push(listener),
  }
  child.postMessage = (message: unknown) => {
    child.posted.push(message)
    for (const listener of parentListeners) listener({ data: message })
  }
  void runServerChild({
    argv: args,
    env: {},
    parentPort,
    startServer,
    exit: (code) => queueMicrotask(() => child.emit('exit', code)),
  })
  return child
}
