import { join } from 'node:path'
import { startServer } from '../../../server/startServer'
import { LocalStore } from '../../../src/main/core/localStore'
import { PreferencesStore } from '../../../src/main/core/preferencesStore'
import { fakeSecretStore } from '../core/support/fakeSecretStore'

/**
 * A real server on port 0 in `dir`, and a profile (`dir/user`) whose settings chose it, as the
 * settings window would have: the main entry then connects to it with no --server-url or
 * TIDINGS_SERVER_URL (so the choice is not fixed). Sets TIDINGS_USER_DATA_DIR to the profile.
 */
export async function serverChosenInSettings(
  dir: string,
): Promise<Awaited<ReturnType<typeof startServer>>> {
  const server = await startServer({ port: 0, host: '127.0.0.1', dataDir: join(dir, 'server') })
  const userData = join(dir, 'user')
  const store = new LocalStore(userData, fakeSecretStore())
  new PreferencesStore(store).set({ server_url: server.url })
  store.close()
  delete process.env.TIDINGS_SERVER_URL
  process.env.TIDINGS_USER_DATA_DIR = userData
  return server
}
