import { readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { ElectronProbe } from './electronBinary'

/**
 * This machine as electronBinary.ts looks at it: the environment, the platform and architecture
 * Electron's install.js would download for, the installed electron package, and the real files.
 * Shared by scripts/electron/cli.ts and the Playwright smoke test, so both find the same Electron.
 */
export function machineProbe(
  projectRoot: string,
  env: NodeJS.ProcessEnv = process.env,
): ElectronProbe {
  const dir = dirname(
    createRequire(join(projectRoot, 'package.json')).resolve('electron/package.json'),
  )
  const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    version: string
  }
  return {
    env,
    // As Electron's install.js chooses what to download and what path.txt says.
    platform: env.ELECTRON_INSTALL_PLATFORM || env.npm_config_platform || process.platform,
    arch: env.ELECTRON_INSTALL_ARCH || env.npm_config_arch || process.arch,
    electron: { dir, version },
    isFile: (path) => {
      try {
        return statSync(path).isFile()
      } catch {
        return false
      }
    },
    readText: (path) => {
      try {
        return readFileSync(path, 'utf8')
      } catch {
        return null
      }
    },
  }
}
