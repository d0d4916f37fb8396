import type { AuthResult, Conversation, Message, User } from '../../src/shared/models'
import { RestClient } from './restClient'
import { WsTestClient } from './wsTestClient'

/**
 * Account fixtures for integration tests. Each registration costs one scrypt hash (~50-100 ms), so
 * create the accounts a file needs once (in `beforeAll`) rather than per test.
 */
export const TEST_PASSWORD = 'correct horse battery'

/** A registered user with a REST client that carries their token. */
export interface TestAccount {
  token: string
  user: User
  rest: RestClient
  /** Opens an events socket for this user (another "device" each call). */
  connect(options?: Parameters<typeof WsTestClient.connect>[2]): Promise<WsTestClient>
}

export function accountFrom(baseUrl: string, result: AuthResult): TestAccount {
  return {
    token: result.token,
    user: result.user,
    rest: new RestClient(baseUrl, result.token),
    connect: (options) => WsTestClient.connect(baseUrl, result.token, options),
  }
}

/** Registers the first account of a fresh server (it becomes the administrator). */
export async function registerAdmin(baseUrl: string, username = 'admin'): Promise<TestAccount> {
  const rest = new RestClient(baseUrl)
  const response = await rest.post<AuthResult>('/auth/register', {
    username,
    password: TEST_PASSWORD,
    display_name: `${username[0]!.toUpperCase()}${username.slice(1)}`,
  })
  return accountFrom(baseUrl, response.data)
}

/** Registers a member with a fresh invite from `admin`. */
export async function registerMember(admin: TestAccount, username: string): Promise<TestAccount> {
  const invite = await admin.rest.post<{ code: string }>('/admin/invites', {})
  const rest = new RestClient(admin.rest.baseUrl)
  const response = await rest.post<AuthResult>('/auth/register', {
    username,
    password: TEST_PASSWORD,
    display_name: `${username[0]!.toUpperCase()}${username.slice(1)}`,
    invite_code: invite.data.code,
  })
  return accountFrom(admin.rest.baseUrl, response.data)
}

/** Another session (device) of a registered user: a sign-in with their password. */
export async function signIn(
  baseUrl: string,
  username: string,
  password = TEST_PASSWORD,
): Promise<TestAccount> {
  const login = await new RestClient(baseUrl).post<AuthResult>('/auth/login', {
    username,
    password,
  })
  return accountFrom(baseUrl, login.data)
}

/** The HTTP status of a sign-in attempt (200, 401 for a wrong password, 403 deactivated, …). */
export async function loginStatus(
  baseUrl: string,
  username: string,
  password: string,
): Promise<number> {
  return (await new RestClient(baseUrl).post('/auth/login', { username, password })).status
}

/** An administrator plus members with the given usernames, on a fresh server. */
export async function registerTeam(
  baseUrl: string,
  members: string[],
  adminName = 'admin',
): Promise<{ admin: TestAccount; members: TestAccount[] }> {
  const admin = await registerAdmin(baseUrl, adminName)
  const created: TestAccount[] = []
  for (const name of members) created.push(await registerMember(admin, name))
  return { admin, members: created }
}

/** Creates a conversation as `creator` with `others` (a direct one when untitled with one other). */
export async function createConversation(
  creator: TestAccount,
  others: TestAccount[],
  title?: string,
): Promise<Conversation> {
  const body = { member_ids: others.map((a) => a.user.id), ...(title ? { title } : {}) }
  return (await creator.rest.post<Conversation>('/conversations', body)).data
}

let clientIdCounter = 0

/** A client_id unique within the test process. */
export function nextClientId(prefix = 'c'): string {
  clientIdCounter += 1
  return `${prefix}-${process.pid}-${clientIdCounter}`
}

/** Sends a message and returns the stored message (asserting success). */
export async function sendMessage(
  sender: TestAccount,
  conversationId: number,
  text: string,
  clientId = nextClientId(),
): Promise<Message> {
  const response = await sender.rest.post<Message>(`/conversations/${conversationId}/messages`, {
    text,
    client_id: clientId,
  })
  return response.data
}
