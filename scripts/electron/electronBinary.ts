import { dirname, join } from 'node:path'

/**
 * Where the Electron executable comes from, for `npm start`, `npm run dev` and `npm run dist`,
 * as pure functions of the environment and a few file-system probes (tested without Electron or
 * a network). scripts/electron/cli.ts is the thin command around them.
 *
 * Since Electron 45 the npm package downloads no binary at install time: node_modules/electron
 * holds install.js, and `node_modules/electron/path.txt` plus `dist/` appear only once something
 * runs it (`require('electron')` from Node, or `npx install-electron`). electron-vite reads only
 * `ELECTRON_EXEC_PATH` or that path.txt (and fails with a bare "Electron uninstall" otherwise);
 * Electron's own index.js also honours `ELECTRON_OVERRIDE_DIST_PATH`, a folder with an unpacked
 * Electron. So before electron-vite starts, the executable is found here, downloaded when
 * missing, and handed to electron-vite as ELECTRON_EXEC_PATH; electron-builder gets the folder
 * as `electronDist` for a build for this machine.
 */

export interface ElectronPackage {
  /** node_modules/electron */
  dir: string
  /** Its package.json version, e.g. 45.5.0. */
  version: string
}

export interface ElectronProbe {
  env: Readonly<Record<string, string | undefined>>
  platform: string
  arch: string
  electron: ElectronPackage
  isFile(path: string): boolean
  /** A file's text, or null when it cannot be read. */
  readText(path: string): string | null
}

export type ElectronSource = 'ELECTRON_EXEC_PATH' | 'ELECTRON_OVERRIDE_DIST_PATH' | 'node_modules'

export interface LocatedElectron {
  /** The executable, for electron-vite (ELECTRON_EXEC_PATH). */
  execPath: string
  /** The unpacked Electron folder holding it, for electron-builder's electronDist. */
  distDir: string
  source: ElectronSource
  /** A note to print (a version other than the package's); null when none. */
  warning: string | null
}

export type ElectronLookup =
  | { kind: 'found'; electron: LocatedElectron }
  /** Not downloaded yet (or an older download): install.js would fetch it. */
  | { kind: 'missing' }
  /** An override points at nothing: no download is attempted, the user chose a local copy. */
  | {
      kind: 'bad-override'
      variable: 'ELECTRON_EXEC_PATH' | 'ELECTRON_OVERRIDE_DIST_PATH'
      problem: string
    }

/** The executable inside an unpacked Electron, as Electron's install.js names it (path.txt). */
export function executableName(platform: string): string {
  switch (platform) {
    case 'darwin':
    case 'mas':
      return 'Electron.app/Contents/MacOS/Electron'
    case 'win32':
      return 'electron.exe'
    default:
      return 'electron'
  }
}

/** The folder an executable path sits in as an unpacked Electron (the .app's parent on macOS). */
export function distDirOf(execPath: string, platform: string): string {
  const levels = executableName(platform).split('/').length
  let dir = execPath
  for (let i = 0; i < levels; i++) dir = dirname(dir)
  return dir
}

/** Where the Electron executable is: ELECTRON_EXEC_PATH, ELECTRON_OVERRIDE_DIST_PATH, node_modules. */
export function locateElectron(probe: ElectronProbe): ElectronLookup {
  const { env, platform, electron } = probe
  const execOverride = env.ELECTRON_EXEC_PATH?.trim()
  if (execOverride) {
    if (!probe.isFile(execOverride)) {
      return {
        kind: 'bad-override',
        variable: 'ELECTRON_EXEC_PATH',
        problem: `ELECTRON_EXEC_PATH is ${execOverride}, and there is no file there`,
      }
    }
    const distDir = distDirOf(execOverride, platform)
    return {
      kind: 'found',
      electron: {
        execPath: execOverride,
        distDir,
        source: 'ELECTRON_EXEC_PATH',
        warning: versionWarning(probe, distDir, 'ELECTRON_EXEC_PATH'),
      },
    }
  }

  const pathTxt = probe.readText(join(electron.dir, 'path.txt'))?.trim() || null
  const distOverride = env.ELECTRON_OVERRIDE_DIST_PATH?.trim()
  if (distOverride) {
    // As node_modules/electron/index.js does: the override folder plus path.txt's name.
    const execPath = join(distOverride, pathTxt ?? executableName(platform))
    if (!probe.isFile(execPath)) {
      return {
        kind: 'bad-override',
        variable: 'ELECTRON_OVERRIDE_DIST_PATH',
        problem: `ELECTRON_OVERRIDE_DIST_PATH is ${distOverride}, and it holds no ${
          pathTxt ?? executableName(platform)
        }`,
      }
    }
    return {
      kind: 'found',
      electron: {
        execPath,
        distDir: distOverride,
        source: 'ELECTRON_OVERRIDE_DIST_PATH',
        warning: versionWarning(probe, distOverride, 'ELECTRON_OVERRIDE_DIST_PATH'),
      },
    }
  }

  // As install.js's isInstalled(): the right version, for this platform, and the file is there.
  const distDir = join(electron.dir, 'dist')
  const installedVersion = probe.readText(join(distDir, 'version'))?.trim().replace(/^v/, '')
  if (pathTxt === executableName(platform) && installedVersion === electron.version) {
    const execPath = join(distDir, pathTxt)
    if (probe.isFile(execPath)) {
      return {
        kind: 'found',
        electron: { execPath, distDir, source: 'node_modules', warning: null },
      }
    }
  }
  return { kind: 'missing' }
}

