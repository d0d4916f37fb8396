import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { startServer } from '../../../server/startServer'
import { readDataDir, runServerChild } from '../../../src/main/electron/serverChild'
import type { ServerChildMessage } from '../../../src/main/electron/serverChild'
import type { FakeUtilityProcess } from './fakeElectron'
import { resetFakeElectron, utilityProcess } from './fakeElectron'
import { inProcessFork } from './inProcessServer'

vi.mock('electron', async () => (await import('./fakeElectron')).electronModule)

const { createServerSupervisor } = await import('../../../src/main/electron/serverSupervisor')

function lastChild(): FakeUtilityProcess {
  const result = utilityProcess.fork.mock.results.at(-1)
  if (!result || result.type !== 'return') throw new Error('fork was not called')
  return result.value as FakeUtilityProcess
}

beforeEach(() => resetFakeElectron())
afterEach(() => {
  vi.useRealTimers()
})

describe('server supervisor with a fake utility process', () => {
  it('forks the server entry with the data dir and resolves when it reports ready', async () => {
    const supervisor = createServerSupervisor({
      entryPath: '/app/out/main/serverProcess.js',
      dataDir: '/data/server',
    })
    const started = supervisor.start()
    const child = lastChild()
    expect(child.modulePath).toBe('/app/out/main/serverProcess.js')
    expect(child.args).toContain('--data-dir=/data/server')
    expect(child.options).toMatchObject({
      serviceName: 'Tidings server',
      execArgv: ['--max-semi-space-size=16'],
    })
    child.emit('message', { type: 'something-else' })
    child.emit('message', { type: 'ready', port: 40123 })
    await expect(started).resolves.toEqual({ port: 40123, url: 'http://127.0.0.1:40123' })
    expect(supervisor.running?.port).toBe(40123)
  })

  it('rejects when the child reports an error or exits before ready', async () => {
    const a = createServerSupervisor({ entryPath: '/e.js', dataDir: '/d' })
    const failing = a.start()
    lastChild().emit('message', { type: 'error', message: 'EACCES' })
    await expect(failing).rejects.toThrow(/EACCES/)

    const b = createServerSupervisor({ entryPath: '/e.js', dataDir: '/d' })
    const exiting = b.start()
    lastChild().emit('exit', 1)
    await expect(exiting).rejects.toThrow(/exited before it was ready \(code 1\)/)
    expect(b.running).toBeNull()
  })

  it('gives up and kills the child when it is not ready in time', async () => {
    vi.useFakeTimers()
    const supervisor = createServerSupervisor({
      entryPath: '/e.js',
      dataDir: '/d',
      readyTimeoutMs: 2000,
    })
    const started = supervisor.start()
    const outcome = expect(started).rejects.toThrow(/within 2000 ms/)
    await vi.advanceTimersByTimeAsync(2000)
    await outcome
    expect(lastChild().killed).toBe(true)
  })

  it('stops by asking the child to close, and resolves when it exits', async () => {
    const supervisor = createServerSupervisor({ entryPath: '/e.js', dataDir: '/d' })
    const started = supervisor.start()
    const child = lastChild()
    child.emit('message', { type: 'ready', port: 1 })
    await started
    child.on('posted', (message: unknown) => {
      if ((message as { type?: string }).type === 'stop') child.emit('exit', 0)
    })
    await supervisor.stop()
    expect(child.posted).toEqual([{ type: 'stop' }])
    expect(child.killed).toBe(false)
    expect(supervisor.running).toBeNull()
    await supervisor.stop() // nothing left to stop
  })

  it('kills a child that does not exit after the stop message', async () => {
    vi.useFakeTimers()
    const supervisor = createServerSupervisor({
      entryPath: '/e.js',
      dataDir: '/d',
      stopTimeoutMs: 1000,
    })
    const started = supervisor.start()
    const child = lastChild()
    child.emit('message', { type: 'ready', port: 1 })
    await started
    child.kill = vi.fn(() => {
      child.killed = true
      child.emit('exit', 9)
      return true
    })
    const stopped = supervisor.stop()
    await vi.advanceTimersByTimeAsync(1000)
    await stopped
    expect(child.killed).toBe(true)
  })

  it('reports a crash after ready, but not a requested stop', async () => {
    const onUnexpectedExit = vi.fn()
    const supervisor = createServerSupervisor({
      entryPath: '/e.js',
      dataDir: '/d',
      onUnexpectedExit,
    })
    const started = supervisor.start()
    lastChild().emit('message', { type: 'ready', port: 1 })
    await started
    lastChild().emit('exit', 134)
    expect(onUnexpectedExit).toHaveBeenCalledWith(134)
  })
})

describe('server child', () => {
  it('reads the data dir from argv, then the environment', () => {
    expect(readDataDir(['node', 'x', '--data-dir=/a'], {})).toBe('/a')
    expect(readDataDir(['--data-dir', '/b'], {})).toBe('/b')
    expect(readDataDir([], { TIDINGS_DATA_DIR: '/c' })).toBe('/c')
    expect(readDataDir([], {})).toBeNull()
  })

  it('reports an error and exits 1 without a data dir', async () => {
    const posted: ServerChildMessage[] = []
    const exit = vi.fn()
    const result = await runServerChild({
      argv: [],
      env: {},
      parentPort: { postMessage: (m) => posted.push(m), on: () => undefined },
      startServer,
      exit,
    })
    expect(result).toBeNull()
    expect(posted).toEqual([{ type: 'error', message: expect.stringMatching(/data directory/) }])
    expect(exit).toHaveBeenCalledWith(1)
  })
})

describe('supervisor and child with the real server', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tidings-supervisor-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('starts the server on 127.0.0.1, serves requests, and closes it on stop', async () => {
    const dataDir = join(dir, 'server')
    const supervisor = createServerSupervisor({
      entryPath: '/unused.js',
      dataDir,
      fork: inProcessFork as never,
    })
    const running = await supervisor.start()
    expect(running.port).toBeGreaterThan(0)
    const health = await fetch(`${running.url}/healthz`)
    expect(health.status).toBe(200)
    const status = await fetch(`${running.url}/auth/status`)
    expect(await status.json()).toMatchObject({
      status: 'success',
      data: { needs_first_account: true },
    })
    await supervisor.stop()
    await expect(fetch(`${running.url}/healthz`)).rejects.toThrow()
  })

  it('reports a start failure from the real server', async () => {
    const blocker = join(dir, 'not-a-dir')
    await writeFile(blocker, 'x')
    const supervisor = createServerSupervisor({
      entryPath: '/unused.js',
      dataDir: join(blocker, 'server'),
      fork: inProcessFork as never,
    })
    await expect(supervisor.start()).rejects.toThrow(/failed to start/)
  })
})
