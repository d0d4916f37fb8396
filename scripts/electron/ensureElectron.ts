import {
  cannotGetElectronMessage,
  downloadFailure,
  errorReason,
  locateElectron,
  type ElectronCommand,
  type ElectronProbe,
  type LocatedElectron,
} from './electronBinary'

export interface DownloadProgress {
  transferred: number
  /** Bytes in all; null when the server does not say. */
  total: number | null
}

export interface EnsureElectronDeps {
  /** The machine as it is now (probed again after a download). */
  probe(): ElectronProbe
  /** Downloads and unpacks Electron into node_modules/electron (install.js); rejects on failure. */
  download(onProgress: (progress: DownloadProgress) => void): Promise<void>
  /** A line for the user (stderr). */
  log(line: string): void
  /** The download's progress line, rewritten in place on a terminal. */
  progress(line: string): void
}

export type EnsureOutcome =
  | { ok: true; electron: LocatedElectron; downloaded: boolean }
  | { ok: false; message: string; exitCode: 1 }

/**
 * Makes sure the Electron executable is there for `command`: an override when one is set (and
 * it must point at something: an explicit local copy is never replaced by a download), else the
 * one in node_modules/electron/dist, downloaded first when missing, with a progress line. When it
 * cannot be had, the outcome is the one paragraph to print and the exit code.
 */
export async function ensureElectron(
  command: ElectronCommand,
  deps: EnsureElectronDeps,
): Promise<EnsureOutcome> {
  const probe = deps.probe()
  const { version } = probe.electron
  const first = locateElectron(probe)
  const fail = (
    failure: string,
    badOverride?: 'ELECTRON_EXEC_PATH' | 'ELECTRON_OVERRIDE_DIST_PATH',
  ): EnsureOutcome => ({
    ok: false,
    exitCode: 1,
    message: cannotGetElectronMessage({
      command,
      version,
      platform: probe.platform,
      arch: probe.arch,
      failure,
      ...(badOverride ? { badOverride } : {}),
    }),
  })

  if (first.kind === 'found') {
    if (first.electron.warning) deps.log(first.electron.warning)
    return { ok: true, electron: first.electron, downloaded: false }
  }
  if (first.kind === 'bad-override') return fail(first.problem, first.variable)

  deps.log(
    `Electron ${version} is not in node_modules/electron yet: downloading it for ` +
      `${probe.platform}-${probe.arch} (once).`,
  )
  try {
    await deps.download((progress) => deps.progress(formatProgress(version, progress)))
  } catch (error) {
    return fail(downloadFailure(version, probe.platform, probe.arch, errorReason(error)))
  }
  const after = locateElectron(deps.probe())
  if (after.kind !== 'found') {
    return fail(
      downloadFailure(
        version,
        probe.platform,
        probe.arch,
        'the download finished but node_modules/electron/dist still has no executable',
      ),
    )
  }
  deps.log(`Electron ${version} is installed: ${after.electron.execPath}`)
  return { ok: true, electron: after.electron, downloaded: true }
}

const MB = 1024 * 1024

/** "Downloading Electron 45.5.0: 42% (44 of 105 MB)", or the megabytes alone without a total. */
export function formatProgress(version: string, { transferred, total }: DownloadProgress): string {
  const done = Math.floor(transferred / MB)
  if (total === null || total <= 0) return `Downloading Electron ${version}: ${done} MB`
  const percent = Math.min(100, Math.floor((transferred / total) * 100))
  return `Downloading Electron ${version}: ${percent}% (${done} of ${Math.ceil(total / MB)} MB)`
}
