import { utilityProcess } from 'electron'
import type { UtilityProcess } from 'electron'
import { SERVER_NODE_FLAGS } from '../../../server/runtimeFlags'
import { isServerChildMessage } from './serverChild'

/**
 * Runs the bundled events server in an Electron utility process (a Node child without the
 * renderer's privileges), waits until it reports its port, and stops it cleanly on quit.
 */

export interface RunningServer {
  port: number
  url: string
}

export interface ServerSupervisorOptions {
  /** The built entry (out/main/serverProcess.js); see resolveServerEntry in paths.ts. */
  entryPath: string
  /** Folder for the server's SQLite database (userData/server). */
  dataDir: string
  readyTimeoutMs?: number
  stopTimeoutMs?: number
  /** Called when the server exits on its own after it was ready (crash). */
  onUnexpectedExit?: (code: number) => void
  /** Injected for tests; defaults to Electron's utilityProcess.fork. */
  fork?: (modulePath: string, args: string[], options: Electron.ForkOptions) => UtilityProcess
}

export interface ServerSupervisor {
  start(): Promise<RunningServer>
  stop(): Promise<void>
  readonly running: RunningServer | null
}

export function createServerSupervisor(options: ServerSupervisorOptions): ServerSupervisor {
  const readyTimeoutMs = options.readyTimeoutMs ?? 15_000
  const stopTimeoutMs = options.stopTimeoutMs ?? 5_000
  const fork = options.fork ?? ((path, args, opts) => utilityProcess.fork(path, args, opts))
  let child: UtilityProcess | null = null
  let running: RunningServer | null = null
  let stopping = false

  function start(): Promise<RunningServer> {
    if (child) return Promise.reject(new Error('The bundled server is already started'))
    stopping = false
    const proc = fork(options.entryPath, [`--data-dir=${options.dataDir}`], {
      serviceName: 'Tidings server',
      execArgv: [...SERVER_NODE_FLAGS],
      stdio: 'inherit',
      env: { ...process.env, TIDINGS_DATA_DIR: options.dataDir },
    })
    child = proc
    return new Promise<RunningServer>((resolve, reject) => {
      let settled = false
      const timer = setTimeout(() => {
        fail(new Error(`The bundled server did not become ready within ${readyTimeoutMs} ms`))
        proc.kill()
      }, readyTimeoutMs)

      function fail(error: Error): void {
        if (settled) return
        settled = true
        clearTimeout(timer)
        reject(error)
      }

      proc.on('message', (message: unknown) => {
        if (!isServerChildMessage(message)) return
        if (message.type === 'ready' && !settled) {
          settled = true
          clearTimeout(timer)
          running = { port: message.port, url: `http://127.0.0.1:${message.port}` }
          resolve(running)
        } else if (message.type === 'error') {
          fail(new Error(`The bundled server failed to start: ${message.message}`))
        }
      })
      proc.once('exit', (code: number) => {
        const wasReady = running !== null
        if (child === proc) child = null
        running = null
        fail(new Error(`The bundled server exited before it was ready (code ${code})`))
        if (wasReady && !stopping) options.onUnexpectedExit?.(code)
      })
    })
  }

  function stop(): Promise<void> {
    const proc = child
    if (!proc) return Promise.resolve()
    stopping = true
    return new Promise<void>((resolve) => {
      let hardStop: ReturnType<typeof setTimeout> | undefined
      const timer = setTimeout(() => {
        proc.kill()
        // If not even the kill produces an exit event, stop waiting: the process is gone with us.
        hardStop = setTimeout(resolve, stopTimeoutMs)
      }, stopTimeoutMs)
      proc.once('exit', () => {
        clearTimeout(timer)
        if (hardStop) clearTimeout(hardStop)
        resolve()
      })
      try {
        proc.postMessage({ type: 'stop' })
      } catch {
        proc.kill()
      }
    })
  }

  return {
    start,
    stop,
    get running() {
      return running
    },
  }
}
