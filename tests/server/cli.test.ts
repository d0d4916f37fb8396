import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs/promises'
import net from 'node:net'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import {
  createConversation,
  registerAdmin,
  registerMember,
  type TestAccount,
} from '../support/accounts'
import { RestClient } from '../support/restClient'
import { makeDataDir } from '../support/serverHarness'
import { onPostgres } from '../support/testDatabase'

const ROOT = path.resolve(import.meta.dirname, '../..')
const CLI = path.join(ROOT, 'server/cli.ts')

interface Cli {
  child: ChildProcess
  output: () => string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/** Runs the CLI with this Node (through tsx's loader, so signals reach the server itself). */
function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Cli {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  )
  return { child, output: () => output, exited }
}

/** Resolves with the first match of `pattern` in the output, or rejects on exit or timeout. */
function waitForOutput(cli: Cli, pattern: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = pattern.exec(cli.output())
      if (match) {
        done()
        resolve(match)
      }
    }
    const timer = setTimeout(() => {
      done()
      reject(new Error(`No ${pattern} within ${timeoutMs} ms. Output:\n${cli.output()}`))
    }, timeoutMs)
    const onExit = () => {
      done()
      reject(new Error(`The CLI exited before printing ${pattern}. Output:\n${cli.output()}`))
    }
    const done = () => {
      clearTimeout(timer)
      cli.child.stdout!.off('data', check)
      cli.child.stderr!.off('data', check)
      cli.child.off('exit', onExit)
    }
    cli.child.stdout!.on('data', check)
    cli.child.stderr!.on('data', check)
    cli.child.once('exit', onExit)
    check()
  })
}

/** 1/1024 MiB: an upload limit of 1,024 bytes. */
const KIB = '0.0009765625'

/** Checks that the server at `url` takes an upload of 1,024 bytes and refuses one of 1,025. */
async function expectUploadLimitOfOneKib(url: string, admin: TestAccount): Promise<void> {
  const conversation = await createConversation(admin, [await registerMember(admin, 'bob')])
  const upload = (size: number) =>
    fetch(`${url}/conversations/${conversation.id}/attachments?name=a.bin`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'text/plain' },
      body: new Uint8Array(size),
    })
  const fits = await upload(1024)
  expect(fits.status).toBe(201)
  const tooLarge = await upload(1025)
  expect(tooLarge.status).toBe(413)
  expect(await tooLarge.json()).toMatchObject({
    error: { code: 'payload_too_large', message: expect.stringContaining('1024 bytes') },
  })
}

const children: ChildProcess[] = []
const dirs: string[] = []

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
  await Promise.all(dirs.splice(0).map((dir) => fs.rm(dir, { recursive: true, force: true })))
})

