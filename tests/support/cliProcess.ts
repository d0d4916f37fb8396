import { spawn } from 'node:child_process'
import path from 'node:path'
import { SERVER_NODE_FLAGS } from '../../server/runtimeFlags'

const ROOT = path.resolve(import.meta.dirname, '../..')
const CLI = path.join(ROOT, 'server/cli.ts')

/** How a run of the server's CLI ended: its exit code and everything it printed. */
export interface CliRun {
  code: number | null
  output: string
}

/**
 * Runs `npm run server -- <args>` as the script does (this Node, tsx's loader) to its end, for
 * the commands that end by themselves (backup, restore, --help). Rejects after `timeoutMs`.
 */
export function runCliToEnd(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 120_000,
): Promise<CliRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`server ${args.join(' ')} did not end within ${timeoutMs} ms:\n${output}`))
    }, timeoutMs)
    child.once('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })
}

/** A server started by the CLI in a process of its own (to measure that process alone). */
export interface CliServer {
  url: string
  pid: number
  output(): string
  /** SIGTERM, and the exit. */
  stop(): Promise<void>
}

/** Starts `npm run server -- <args>` (with the server's Node flags) and waits until it listens. */
export function startCliServer(args: string[], timeoutMs = 120_000): Promise<CliServer> {
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, '--import', 'tsx', CLI, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`The server did not listen within ${timeoutMs} ms:\n${output}`))
    }, timeoutMs)
    const onData = (chunk: string) => {
      output += chunk
      const match = /listening on (http:\/\/\S+)/.exec(output)
      if (!match) return
      clearTimeout(timer)
      resolve({
        url: match[1]!,
        pid: child.pid!,
        output: () => output,
        stop: async () => {
          if (child.exitCode === null) child.kill('SIGTERM')
          await exited
        },
      })
    }
    child.stdout.setEncoding('utf8').on('data', onData)
    child.stderr.setEncoding('utf8').on('data', onData)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`The server exited (${code}) before listening:\n${output}`))
    })
  })
}
