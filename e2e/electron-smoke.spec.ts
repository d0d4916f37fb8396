import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { _electron as electron, chromium, expect, test, type Page } from '@playwright/test'
import { locateElectron } from '../scripts/electron/electronBinary'
import { machineProbe } from '../scripts/electron/machineProbe'

// Launches the desktop app in a real Electron and checks the first window. The Electron found is
// the one `npm start` uses (scripts/electron/electronBinary.ts): ELECTRON_EXEC_PATH,
// ELECTRON_OVERRIDE_DIST_PATH or node_modules/electron/dist (`npm run electron:install` fetches
// it). Without one the tests are reported as skipped, never as passed; with
// TIDINGS_REQUIRE_ELECTRON=1 (CI) a missing Electron fails instead.
//
// What is launched:
// - by default the built project (npm run build → out/);
// - TIDINGS_SMOKE_APP=<…/resources/app.asar>: the app as electron-builder packed it, on the same
//   Electron (the release workflow points it at dist/linux-unpacked);
// - TIDINGS_SMOKE_PACKAGED=<the packaged executable>: that executable itself, fuses and all.
//   Playwright's _electron needs Node's --inspect, which the packaged app's fuses switch off, so
//   this one is driven over Chromium's DevTools protocol (--remote-debugging-port) instead.

const root = resolve(import.meta.dirname, '..')

function electronExecutable(): string | null {
  try {
    const found = locateElectron(machineProbe(root))
    return found.kind === 'found' ? found.electron.execPath : null
  } catch {
    // No electron package at all.
    return null
  }
}

const executablePath = electronExecutable()
const required = process.env.TIDINGS_REQUIRE_ELECTRON === '1'
const SKIP_REASON =
  'Electron binary not available: run `npm run electron:install`, or set ELECTRON_OVERRIDE_DIST_PATH ' +
  'or ELECTRON_EXEC_PATH, to run this smoke test'
if (executablePath === null && !required) console.warn(`[electron-smoke] SKIPPED. ${SKIP_REASON}`)

const appPath = process.env.TIDINGS_SMOKE_APP ? resolve(process.env.TIDINGS_SMOKE_APP) : root
const packagedExecutable = process.env.TIDINGS_SMOKE_PACKAGED
  ? resolve(process.env.TIDINGS_SMOKE_PACKAGED)
  : null

/** What every launch must show: the Tidings window, from app://, isolated, with the first-run form. */
async function expectFirstRunWindow(window: Page): Promise<void> {
  await window.waitForLoadState('domcontentloaded')
  await expect(window).toHaveTitle('Tidings')
  // The built page comes from the app's own scheme, never from file://.
  expect(window.url()).toBe('app://tidings/index.html')
  const form = window.getByTestId('login-form')
  await expect(form).toBeVisible()
  await expect(form).toHaveAttribute('data-mode', 'first_account')
  const isolated = await window.evaluate(
    () => typeof (globalThis as { require?: unknown }).require === 'undefined',
  )
  expect(isolated).toBe(true)
}

test.describe('Electron desktop app', () => {
  test.skip(executablePath === null && !required, SKIP_REASON)

  test('opens the Tidings window with the first-run form', async () => {
    expect(executablePath, SKIP_REASON).not.toBeNull()
    if (appPath === root) {
      expect(existsSync(join(root, 'out/main/index.js')), 'run `npm run build` first').toBe(true)
    } else {
      expect(existsSync(appPath), `no packed app at ${appPath}`).toBe(true)
    }
    const userData = await mkdtemp(join(tmpdir(), 'tidings-electron-'))
    const app = await electron.launch({
      executablePath: executablePath ?? undefined,
      args: [appPath, ...(process.platform === 'linux' ? ['--no-sandbox'] : [])],
      cwd: root,
      env: { ...process.env, TIDINGS_USER_DATA_DIR: userData, ELECTRON_ENABLE_LOGGING: '1' },
      timeout: 60_000,
    })
    try {
      await expectFirstRunWindow(await app.firstWindow())
    } finally {
      await app.close()
      await rm(userData, { recursive: true, force: true })
    }
  })
})

test.describe('Packaged executable', () => {
  test.skip(packagedExecutable === null, 'TIDINGS_SMOKE_PACKAGED is not set (release builds only)')

  test('starts with its fuses and shows the first-run form', async () => {
    expect(existsSync(packagedExecutable!), `no executable at ${packagedExecutable}`).toBe(true)
    const userData = await mkdtemp(join(tmpdir(), 'tidings-packaged-'))
    let child: ChildProcess | null = null
    try {
      child = spawn(
        packagedExecutable!,
        [...(process.platform === 'linux' ? ['--no-sandbox'] : []), '--remote-debugging-port=0'],
        {
          env: { ...process.env, TIDINGS_USER_DATA_DIR: userData },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      )
      const endpoint = await devToolsEndpoint(child, 60_000)
      const browser = await chromium.connectOverCDP(endpoint)
      try {
        const context = browser.contexts()[0]!
        const window =
          context.pages().find((page) => page.url().startsWith('app://tidings/')) ??
          (await context.waitForEvent('page', { timeout: 60_000 }))
        await expectFirstRunWindow(window)
      } finally {
        await browser.close()
      }
    } finally {
      child?.kill()
      await rm(userData, { recursive: true, force: true })
    }
  })
})

/** Chromium prints "DevTools listening on ws://…" on stderr once --remote-debugging-port is open. */
function devToolsEndpoint(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    let output = ''
    const timer = setTimeout(
      () => reject(new Error(`No DevTools endpoint within ${timeoutMs} ms. Output:\n${output}`)),
      timeoutMs,
    )
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(output)
      if (match) {
        clearTimeout(timer)
        resolvePromise(match[1]!)
      }
    }
    child.stderr?.on('data', onData)
    child.stdout?.on('data', onData)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(
        new Error(`The packaged app exited (code ${code}) before opening DevTools:\n${output}`),
      )
    })
  })
}
