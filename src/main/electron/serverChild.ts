/**
 * The Electron-free half of the bundled-server utility process (src/main/serverProcess.ts): reads
 * its options, starts the server on 127.0.0.1 with an OS-chosen port, reports the port to the
 * parent and closes the server when asked. Kept free of `electron` so it is tested in plain Node.
 */

/** Messages the child posts to the parent. */
export type ServerChildMessage =
  { type: 'ready'; port: number } | { type: 'error'; message: string }

/** Messages the parent posts to the child. */
export type ServerParentMessage = { type: 'stop' }

export function isServerChildMessage(value: unknown): value is ServerChildMessage {
  if (typeof value !== 'object' || value === null) return false
  const message = value as Record<string, unknown>
  if (message.type === 'ready') return typeof message.port === 'number'
  if (message.type === 'error') return typeof message.message === 'string'
  return false
}

/** The part of Electron's `process.parentPort` the child uses. */
export interface ParentPortLike {
  postMessage(message: ServerChildMessage): void
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown
}

export interface StartedServer {
  port: number
  close(): Promise<void>
}

export type StartServerFn = (options: {
  port: number
  host: string
  dataDir: string
}) => Promise<StartedServer>

/** `--data-dir=<dir>` / `--data-dir <dir>` on the command line, else TIDINGS_DATA_DIR. */
export function readDataDir(argv: readonly string[], env: NodeJS.ProcessEnv): string | null {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg?.startsWith('--data-dir=')) return arg.slice('--data-dir='.length) || null
    if (arg === '--data-dir') return argv[i + 1] ?? null
  }
  return env.TIDINGS_DATA_DIR || null
}

export interface ServerChildOptions {
  argv: readonly string[]
  env: NodeJS.ProcessEnv
  parentPort: ParentPortLike
  startServer: StartServerFn
  /** Ends the process; injected so tests can observe it. */
  exit: (code: number) => void
}

/**
 * Starts the server and wires the stop message. Resolves with the running server, or with null
 * after reporting an error (and exiting with code 1).
 */
export async function runServerChild(options: ServerChildOptions): Promise<StartedServer | null> {
  const { parentPort, exit } = options
  const dataDir = readDataDir(options.argv, options.env)
  if (!dataDir) {
    parentPort.postMessage({ type: 'error', message: 'No data directory given (--data-dir)' })
    exit(1)
    return null
  }
  let server: StartedServer
  try {
    server = await options.startServer({ port: 0, host: '127.0.0.1', dataDir })
  } catch (error) {
    parentPort.postMessage({
      type: 'error',
      message: error instanceof Error ? error.message : String(error),
    })
    exit(1)
    return null
  }
  let closing = false
  parentPort.on('message', (event) => {
    const data = event.data as Partial<ServerParentMessage> | null
    if (data?.type !== 'stop' || closing) return
    closing = true
    server.close().then(
      () => exit(0),
      () => exit(1),
    )
  })
  parentPort.postMessage({ type: 'ready', port: server.port })
  return server
}
