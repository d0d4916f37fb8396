import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  builderArgs,
  cannotGetElectronMessage,
  distDirOf,
  distNetworkMessage,
  electronViteEnv,
  executableName,
  forThisMachine,
  isBuilderFailureLine,
  isNetworkError,
  locateElectron,
  networkReason,
  type ElectronProbe,
  type LocatedElectron,
} from '../../scripts/electron/electronBinary'
import { ensureElectron, formatProgress } from '../../scripts/electron/ensureElectron'

const root = resolve(import.meta.dirname, '../..')
const ELECTRON_DIR = '/repo/node_modules/electron'

/** A machine described by its files: path → content. */
function probe(
  files: Record<string, string>,
  env: Record<string, string> = {},
  platform = 'linux',
): ElectronProbe {
  return {
    env,
    platform,
    arch: 'x64',
    electron: { dir: ELECTRON_DIR, version: '45.5.0' },
    isFile: (path) => path in files,
    readText: (path) => files[path] ?? null,
  }
}

const INSTALLED = {
  [`${ELECTRON_DIR}/path.txt`]: 'electron',
  [`${ELECTRON_DIR}/dist/version`]: '45.5.0',
  [`${ELECTRON_DIR}/dist/electron`]: '',
}

describe('locateElectron', () => {
  it('uses node_modules/electron/dist when install.js has unpacked this version there', () => {
    expect(locateElectron(probe(INSTALLED))).toEqual({
      kind: 'found',
      electron: {
        execPath: `${ELECTRON_DIR}/dist/electron`,
        distDir: `${ELECTRON_DIR}/dist`,
        source: 'node_modules',
        warning: null,
      },
    })
  })

  it('is missing on a fresh `npm ci` (no path.txt), after an upgrade, or with the file gone', () => {
    expect(locateElectron(probe({}))).toEqual({ kind: 'missing' })
    expect(
      locateElectron(probe({ ...INSTALLED, [`${ELECTRON_DIR}/dist/version`]: '44.1.0' })),
    ).toEqual({ kind: 'missing' })
    const { [`${ELECTRON_DIR}/dist/electron`]: _gone, ...withoutBinary } = INSTALLED
    expect(locateElectron(probe(withoutBinary))).toEqual({ kind: 'missing' })
  })

  it('honours ELECTRON_OVERRIDE_DIST_PATH, before node_modules, with path.txt’s name or the platform’s', () => {
    const files = { '/opt/electron-v45/electron': '', '/opt/electron-v45/version': 'v45.5.0' }
    const env = { ELECTRON_OVERRIDE_DIST_PATH: '/opt/electron-v45' }
    expect(locateElectron(probe({ ...INSTALLED, ...files }, env))).toEqual({
      kind: 'found',
      electron: {
        execPath: '/opt/electron-v45/electron',
        distDir: '/opt/electron-v45',
        source: 'ELECTRON_OVERRIDE_DIST_PATH',
        warning: null,
      },
    })
    const mac = locateElectron(
      probe(
        { '/opt/e/Electron.app/Contents/MacOS/Electron': '' },
        { ELECTRON_OVERRIDE_DIST_PATH: '/opt/e' },
        'darwin',
      ),
    )
    expect(mac).toMatchObject({
      kind: 'found',
      electron: { execPath: '/opt/e/Electron.app/Contents/MacOS/Electron', distDir: '/opt/e' },
    })
  })

  it('honours ELECTRON_EXEC_PATH first, and finds its folder for electron-builder', () => {
    const env = {
      ELECTRON_EXEC_PATH: '/opt/e/Electron.app/Contents/MacOS/Electron',
      ELECTRON_OVERRIDE_DIST_PATH: '/elsewhere',
    }
    const found = locateElectron(
      probe({ '/opt/e/Electron.app/Contents/MacOS/Electron': '' }, env, 'darwin'),
    )
    expect(found).toEqual({
      kind: 'found',
      electron: {
        execPath: '/opt/e/Electron.app/Contents/MacOS/Electron',
        distDir: '/opt/e',
        source: 'ELECTRON_EXEC_PATH',
        warning: null,
      },
    })
  })

  it('refuses an override that points at nothing, without falling back to a download', () => {
    expect(locateElectron(probe(INSTALLED, { ELECTRON_OVERRIDE_DIST_PATH: '/nowhere' }))).toEqual({
      kind: 'bad-override',
      variable: 'ELECTRON_OVERRIDE_DIST_PATH',
      problem: 'ELECTRON_OVERRIDE_DIST_PATH is /nowhere, and it holds no electron',
    })
    expect(locateElectron(probe(INSTALLED, { ELECTRON_EXEC_PATH: '/nowhere/electron' }))).toEqual({
      kind: 'bad-override',
      variable: 'ELECTRON_EXEC_PATH',
      problem: 'ELECTRON_EXEC_PATH is /nowhere/electron, and there is no file there',
    })
  })

  it('warns when an override holds another Electron version', () => {
    const found = locateElectron(
      probe(
        { '/opt/e/electron': '', '/opt/e/version': '44.0.0' },
        { ELECTRON_OVERRIDE_DIST_PATH: '/opt/e' },
      ),
    )
    expect(found.kind === 'found' && found.electron.warning).toBe(
      'Note: ELECTRON_OVERRIDE_DIST_PATH holds Electron 44.0.0; Tidings is built and tested with Electron 45.5.0.',
    )
  })

  it('names executables as Electron’s install.js does', () => {
    expect(executableName('linux')).toBe('electron')
    expect(executableName('win32')).toBe('electron.exe')
    expect(executableName('darwin')).toBe('Electron.app/Contents/MacOS/Electron')
    expect(distDirOf('C:/e/electron.exe', 'win32')).toBe('C:/e')
  })
})