// Each case starts Node + tsx (a few seconds of CPU on a busy machine): allow a generous timeout.
// The CLI runs on SQLite data folders here whatever TIDINGS_TEST_DATABASE says, so the PostgreSQL
// pass would only run the same cases again (a sixth of its CPU). The CLI's PostgreSQL start
// (TIDINGS_DATABASE_URL) is the cluster tests': clusterHarness starts every node with it.
describe.skipIf(onPostgres)('server CLI', { timeout: 90_000 }, () => {
  it('prints the bound URL for --port 0, serves, holds uploads to --attachment-max-mb over TIDINGS_ATTACHMENT_MAX_MB, and stops cleanly on SIGTERM', async () => {
    const dataDir = await makeDataDir('tidings-cli-')
    dirs.push(dataDir)
    // The flag's 1/1024 MiB (1,024 bytes) wins over the environment's 1 MiB.
    const cli = runCli(
      ['--port', '0', '--data-dir', dataDir, '--log-level', 'warn', '--attachment-max-mb', KIB],
      { TIDINGS_ATTACHMENT_MAX_MB: '1' },
    )
    children.push(cli.child)
    const [, url] = await waitForOutput(cli, /listening on (http:\/\/127\.0\.0\.1:(\d+))/)
    expect(url).not.toMatch(/:0$/)
    expect(cli.output()).toContain(dataDir)

    const health = await new RestClient(url!).get<{ ok: boolean }>('/healthz')
    expect(health.status).toBe(200)
    expect(health.data.ok).toBe(true)
    await fs.access(path.join(dataDir, 'tidings.db'))

    const admin = await registerAdmin(url!)
    await expectUploadLimitOfOneKib(url!, admin)
    const socket = await admin.connect()

    cli.child.kill('SIGTERM')
    expect((await socket.waitForClose(30_000)).code).toBe(1001)
    expect(await cli.exited).toEqual({ code: 0, signal: null })
    expect(cli.output()).toMatch(/SIGTERM: shutting down/)
  })

  it('prints help and exits 0; rejects an invalid port with exit code 2', async () => {
    const help = runCli(['--help'])
    const bad = runCli(['--port', 'eighty'])
    children.push(help.child, bad.child)
    expect((await help.exited).code).toBe(0)
    expect(help.output()).toMatch(/--port <n>/)
    expect((await bad.exited).code).toBe(2)
    expect(bad.output()).toMatch(/Invalid port: eighty/)
  })

  it('refuses bad usage with exit code 2 and the help, never a stack trace', async () => {
    const cases: [string[], RegExp][] = [
      [['--prot', '8000'], /Unknown option '--prot'/],
      [['--port', '99999'], /Invalid port: 99999/],
      [['--port', '1.5'], /Invalid port: 1\.5/],
      [['--log-level', 'verbose'], /Invalid log level: verbose/],
      [['--attachment-max-mb', '0'], /Invalid attachment size limit: 0/],
    ]
    const runs = cases.map(([args]) => runCli(args))
    children.push(...runs.map((run) => run.child))
    for (const [index, run] of runs.entries()) {
      expect((await run.exited).code).toBe(2)
      expect(run.output()).toMatch(cases[index]![1])
      expect(run.output()).toMatch(/Usage: npm run server/)
      expect(run.output()).not.toMatch(/^\s+at /m)
    }
  })

  it('says in one line why it could not start: a port in use, a data folder it cannot make, a lost database', async () => {
    const taken = net.createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    const port = (taken.address() as net.AddressInfo).port
    const dataDir = await makeDataDir('tidings-cli-busy-')
    const lostDir = await makeDataDir('tidings-cli-lost-')
    dirs.push(dataDir, lostDir)
    const file = path.join(dataDir, 'a-file')
    await fs.writeFile(file, '')
    // The key of an earlier server, without its database.
    await fs.writeFile(path.join(lostDir, 'secret.key'), Buffer.alloc(32, 1).toString('base64'))
    const busy = runCli(['--port', String(port), '--data-dir', dataDir])
    const unusable = runCli(['--port', '0', '--data-dir', path.join(file, 'data')])
    const lost = runCli(['--port', '0', '--data-dir', lostDir])
    children.push(busy.child, unusable.child, lost.child)
    try {
      expect((await lost.exited).code).toBe(1)
      expect(lost.output().trim()).toMatch(
        /^Tidings server could not start: \S+tidings\.db is missing, .* start with --init .*$/,
      )
      expect((await busy.exited).code).toBe(1)
      expect(busy.output()).toContain(
        `could not start: port ${port} on 127.0.0.1 is already in use`,
      )
      expect((await unusable.exited).code).toBe(1)
      expect(unusable.output()).toMatch(/could not start: .*a-file/)
      for (const run of [busy, unusable, lost]) expect(run.output()).not.toMatch(/^\s+at /m)
    } finally {
      taken.close()
    }
  })

  it('reads its settings from the environment, the upload limit (TIDINGS_ATTACHMENT_MAX_MB) included', async () => {
    const dataDir = await makeDataDir('tidings-cli-env-')
    dirs.push(dataDir)
    const cli = runCli([], {
      TIDINGS_PORT: '0',
      TIDINGS_DATA_DIR: dataDir,
      TIDINGS_OPEN_REGISTRATION: '1',
      TIDINGS_LOG_LEVEL: 'warn',
      TIDINGS_ATTACHMENT_MAX_MB: KIB,
    })
    children.push(cli.child)
    const [, url] = await waitForOutput(cli, /listening on (http:\/\/\S+) /)
    const status = await new RestClient(url!).get('/auth/status')
    expect(status.data).toEqual({ needs_first_account: true, open_registration: true })
    await expectUploadLimitOfOneKib(url!, await registerAdmin(url!))
    cli.child.kill('SIGINT')
    expect((await cli.exited).code).toBe(0)
  })
})
