import { expect, type Locator, type Page } from '@playwright/test'
import { DateTime } from 'luxon'
import type { AuthResult, Conversation, Message, MessagePage } from '../../src/shared/models'

/**
 * What a user does in the Tidings UI, written once for every spec: sign-up, inviting, starting a
 * conversation, sending. Each step waits for the state the UI shows afterwards.
 */

export interface Account {
  username: string
  password: string
  displayName: string
}

export const ALICE: Account = {
  username: 'alice',
  password: 'alice-password-1',
  displayName: 'Alice Admin',
}
export const BOB: Account = {
  username: 'bob',
  password: 'bob-password-1',
  displayName: 'Bob Member',
}

export const CAROL: Account = {
  username: 'carol',
  password: 'carol-password-1',
  displayName: 'Carol Member',
}

/** The login form in first-run mode: create the administrator account. */
export async function createFirstAccount(page: Page, account: Account): Promise<void> {
  const form = page.getByTestId('login-form')
  await expect(form).toHaveAttribute('data-mode', 'first_account')
  await expect(form.getByRole('heading')).toHaveText('Create the administrator account')
  await form.getByLabel('Username').fill(account.username)
  await form.getByLabel('Display name (optional)').fill(account.displayName)
  await form.getByLabel('Password').fill(account.password)
  await form.getByRole('button', { name: 'Create account' }).click()
  await expectSignedIn(page, account)
}

/** The main window shows `account` signed in and connected. */
export async function expectSignedIn(page: Page, account: Account): Promise<void> {
  await expect(page.getByTestId('current-user')).toHaveText(account.displayName)
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-status', 'connected')
}

/** The admin's "Create invite" button in the top bar; returns the code it shows. */
export async function createInvite(page: Page): Promise<string> {
  await page.getByRole('button', { name: 'Create invite' }).click()
  const code = page.getByTestId('invite-code').locator('code')
  await expect(code).toHaveText(/\S{6,}/)
  return (await code.textContent())!.trim()
}

/** The login form switched to "I have an invite code". */
export async function registerWithInvite(page: Page, account: Account, code: string) {
  const form = page.getByTestId('login-form')
  await expect(form).toHaveAttribute('data-mode', 'signin')
  await form.getByRole('button', { name: 'I have an invite code' }).click()
  await expect(form).toHaveAttribute('data-mode', 'register')
  await form.getByLabel('Username').fill(account.username)
  await form.getByLabel('Display name (optional)').fill(account.displayName)
  await form.getByLabel('Password').fill(account.password)
  await form.getByLabel('Invite code').fill(code)
  await form.getByRole('button', { name: 'Register' }).click()
  await expectSignedIn(page, account)
}

/** "New conversation" → pick one person → Create; the new thread opens. */
export async function startDirectConversation(page: Page, peer: Account): Promise<void> {
  await page.getByTestId('new-conversation').click()
  const dialog = page.getByTestId('new-conversation-dialog')
  await expect(dialog).toBeVisible()
  await dialog.getByRole('searchbox', { name: 'Find people' }).fill(peer.username)
  await dialog.getByTestId('person-option').filter({ hasText: peer.displayName }).click()
  await expect(dialog.getByText('Direct conversation')).toBeVisible()
  await dialog.getByTestId('create-conversation').click()
  await expect(dialog).toBeHidden()
  await expect(page.getByTestId('thread').getByRole('heading', { level: 2 })).toHaveText(
    peer.displayName,
  )
}

/** Clicks the conversation with `title` in the list and waits for its thread. */
export async function openConversation(page: Page, title: string): Promise<void> {
  await conversationItem(page, title).click()
  await expect(page.getByTestId('thread').getByRole('heading', { level: 2 })).toHaveText(title)
}

export function conversationItem(page: Page, title: string): Locator {
  return page
    .getByTestId('conversation-item')
    .filter({ has: page.getByTestId('conversation-title').getByText(title, { exact: true }) })
}

/** Types into the composer and presses Enter. */
export async function send(page: Page, text: string): Promise<void> {
  const composer = page.getByTestId('composer')
  await composer.fill(text)
  await composer.press('Enter')
  await expect(composer).toHaveValue('')
}

export function messageItems(page: Page): Locator {
  return page.getByTestId('thread').getByTestId('message-item')
}