describe('ensureElectron', () => {
  function deps(machine: () => ElectronProbe, download: () => Promise<void>) {
    const logged: string[] = []
    const progress: string[] = []
    return {
      logged,
      progress,
      deps: {
        probe: machine,
        download: vi.fn(
          async (onProgress: (p: { transferred: number; total: number | null }) => void) => {
            onProgress({ transferred: 50 * 1024 * 1024, total: 100 * 1024 * 1024 })
            await download()
          },
        ),
        log: (line: string) => logged.push(line),
        progress: (line: string) => progress.push(line),
      },
    }
  }

  it('downloads a missing Electron with a progress line, then uses it', async () => {
    let installed = false
    const run = deps(
      () => probe(installed ? INSTALLED : {}),
      async () => {
        installed = true
      },
    )
    const outcome = await ensureElectron('npm start', run.deps)
    expect(outcome).toMatchObject({
      ok: true,
      downloaded: true,
      electron: { source: 'node_modules' },
    })
    expect(run.deps.download).toHaveBeenCalledTimes(1)
    expect(run.logged[0]).toBe(
      'Electron 45.5.0 is not in node_modules/electron yet: downloading it for linux-x64 (once).',
    )
    expect(run.progress).toEqual(['Downloading Electron 45.5.0: 50% (50 of 100 MB)'])
  })

  it('does not download when an override or an earlier download is there', async () => {
    for (const machine of [
      probe(INSTALLED),
      probe({ '/opt/e/electron': '' }, { ELECTRON_OVERRIDE_DIST_PATH: '/opt/e' }),
      probe({ '/opt/e/electron': '' }, { ELECTRON_EXEC_PATH: '/opt/e/electron' }),
    ]) {
      const run = deps(
        () => machine,
        async () => {},
      )
      expect(await ensureElectron('npm run dev', run.deps)).toMatchObject({
        ok: true,
        downloaded: false,
      })
      expect(run.deps.download).not.toHaveBeenCalled()
    }
  })

  it('when the download fails: one paragraph with what failed and the two ways out, exit code 1', async () => {
    const offline = new TypeError('fetch failed', {
      cause: new Error('getaddrinfo ENOTFOUND github.com'),
    })
    const run = deps(
      () => probe({}),
      () => Promise.reject(offline),
    )
    const outcome = await ensureElectron('npm start', run.deps)
    expect(outcome.ok).toBe(false)
    if (outcome.ok) return
    expect(outcome.exitCode).toBe(1)
    expect(outcome.message).not.toContain('\n')
    expect(outcome.message).not.toMatch(/\bat \S+ \(/)
    expect(outcome.message).toContain(
      'npm start needs Electron 45.5.0, the runtime the desktop app runs in, and could not get it: ' +
        "it is not installed yet (Electron's npm package no longer downloads it during `npm ci`), and " +
        'downloading it for linux-x64 failed (fetch failed: getaddrinfo ENOTFOUND github.com). Two ways out: ',
    )
    expect(outcome.message).toContain('connect this machine to the internet')
    expect(outcome.message).toContain(
      'unpack electron-v45.5.0-linux-x64.zip into a folder and run `ELECTRON_OVERRIDE_DIST_PATH=/path/to/that/folder npm start`',
    )
    expect(outcome.message).toContain('ELECTRON_EXEC_PATH')
  })

  it('a bad override fails at once, telling to unset it or fix it', async () => {
    const run = deps(
      () => probe({}, { ELECTRON_OVERRIDE_DIST_PATH: '/nowhere' }),
      async () => {},
    )
    const outcome = await ensureElectron('npm run dev', run.deps)
    expect(run.deps.download).not.toHaveBeenCalled()
    expect(outcome).toMatchObject({ ok: false, exitCode: 1 })
    if (outcome.ok) return
    expect(outcome.message).toContain(
      'could not get it: ELECTRON_OVERRIDE_DIST_PATH is /nowhere, and it holds no electron.',
    )
    expect(outcome.message).toContain(
      'Two ways out: unset ELECTRON_OVERRIDE_DIST_PATH, connect this machine',
    )
  })

  it('a download that leaves no executable behind is a failure too', async () => {
    const run = deps(
      () => probe({}),
      async () => {},
    )
    const outcome = await ensureElectron('npm start', run.deps)
    expect(outcome).toMatchObject({ ok: false, exitCode: 1 })
  })

  it('formats progress with and without a size', () => {
    expect(formatProgress('45.5.0', { transferred: 3 * 1024 * 1024, total: null })).toBe(
      'Downloading Electron 45.5.0: 3 MB',
    )
    expect(formatProgress('45.5.0', { transferred: 10, total: 10 })).toBe(
      'Downloading Electron 45.5.0: 100% (0 of 1 MB)',
    )
  })
})

describe('handing the executable on', () => {
  const located: LocatedElectron = {
    execPath: '/opt/e/electron',
    distDir: '/opt/e',
    source: 'ELECTRON_OVERRIDE_DIST_PATH',
    warning: null,
  }

  it('electron-vite gets ELECTRON_EXEC_PATH (it reads nothing else but path.txt)', () => {
    expect(electronViteEnv({ PATH: '/bin' }, located)).toEqual({
      PATH: '/bin',
      ELECTRON_EXEC_PATH: '/opt/e/electron',
    })
  })

  it('electron-builder packs the local Electron for this machine only', () => {
    const host = { platform: 'linux', arch: 'x64' }
    expect(builderArgs([], located, host)).toEqual(['-c.electronDist=/opt/e'])
    expect(builderArgs(['--linux', 'dir'], located, host)).toEqual([
      '--linux',
      'dir',
      '-c.electronDist=/opt/e',
    ])
    expect(builderArgs(['--linux', '--x64'], located, host)).toContain('-c.electronDist=/opt/e')
    expect(builderArgs(['--win'], located, host)).toEqual(['--win'])
    expect(builderArgs(['--linux', '--arm64'], located, host)).toEqual(['--linux', '--arm64'])
    expect(builderArgs(['-c.electronDist=/x'], located, host)).toEqual(['-c.electronDist=/x'])
    expect(builderArgs([], null, host)).toEqual([])
    expect(forThisMachine(['--mac', '--universal'], { platform: 'darwin', arch: 'arm64' })).toBe(
      false,
    )
  })
})

describe('npm run dist without a network', () => {
  // What electron-builder 26 prints on stdout when it cannot download Electron's zip.
  const output = [
    '  • packaging       platform=linux arch=x64 electron=45.5.0 appOutDir=dist/linux-unpacked',
    '  ⨯ getaddrinfo ENOTFOUND github.com  failedTask=build stackTrace=RequestError: getaddrinfo ENOTFOUND github.com',
    '    at ClientRequest.<anonymous> (node_modules/got/dist/source/core/index.js:970:111)',
    '    at GetAddrInfoReqWrap.onlookupall [as oncomplete] (node:dns:123:26)',
  ]

  it('finds the failure line and the network reason in it', () => {
    expect(output.map(isBuilderFailureLine)).toEqual([false, true, false, false])
    expect(isNetworkError(output.join('\n'))).toBe(true)
    expect(networkReason(output.slice(1).join('\n'))).toBe('getaddrinfo ENOTFOUND github.com')
    expect(isNetworkError('Application entry file "out/main/index.js" is corrupted')).toBe(false)
  })

  it('says it in one paragraph with both ways out', () => {
    const message = distNetworkMessage({
      version: '45.5.0',
      platform: 'linux',
      arch: 'x64',
      reason: 'getaddrinfo ENOTFOUND github.com',
    })
    expect(message).not.toContain('\n')
    expect(message).toContain('the network failed (getaddrinfo ENOTFOUND github.com)')
    expect(message).toContain('connect this machine to the internet')
    expect(message).toContain(
      '`ELECTRON_OVERRIDE_DIST_PATH=/path/to/that/folder npm run dist -- --linux dir`',
    )
  })

  it('names the right zip and executable for each platform', () => {
    const win = cannotGetElectronMessage({
      command: 'npm start',
      version: '45.5.0',
      platform: 'win32',
      arch: 'arm64',
      failure: 'x',
    })
    expect(win).toContain('electron-v45.5.0-win32-arm64.zip')
    expect(win).toContain('the electron.exe executable itself')
  })
})

// The command itself, as `npm start` runs it first. No network is used: the "download" goes to a
// local server that has no Electron, and a platform whose Electron is not installed is asked for,
// with an empty cache, so nothing is ever unpacked into node_modules.
describe('scripts/electron/cli.ts', () => {
  let dir: string
  let mirror: Server
  let mirrorUrl: string
  const requested: string[] = []

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tidings-electron-cli-'))
    mirror = createServer((request, response) => {
      requested.push(request.url ?? '')
      response.writeHead(404).end()
    })
    await new Promise<void>((done) => mirror.listen(0, '127.0.0.1', done))
    mirrorUrl = `http://127.0.0.1:${(mirror.address() as AddressInfo).port}/`
  })

  afterAll(async () => {
    await new Promise((done) => mirror.close(done))
    await rm(dir, { recursive: true, force: true })
  })

  function run(
    env: Record<string, string>,
  ): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((done) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'scripts/electron/cli.ts', 'ensure'],
        {
          cwd: root,
          env: { ...process.env, ELECTRON_EXEC_PATH: '', ELECTRON_OVERRIDE_DIST_PATH: '', ...env },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      )
      let stdout = ''
      let stderr = ''
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
      child.once('exit', (code) => done({ code, stdout, stderr }))
    })
  }

  it('a failed download: one paragraph on stderr, exit code 1, no stack trace', async () => {
    const result = await run({
      ELECTRON_INSTALL_PLATFORM: process.platform === 'win32' ? 'linux' : 'win32',
      ELECTRON_MIRROR: mirrorUrl,
      electron_config_cache: join(dir, 'cache'),
    })
    expect(result.code).toBe(1)
    expect(result.stdout).toBe('')
    expect(requested).toHaveLength(1)
    expect(requested[0]).toMatch(/^\/v45\.\d+\.\d+\/electron-v45\.\d+\.\d+-(win32|linux)-\w+\.zip$/)
    const paragraphs = result.stderr.trim().split('\n\n')
    expect(paragraphs).toHaveLength(2)
    expect(paragraphs[0]).toMatch(/^Electron 45\.\d+\.\d+ is not in node_modules\/electron yet/)
    expect(paragraphs[1]).toMatch(/^npm run electron:install needs Electron 45/)
    expect(paragraphs[1]).toMatch(/Response code 404/)
    expect(paragraphs[1]).toMatch(/Two ways out:/)
    expect(result.stderr).not.toMatch(/^\s+at /m)
  })

  it('ELECTRON_OVERRIDE_DIST_PATH and ELECTRON_EXEC_PATH are used as they are', async () => {
    const local = join(dir, 'electron-v45')
    const name = executableName(process.platform)
    await mkdir(join(local, name, '..'), { recursive: true })
    await writeFile(join(local, name), '')
    const viaDist = await run({ ELECTRON_OVERRIDE_DIST_PATH: local })
    expect(viaDist).toMatchObject({ code: 0, stdout: `${join(local, name)}\n` })
    const viaExec = await run({ ELECTRON_EXEC_PATH: join(local, name) })
    expect(viaExec).toMatchObject({ code: 0, stdout: `${join(local, name)}\n` })
  })

  it('an override that points at nothing: exit code 1 and the paragraph', async () => {
    const result = await run({ ELECTRON_OVERRIDE_DIST_PATH: join(dir, 'missing') })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(
      `ELECTRON_OVERRIDE_DIST_PATH is ${join(dir, 'missing')}, and it holds no`,
    )
    expect(result.stderr).not.toMatch(/^\s+at /m)
  })
})
