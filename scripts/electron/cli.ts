import '../../src/shared/nodeVersionGuard' // first: Node 24 or a clear refusal
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { constants } from 'node:os'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import {
  builderArgs,
  distNetworkMessage,
  electronViteEnv,
  forThisMachine,
  isBuilderFailureLine,
  isNetworkError,
  networkReason,
  wrap,
  type ElectronProbe,
  type LocatedElectron,
} from './electronBinary'
import { ensureElectron, type DownloadProgress } from './ensureElectron'
import { machineProbe } from './machineProbe'

/**
 * The Electron steps of package.json's scripts, each after making sure the Electron executable
 * is there (electronBinary.ts says where it comes from):
 *
 *   tsx scripts/electron/cli.ts vite preview   `npm start`: build, then run the app
 *   tsx scripts/electron/cli.ts vite dev       `npm run dev`
 *   tsx scripts/electron/cli.ts builder …      `npm run dist` (after `npm run build`)
 *   tsx scripts/electron/cli.ts ensure         `npm run electron:install`: only the binary
 *
 * When Electron cannot be had, one paragraph on stderr and exit code 1; no stack trace.
 */

const root = resolve(import.meta.dirname, '../..')
const requireFromRoot = createRequire(join(root, 'package.json'))

function electronDir(): string {
  return machineProbe(root).electron.dir
}

function probe(): ElectronProbe {
  return machineProbe(root)
}

interface ElectronGet {
  downloadArtifact(options: Record<string, unknown>): Promise<string>
}

/**
 * Downloads Electron the way its install.js does, in two steps so that the user sees progress:
 * the zip goes into @electron/get's cache through the very call install.js makes (same version,
 * checksums and cache folder) with a progress callback; then install.js itself runs, finds the
 * zip in the cache, unpacks it into node_modules/electron/dist and writes path.txt.
 */
async function download(onProgress: (progress: DownloadProgress) => void): Promise<void> {
  const dir = electronDir()
  const found = probe()
  const env = process.env
  const requireFromElectron = createRequire(join(dir, 'package.json'))
  const get = (await import(
    pathToFileURL(requireFromElectron.resolve('@electron/get')).href
  )) as ElectronGet
  const remoteChecksums =
    env.electron_use_remote_checksums || env.npm_config_electron_use_remote_checksums
  await get.downloadArtifact({
    version: found.electron.version,
    artifactName: 'electron',
    platform: found.platform,
    arch: found.arch,
    force: env.force_no_cache === 'true',
    cacheRoot: env.electron_config_cache,
    checksums: remoteChecksums
      ? undefined
      : JSON.parse(readFileSync(join(dir, 'checksums.json'), 'utf8')),
    downloadOptions: {
      quiet: true,
      getProgressCallback: (progress: { transferred: number; total: number | null }) => {
        onProgress({ transferred: progress.transferred, total: progress.total })
        return Promise.resolve()
      },
    },
  })
  const installer = spawn(process.execPath, [join(dir, 'install.js')], {
    cwd: dir,
    stdio: ['ignore', 'inherit', 'pipe'],
  })
  let stderr = ''
  installer.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const code = await exitOf(installer)
  if (code !== 0) {
    const reason = stderr.split('\n').find((line) => line.trim() && !/^\s+at /.test(line))
    throw new Error(reason?.trim() || `Electron's install.js exited with code ${code}`)
  }
}

function progressWriter(): (line: string) => void {
  const tty = process.stderr.isTTY === true
  let lastBucket = -1
  let lastWrite = 0
  return (line) => {
    const percent = Number(/: (\d+)%/.exec(line)?.[1] ?? -1)
    if (tty) {
      const now = Date.now()
      if (percent !== 100 && now - lastWrite < 100) return
      lastWrite = now
      process.stderr.write(`\r\x1b[2K${line}${percent === 100 ? '\n' : ''}`)
      return
    }
    // A log, not a terminal: one line per tenth.
    const bucket = percent < 0 ? -1 : Math.floor(percent / 10)
    if (bucket === lastBucket) return
    lastBucket = bucket
    process.stderr.write(`${line}\n`)
  }
}

async function ensure(command: string): Promise<LocatedElectron> {
  const outcome = await ensureElectron(command, {
    probe,
    download,
    log: (line) => process.stderr.write(`${wrap(line)}\n`),
    progress: progressWriter(),
  })
  if (!outcome.ok) {
    process.stderr.write(`\n${wrap(outcome.message)}\n`)
    process.exit(outcome.exitCode)
  }
  return outcome.electron
}

function exitOf(child: ChildProcess): Promise<number> {
  return new Promise((resolvePromise) => {
    child.once('error', (error) => {
      process.stderr.write(`${error.message}\n`)
      resolvePromise(1)
    })
    child.once('exit', (code, signal) =>
      resolvePromise(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 1)),
    )
  })
}

/** Runs a Node script in a child with our terminal, passing Ctrl+C and termination on. */
function runNode(script: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, [script, ...args], { cwd: root, env, stdio: 'inherit' })
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => child.kill(signal))
  }
  return child
}

async function vite(args: string[]): Promise<number> {
  const command = args[0] === 'dev' ? 'npm run dev' : 'npm start'
  const electron = await ensure(command)
  const bin = join(
    dirname(requireFromRoot.resolve('electron-vite/package.json')),
    'bin/electron-vite.js',
  )
  return exitOf(runNode(bin, args, electronViteEnv(process.env, electron) as NodeJS.ProcessEnv))
}

/**
 * electron-builder with its progress shown as it comes, and its failure held back: a network
 * failure becomes one paragraph (electron-builder would print a stack trace), any other is
 * shown as electron-builder wrote it.
 */
async function builder(args: string[]): Promise<number> {
  const host = { platform: process.platform, arch: process.arch }
  const electron = forThisMachine(args, host) ? await ensure('npm run dist') : null
  const cli = join(dirname(requireFromRoot.resolve('electron-builder/package.json')), 'cli.js')
  const child = spawn(process.execPath, [cli, ...builderArgs(args, electron, host)], {
    cwd: root,
    stdio: ['inherit', 'pipe', 'pipe'],
  })
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => child.kill(signal))
  }
  let held = ''
  let failing = false
  let partial = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n')
    partial = lines.pop() ?? ''
    for (const line of lines) {
      if (!failing && isBuilderFailureLine(line)) failing = true
      if (failing) held += `${line}\n`
      else process.stdout.write(`${line}\n`)
    }
  })
  let stderr = ''
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const code = await exitOf(child)
  held += partial
  if (code === 0) {
    process.stdout.write(held)
    process.stderr.write(stderr)
    return 0
  }
  const failure = held + stderr
  if (isNetworkError(failure)) {
    const version = probe().electron.version
    const message = distNetworkMessage({ ...host, version, reason: networkReason(failure) })
    process.stderr.write(`\n${wrap(message)}\n`)
    return 1
  }
  process.stdout.write(held)
  process.stderr.write(stderr)
  return code
}

async function main(): Promise<number> {
  const [command, ...args] = process.argv.slice(2)
  switch (command) {
    case 'ensure': {
      const electron = await ensure('npm run electron:install')
      process.stdout.write(`${electron.execPath}\n`)
      return 0
    }
    case 'vite':
      return vite(args)
    case 'builder':
      return builder(args)
    default:
      process.stderr.write(
        'Usage: tsx scripts/electron/cli.ts ensure | vite <preview|dev> … | builder …\n',
      )
      return 2
  }
}

process.exitCode = await main()