/** The message whose text is exactly `text`. */
export function messageWithText(page: Page, text: string): Locator {
  return messageItems(page).filter({
    has: page.locator('.message__text').getByText(text, { exact: true }),
  })
}

/** The texts of the messages rendered in the thread, top to bottom. */
export async function threadTexts(page: Page): Promise<string[]> {
  return messageItems(page).locator('.message__text').allTextContents()
}

/** "h:mm a" in `zone`, as the message list shows a 12-hour time. */
export function clockTime(createdAt: string, zone: string): string {
  return DateTime.fromISO(createdAt, { zone }).setLocale('en-US').toFormat('h:mm a')
}

/** A REST session of one user, for checks and set-up that are not part of the UI under test. */
export class RestUser {
  private constructor(
    private readonly baseUrl: string,
    readonly auth: AuthResult,
  ) {}

  /**
   * Registers over REST: a server's first account (its admin), anyone where registration is
   * open, or the holder of an invite code.
   */
  static async register(baseUrl: string, account: Account, inviteCode?: string): Promise<RestUser> {
    const response = await fetch(`${baseUrl}/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        username: account.username,
        password: account.password,
        display_name: account.displayName,
        ...(inviteCode === undefined ? {} : { invite_code: inviteCode }),
      }),
    })
    const body = (await response.json()) as { status: string; data: AuthResult }
    if (!response.ok) throw new Error(`register ${account.username}: ${JSON.stringify(body)}`)
    return new RestUser(baseUrl, body.data)
  }

  static async login(baseUrl: string, account: Account): Promise<RestUser> {
    const response = await fetch(`${baseUrl}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: account.username, password: account.password }),
    })
    const body = (await response.json()) as { status: string; data: AuthResult }
    if (!response.ok) throw new Error(`login ${account.username}: ${JSON.stringify(body)}`)
    return new RestUser(baseUrl, body.data)
  }

  /** A new invite code of this (admin) user. */
  async createInvite(): Promise<string> {
    return (await this.call<{ code: string }>('POST', '/admin/invites', {})).code
  }

  /** Registers `account` with an invite code of this (admin) user, over REST: no app of theirs. */
  async registerInvited(account: Account): Promise<RestUser> {
    return RestUser.register(this.baseUrl, account, await this.createInvite())
  }

  /** A titled group with these members (a titled conversation is a group even with two). */
  createGroup(title: string, memberIds: number[]): Promise<Conversation> {
    return this.call('POST', '/conversations', { member_ids: memberIds, title })
  }

  /** A direct conversation with one other user. */
  startDirect(userId: number): Promise<Conversation> {
    return this.call('POST', '/conversations', { member_ids: [userId] })
  }

  send(conversationId: number, text: string): Promise<Message> {
    return this.call('POST', `/conversations/${conversationId}/messages`, {
      text,
      client_id: `rest-${Math.random()}`,
    })
  }

  setOrganizationName(name: string, timezone = 'UTC'): Promise<unknown> {
    return this.call('PUT', '/branding', { timezone, organization_name: name })
  }

  conversation(id: number): Promise<Conversation> {
    return this.call('GET', `/conversations/${id}`)
  }

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.auth.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const json = (await response.json()) as { data: T }
    if (!response.ok)
      throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`)
    return json.data
  }

  setTimezone(timezone: string): Promise<unknown> {
    return this.call('PUT', '/branding', { timezone })
  }

  conversations(): Promise<Conversation[]> {
    return this.call('GET', '/conversations')
  }

  async messages(conversationId: number): Promise<Message[]> {
    const page = await this.call<MessagePage>(
      'GET',
      `/conversations/${conversationId}/messages?limit=200`,
    )
    return page.messages
  }
}

/**
 * Bob reads the whole conversation on another device: a window then opens it at its newest page
 * (with unread messages it would open at the first of them, under the "New messages" divider).
 */
export async function bobReadsAllElsewhere(
  backendUrl: string,
  conversationId: number,
): Promise<void> {
  const bob = await RestUser.login(backendUrl, BOB)
  const newest = (await bob.messages(conversationId)).at(-1)!.id
  await bob.call('POST', `/conversations/${conversationId}/receipts`, {
    kind: 'read',
    up_to_message_id: newest,
  })
}
