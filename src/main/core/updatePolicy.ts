import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { UpdatePolicy } from './updates'

/**
 * Whether Tidings updates itself on this machine. An administrator's word wins over the user's:
 *
 * - `TIDINGS_AUTO_UPDATE=0` (or false, off, no) in the app's environment, or
 * - a machine-wide policy file `{"auto_update": false}`, which installers and users do not
 *   touch: `/etc/tidings/policy.json` on Linux, `/Library/Application Support/Tidings/policy.json`
 *   on macOS, `%ProgramData%\Tidings\policy.json` on Windows;
 * - otherwise the user's setting (on unless they turn it off);
 * - and never where the updater cannot replace the app (a development run, or no updater).
 */

export const AUTO_UPDATE_ENV = 'TIDINGS_AUTO_UPDATE'

export function adminPolicyPath(
  platform: string,
  env: Readonly<Record<string, string | undefined>>,
): string {
  switch (platform) {
    case 'win32':
      return join(env.ProgramData ?? env.PROGRAMDATA ?? 'C:\\ProgramData', 'Tidings', 'policy.json')
    case 'darwin':
      return '/Library/Application Support/Tidings/policy.json'
    default:
      return '/etc/tidings/policy.json'
  }
}

export interface AdminPolicy {
  /** False when an administrator turned updates off; null when they said nothing. */
  autoUpdate: boolean | null
  /** Why a policy file was not used (unreadable JSON, a wrong type), for the log. */
  problem: string | null
}

/** The administrator's word from the environment and the policy file's text (null: no file). */
export function adminPolicy(
  env: Readonly<Record<string, string | undefined>>,
  policyFileText: string | null,
): AdminPolicy {
  const fromEnv = env[AUTO_UPDATE_ENV]?.trim().toLowerCase()
  if (fromEnv && ['0', 'false', 'off', 'no'].includes(fromEnv)) {
    return { autoUpdate: false, problem: null }
  }
  if (policyFileText === null) return { autoUpdate: null, problem: null }
  let parsed: unknown
  try {
    parsed = JSON.parse(policyFileText)
  } catch {
    return { autoUpdate: null, problem: 'the policy file is not valid JSON' }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { autoUpdate: null, problem: 'the policy file is not a JSON object' }
  }
  const value = (parsed as Record<string, unknown>).auto_update
  if (value === undefined) return { autoUpdate: null, problem: null }
  if (typeof value !== 'boolean') {
    return { autoUpdate: null, problem: 'auto_update in the policy file is not true or false' }
  }
  return { autoUpdate: value, problem: null }
}

export function resolveUpdatePolicy(inputs: {
  admin: AdminPolicy
  /** The user's setting: true unless they turned updates off. */
  userEnabled: boolean
  /** The updater can replace this copy of the app (packaged, with electron-updater). */
  supported: boolean
}): UpdatePolicy {
  if (inputs.admin.autoUpdate === false) return { enabled: false, reason: 'admin' }
  if (!inputs.supported) return { enabled: false, reason: 'unsupported' }
  if (!inputs.userEnabled) return { enabled: false, reason: 'user' }
  return { enabled: true }
}

/**
 * Whether electron-updater can replace this copy: a packaged app on Windows (NSIS) or macOS, and
 * on Linux an AppImage (APPIMAGE is set when it runs) or a deb or rpm package (electron-builder
 * writes resources/package-type into those); not a plain unpacked folder or a development run.
 * A feed URL given for testing (TIDINGS_UPDATE_FEED_URL) makes any copy check and download.
 */
export function updaterSupported(inputs: {
  isPackaged: boolean
  platform: string
  env: Readonly<Record<string, string | undefined>>
  resourcesPath: string
  exists(path: string): boolean
}): boolean {
  if (inputs.env.TIDINGS_UPDATE_FEED_URL) return true
  if (!inputs.isPackaged) return false
  if (inputs.platform !== 'linux')
    return inputs.platform === 'win32' || inputs.platform === 'darwin'
  return Boolean(inputs.env.APPIMAGE) || inputs.exists(join(inputs.resourcesPath, 'package-type'))
}

/** The policy file's text, or null when there is none (or it cannot be read). */
export function readPolicyFile(path: string, read = readFileSync): string | null {
  try {
    return read(path, 'utf8')
  } catch {
    return null
  }
}