function versionWarning(probe: ElectronProbe, distDir: string, variable: string): string | null {
  const found = probe.readText(join(distDir, 'version'))?.trim().replace(/^v/, '')
  if (!found || found === probe.electron.version) return null
  return `Note: ${variable} holds Electron ${found}; Tidings is built and tested with Electron ${probe.electron.version}.`
}

/** The npm command a message is about. */
export type ElectronCommand = string

export interface CannotGetElectron {
  command: ElectronCommand
  version: string
  platform: string
  arch: string
  /** What failed, as one clause: the download's error, or the override that points at nothing. */
  failure: string
  /** The override variable that pointed at nothing, when that is what failed. */
  badOverride?: 'ELECTRON_EXEC_PATH' | 'ELECTRON_OVERRIDE_DIST_PATH'
}

/**
 * The one paragraph printed when Electron cannot be had: what failed, and the two ways out (the
 * network, or a local Electron folder). No stack trace: the failure is the machine's, not the code's.
 */
export function cannotGetElectronMessage(details: CannotGetElectron): string {
  const { command, version, platform, arch, failure, badOverride } = details
  const target = `${platform}-${arch}`
  return (
    `${command} needs Electron ${version}, the runtime the desktop app runs in, and could not get it: ` +
    `${failure}. Two ways out: ${badOverride ? `unset ${badOverride}, ` : ''}connect this machine to the internet (through HTTPS_PROXY if you ` +
    `need one, or with ELECTRON_MIRROR set to a mirror of Electron's releases) and run \`${command}\` ` +
    `again, which downloads Electron once into node_modules/electron/dist; or use an Electron you ` +
    `already have: unpack electron-v${version}-${target}.zip into a folder and run ` +
    `\`ELECTRON_OVERRIDE_DIST_PATH=/path/to/that/folder ${command}\` (or set ELECTRON_EXEC_PATH to ` +
    `the ${executableName(platform)} executable itself).`
  )
}

/** The failure clause for a download that did not work. */
export function downloadFailure(
  version: string,
  platform: string,
  arch: string,
  reason: string,
): string {
  return `it is not installed yet (Electron's npm package no longer downloads it during \`npm ci\`), and downloading it for ${platform}-${arch} failed (${reason})`
}

/** One line for an error: its message and, for fetch's "fetch failed", the cause's. */
export function errorReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const cause = (error as { cause?: unknown }).cause
  const first = (text: string) => text.split('\n')[0]?.trim() ?? ''
  const own = first(error.message)
  if (cause instanceof Error && cause.message && !own.includes(cause.message)) {
    return `${own}: ${first(cause.message)}`
  }
  return own
}

const NETWORK_ERROR =
  /\b(getaddrinfo|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|ERR_SOCKET_CONNECTION_TIMEOUT|UND_ERR_CONNECT_TIMEOUT|fetch failed|socket hang up|self[- ]signed certificate|unable to get local issuer certificate)\b/i

/** Whether an error text says the network was the problem. */
export function isNetworkError(text: string): boolean {
  return NETWORK_ERROR.test(text)
}

