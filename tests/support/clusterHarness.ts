import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { promisify } from 'node:util'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { TEST_SECRET_KEY } from './testDatabase'

const ROOT = path.resolve(import.meta.dirname, '../..')
const CLI = path.join(ROOT, 'server/cli.ts')

/** Timings short enough for tests: grace, lease and poll within a second or two. */
export const CLUSTER_TEST_ENV = {
  TIDINGS_PRESENCE_GRACE_MS: '1500',
  TIDINGS_CLUSTER_POLL_MS: '100',
  TIDINGS_CLUSTER_HEARTBEAT_MS: '200',
  TIDINGS_CLUSTER_LEASE_MS: '1000',
  TIDINGS_CLUSTER_POOL_SIZE: '6',
  // Every registration and login comes from 127.0.0.1: only the limit per address and username
  // (which the cluster test tries across nodes) stays.
  TIDINGS_AUTH_ATTEMPTS_PER_ADDRESS: '100000',
  TIDINGS_LOGIN_ATTEMPTS_PER_USERNAME: '100000',
  // The test mail servers (tests/cluster/mail.test.ts) listen on 127.0.0.1.
  TIDINGS_ALLOW_PRIVATE_MAIL_HOSTS: '1',
}

/**
 * A private PostgreSQL for one test file (scripts/postgres/start.sh), so that the file may
 * restart it without disturbing others: its URL, a database made for the file, and restart.
 */
export interface TestPostgres {
  /** The file's database. */
  url: string
  /** Stops the server (fast shutdown: open connections are ended) and starts it again. */
  restart(): Promise<void>
  /** Runs SQL on the file's database as the superuser. */
  query<T extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<T[]>
  stop(): Promise<void>
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidings-cluster-pg-'))
  const start = (env: NodeJS.ProcessEnv = {}) =>
    execFileSync(path.join(ROOT, 'scripts/postgres/start.sh'), [workdir], {
      encoding: 'utf8',
      env: { ...process.env, ...env },
    }).trim()
  const serverUrl = start()
  const port = fs.readFileSync(path.join(workdir, 'port'), 'utf8').trim()
  const admin = new pg.Client({ connectionString: serverUrl })
  await admin.connect()
  await admin.query('create database cluster_test')
  await admin.end()
  const url = new URL(serverUrl)
  url.pathname = '/cluster_test'
  const query = async <T extends pg.QueryResultRow>(sql: string, params: unknown[] = []) => {
    const client = new pg.Client({ connectionString: url.toString() })
    await client.connect()
    try {
      return (await client.query<T>(sql, params)).rows
    } finally {
      await client.end()
    }
  }
  return {
    url: url.toString(),
    query,
    async restart() {
      const run = promisify(execFile)
      await run(path.join(ROOT, 'scripts/postgres/stop.sh'), [workdir])
      await run(path.join(ROOT, 'scripts/postgres/start.sh'), [workdir], {
        env: { ...process.env, PG_PORT: port },
      })
    },
    async stop() {
      execFileSync(path.join(ROOT, 'scripts/postgres/stop.sh'), [workdir, '--clean'])
    },
  }
}

/** A server node: `npm run server` as a child process of its own, so that SIGKILL is real. */
export interface ClusterNode {
  url: string
  port: number
  child: ChildProcess
  output(): string
  /** Resolves when the process exited. */
  readonly exited: Promise<void>
  /** Sends SIGKILL and waits for the exit. */
  kill(): Promise<void>
  /** Sends SIGTERM and waits for the exit (a clean shutdown). */
  stop(): Promise<void>
}

/** Starts a node on `databaseUrl` (port 0) and resolves once it listens. */
export async function startNode(
  databaseUrl: string,
  env: NodeJS.ProcessEnv = {},
): Promise<ClusterNode> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidings-node-'))
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CLI, '--port', '0', '--data-dir', dataDir, '--log-level', 'warn'],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        ...CLUSTER_TEST_ENV,
        TIDINGS_DATABASE_URL: databaseUrl,
        TIDINGS_SECRET_KEY: TEST_SECRET_KEY,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let output = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  let stopping = false
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      fs.rmSync(dataDir, { recursive: true, force: true })
      // A node that ended on its own: what it said is the only clue.
      if (!stopping) {
        console.error(`node exited by itself (${code ?? signal}):\n${output.slice(-4000)}`)
      }
      resolve()
    }),
  )
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`The node did not start within 60 s:\n${output}`)),
      60_000,
    )
    const check = () => {
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output)
      if (!match) return
      clearTimeout(timer)
      child.stdout!.off('data', check)
      resolve(Number(match[1]))
    }
    child.stdout!.on('data', check)
    void exited.then(() => {
      clearTimeout(timer)
      reject(new Error(`The node exited before it listened:\n${output}`))
    })
  })
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    child,
    output: () => output,
    exited,
    async kill() {
      stopping = true
      child.kill('SIGKILL')
      await exited
    },
    async stop() {
      stopping = true
      child.kill('SIGTERM')
      await exited
    },
  }
}

/** HAProxy with the project's own deploy/haproxy.cfg, in front of three nodes. */
export interface TestLoadBalancer {
  url: string
  stop(): Promise<void>
}

export async function startLoadBalancer(nodes: readonly ClusterNode[]): Promise<TestLoadBalancer> {
  const port = await freePort()
  const child = spawn('haproxy', ['-db', '-f', path.join(ROOT, 'deploy/haproxy.cfg')], {
    env: {
      ...process.env,
      TIDINGS_LISTEN: `127.0.0.1:${port}`,
      TIDINGS_NODE1: `127.0.0.1:${nodes[0]!.port}`,
      TIDINGS_NODE2: `127.0.0.1:${nodes[1]!.port}`,
      TIDINGS_NODE3: `127.0.0.1:${nodes[2]!.port}`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const url = `http://127.0.0.1:${port}`
  // Ready once it answers through to a node.
  const deadline = Date.now() + 20_000
  for (;;) {
    try {
      if ((await fetch(`${url}/healthz`)).status === 200) break
    } catch {
      // Not listening yet.
    }
    if (child.exitCode !== null) throw new Error(`haproxy exited:\n${output}`)
    if (Date.now() > deadline) throw new Error(`haproxy did not answer:\n${output}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return {
    url,
    async stop() {
      child.kill('SIGTERM')
      await exited
    },
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}
