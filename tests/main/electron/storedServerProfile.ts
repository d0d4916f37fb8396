import { join } from 'node:path'
import { startServer } from '../../../server/startServer'
import { LocalStore } from '../../../src/main/core/localStore'
import { fakeSecretStore } from '../core/support/fakeSecretStore'

/**
 * A real server on port 0 in `dir`, and a profile (`dir/user`) that a single-server version left
 * after the user chose that server in its settings window (`server_url` in the stored
 * preferences): the main entry lists it as its one server, with no --server-url or
 * TIDINGS_SERVER_URL (so the list may change). Sets TIDINGS_USER_DATA_DIR to the profile.
 */
export async function serverChosenInSettings(
  dir: string,
): Promise<Awaited<ReturnType<typeof startServer>>> {
  const server = await startServer({
    port: 0,
    host: '127.0.0.1',
    dataDir: join(dir, 'server'),
    openRegistration: true,
    scryptCost: 1024,
  })
  const userData = join(dir, 'user')
  const store = new LocalStore(userData, fakeSecretStore())
  store.setJson('preferences', { server_url: server.url })
  store.close()
  delete process.env.TIDINGS_SERVER_URL
  process.env.TIDINGS_USER_DATA_DIR = userData
  return server
}