/** The line of an error text naming the network problem, without the stack under it. */
export function networkReason(text: string): string {
  const line = text.split('\n').find((l) => NETWORK_ERROR.test(l)) ?? text.split('\n')[0] ?? ''
  const cleaned = line
    .replace(/^\s*⨯\s*/, '')
    .replace(/\s+failedTask=.*$/, '')
    .replace(/^\s*(RequestError|Error|TypeError):\s*/, '')
    .trim()
  return cleaned
}

/**
 * `npm run dist` offline: electron-builder downloads Electron's zip for each target (unless
 * given electronDist) and, on first use, the tools of some installers (AppImage's runtime, fpm
 * for deb, NSIS), and keeps them in its cache.
 */
export function distNetworkMessage(details: {
  version: string
  platform: string
  arch: string
  reason: string
}): string {
  const { version, platform, arch, reason } = details
  return (
    `npm run dist could not build the installers: electron-builder had to download something ` +
    `(Electron ${version}'s zip, or a packaging tool such as AppImage's runtime, fpm for deb or ` +
    `NSIS, which it fetches on first use and keeps in ~/.cache/electron-builder) and the network ` +
    `failed (${reason}). Two ways out: connect this machine to the internet (through HTTPS_PROXY ` +
    `if you need one) and run \`npm run dist\` again; or build from a local Electron: unpack ` +
    `electron-v${version}-${platform}-${arch}.zip into a folder and run ` +
    `\`ELECTRON_OVERRIDE_DIST_PATH=/path/to/that/folder npm run dist -- --${builderPlatformFlag(platform)} dir\`, ` +
    `an unpacked app that needs no other download (the installers need their tools once).`
  )
}

function builderPlatformFlag(platform: string): string {
  return platform === 'darwin' ? 'mac' : platform === 'win32' ? 'win' : 'linux'
}

const CROSS_BUILD_FLAGS = new Set([
  '--mac',
  '-m',
  '--macos',
  '--win',
  '-w',
  '--windows',
  '--linux',
  '-l',
  '--x64',
  '--ia32',
  '--armv7l',
  '--arm64',
  '--universal',
])

/**
 * electron-builder's arguments for `npm run dist`: a build for this machine (no platform or
 * architecture named, or only this one's) packs the Electron found here (`electronDist`), so it
 * needs no download of Electron; a build naming others lets electron-builder download theirs.
 */
export function builderArgs(
  args: readonly string[],
  electron: LocatedElectron | null,
  host: { platform: string; arch: string },
): string[] {
  if (
    electron === null ||
    args.some((a) => a.startsWith('-c.electronDist') || a.startsWith('--config.electronDist'))
  ) {
    return [...args]
  }
  return forThisMachine(args, host) ? [...args, `-c.electronDist=${electron.distDir}`] : [...args]
}

/** Whether electron-builder's arguments build only for this platform and architecture. */
export function forThisMachine(
  args: readonly string[],
  host: { platform: string; arch: string },
): boolean {
  const own = new Set([
    ...(host.platform === 'darwin' ? ['--mac', '-m', '--macos'] : []),
    ...(host.platform === 'win32' ? ['--win', '-w', '--windows'] : []),
    ...(host.platform === 'linux' ? ['--linux', '-l'] : []),
    `--${host.arch}`,
  ])
  return args.filter((a) => CROSS_BUILD_FLAGS.has(a)).every((a) => own.has(a))
}

/**
 * electron-builder writes its progress to stdout, then on failure a "⨯ <message>" line followed by
 * the stack trace. This splits a run's output at that line: what comes before is progress, shown
 * as it comes; from it on, it is held back until the exit says whether it is a network failure
 * (one paragraph instead) or another error (shown as it was).
 */
export function isBuilderFailureLine(line: string): boolean {
  return /^\s*⨯\s/.test(line)
}

/** Environment for electron-vite: the executable it would otherwise look for in path.txt. */
export function electronViteEnv(
  env: Readonly<Record<string, string | undefined>>,
  electron: LocatedElectron,
): Record<string, string | undefined> {
  return { ...env, ELECTRON_EXEC_PATH: electron.execPath }
}

/** Wraps a paragraph at `width` columns for the terminal. */
export function wrap(text: string, width = 100): string {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else {
      line = line ? `${line} ${word}` : word
    }
  }
  if (line) lines.push(line)
  return lines.join('\n')
}
