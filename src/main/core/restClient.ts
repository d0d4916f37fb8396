import type {
  AuditExportQuery,
  AuditQuery,
  BrandingBody,
  ChangePasswordBody,
  CreateAccountBody,
  CreateConversationBody,
  InviteBody,
  PasswordResetBody,
  ReceiptBody,
  RegisterBody,
  RetentionBody,
  SearchMessagesQuery,
  SendMessageBody,
} from '../../shared/api'
import type {
  AdminUser,
  Attachment,
  AuditPage,
  AuthResult,
  Branding,
  Conversation,
  CreatedInvite,
  CreatedPlatformAccount,
  FollowedThreadList,
  Invite,
  Message,
  MessagePage,
  MessageSearchPage,
  PasswordChanged,
  PasswordResetIssued,
  Person,
  PlatformAccount,
  RetentionPolicy,
  Role,
  SessionsRevoked,
  ThreadFollow,
  ThreadPage,
  User,
} from '../../shared/models'
import { CoreError } from './coreError'

/**
 * A failed REST call. `status` is the HTTP status, or 0 when no response arrived at all (server
 * down, network gone, timeout): callers such as the outbox treat 0 as "try again later".
 */
export class ApiRequestError extends CoreError {
  readonly status: number

  constructor(status: number, code: string, message: string) {
    super(code, message)
    this.name = 'ApiRequestError'
    this.status = status
  }

  /** True when repeating the same request later may succeed. */
  get transient(): boolean {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500
  }
}

export const NETWORK_ERROR_CODE = 'network_error'

export interface AuthStatus {
  needs_first_account: boolean
  open_registration: boolean
}

export interface RestClientOptions {
  /** Base URL of the server, e.g. http://127.0.0.1:7400 (no trailing path). */
  baseUrl: string
  /** The current session token, read on every call so a login takes effect at once. */
  getToken: () => string | null
  /** Requests that take longer than this fail as network errors. */
  timeoutMs?: number
  fetchImpl?: typeof fetch
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

/** A file may take far longer to go up than a JSON call: 25 MiB over a slow uplink. */
const UPLOAD_TIMEOUT_MS = 10 * 60_000

/** What a call sends besides its method and path. */
interface CallOptions {
  body?: Uint8Array<ArrayBuffer> | string
  contentType?: string
  timeoutMs?: number
  /** Instead of the timeout: the caller aborts (a stream that may take long after its headers). */
  signal?: AbortSignal
}

/** Typed calls to the Tidings REST API; unwraps the `{status, data}` envelope. */
export class RestClient {
  private readonly baseUrl: string
  private readonly getToken: () => string | null
  private readonly timeoutMs: number
  private readonly fetchImpl: typeof fetch

  constructor(options: RestClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '')
    this.getToken = options.getToken
    this.timeoutMs = options.timeoutMs ?? 15_000
    this.fetchImpl = options.fetchImpl ?? fetch
  }

  async request<T>(method: Method, path: string, body?: unknown): Promise<T> {
    const response = await this.call(
      method,
      path,
      body === undefined ? {} : { body: JSON.stringify(body), contentType: 'application/json' },
    )
    return this.envelopeOf<T>(response)
  }

  private async call(method: Method, path: string, options: CallOptions): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' }
    const token = this.getToken()
    if (token) headers.authorization = `Bearer ${token}`
    if (options.contentType !== undefined) headers['content-type'] = options.contentType
    try {
      return await this.fetchImpl(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: options.body,
        signal: options.signal ?? AbortSignal.timeout(options.timeoutMs ?? this.timeoutMs),
      })
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error)
      throw new ApiRequestError(0, NETWORK_ERROR_CODE, `Cannot reach the server: ${reason}`)
    }
  }

  private async envelopeOf<T>(response: Response): Promise<T> {
    let parsed: unknown
    try {
      parsed = await response.json()
    } catch {
      // A proxy error page or a cut-off body: no envelope to unwrap.
      throw new ApiRequestError(
        response.status,
        response.ok ? 'invalid_response' : 'http_error',
        `The server answered ${response.status} without a valid JSON body`,
      )
    }
    return unwrapEnvelope<T>(response.status, parsed)
  }

  authStatus(): Promise<AuthStatus> {
    return this.request('GET', '/auth/status')
  }
  register(body: RegisterBody): Promise<AuthResult> {
    return this.request('POST', '/auth/register', body)
  }
  login(username: string, password: string): Promise<AuthResult> {
    return this.request('POST', '/auth/login', { username, password })
  }
  logout(): Promise<unknown> {
    return this.request('POST', '/auth/logout')
  }
  changePassword(body: ChangePasswordBody): Promise<PasswordChanged> {
    return this.request('POST', '/users/me/password', body)
  }
  signOutOthers(): Promise<SessionsRevoked> {
    return this.request('POST', '/users/me/sessions/revoke-others')
  }
  me(): Promise<User> {
    return this.request('GET', '/users/me')
  }
  updateProfile(displayName: string): Promise<User> {
    return this.request('PATCH', '/users/me', { display_name: displayName })
  }
  resetPassword(body: PasswordResetBody): Promise<AuthResult> {
    return this.request('POST', '/auth/password-reset', body)
  }
  users(): Promise<Person[]> {
    return this.request('GET', '/users')
  }
  createInvite(body: InviteBody = {}): Promise<CreatedInvite> {
    return this.request('POST', '/admin/invites', body)
  }
  invites(): Promise<Invite[]> {
    return this.request('GET', '/admin/invites')
  }
  revokeInvite(id: number): Promise<Invite> {
    return this.request('DELETE', `/admin/invites/${id}`)
  }
  adminUsers(): Promise<AdminUser[]> {
    return this.request('GET', '/admin/users')
  }
  setRole(userId: number, role: Role): Promise<AdminUser> {
    return this.request('PUT', `/admin/users/${userId}/role`, { role })
  }
  deactivateUser(userId: number): Promise<AdminUser> {
    return this.request('POST', `/admin/users/${userId}/deactivate`)
  }
  reactivateUser(userId: number): Promise<AdminUser> {
    return this.request('POST', `/admin/users/${userId}/reactivate`)
  }
  signOutUser(userId: number): Promise<SessionsRevoked> {
    return this.request('POST', `/admin/users/${userId}/sessions/revoke`)
  }
  issuePasswordReset(userId: number): Promise<PasswordResetIssued> {
    return this.request('POST', `/admin/users/${userId}/password-reset`)
  }
  audit(query: AuditQuery): Promise<AuditPage> {
    return this.request('GET', `/admin/audit${queryString(query)}`)
  }
  /**
   * The audit log as CSV: the response, whose body the caller streams where it goes (a failure
   * before the body comes as the usual error).
   */
  async auditCsv(query: AuditExportQuery): Promise<Response> {
    const response = await this.call('GET', `/admin/audit.csv${queryString(query)}`, {
      timeoutMs: Math.max(this.timeoutMs, UPLOAD_TIMEOUT_MS),
    })
    if (!response.ok) return this.envelopeOf(response)
    return response
  }
  broadcast(
    title: string,
    body: string,
    level?: 'info' | 'warning' | 'critical',
  ): Promise<unknown> {
    return this.request(
      'POST',
      '/admin/notifications',
      level ? { title, body, level } : { title, body },
    )
  }
  retention(): Promise<RetentionPolicy> {
    return this.request('GET', '/admin/retention')
  }
  setRetention(body: RetentionBody): Promise<RetentionPolicy> {
    return this.request('PUT', '/admin/retention', body)
  }
  /**
   * The user's data export (a ZIP) as a response whose body is still arriving: the caller reads
   * it as a stream. An error answer throws with its code, as any call does.
   */
  async exportData(): Promise<{
    body: ReadableStream<Uint8Array>
    fileName: string
    /** Drops the connection: the server stops making the export (a cancel, a failed write). */
    abort(): void
  }> {
    // The body streams for as long as the history takes; the timeout is the headers' only.
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(), this.timeoutMs)
    let response: Response
    try {
      response = await this.call('GET', '/users/me/export', { signal: controller.signal })
    } finally {
      clearTimeout(timer)
    }
    if (!response.ok || !response.body) return this.envelopeOf(response)
    const disposition = response.headers.get('content-disposition') ?? ''
    const fileName = /filename="([^"]+)"/.exec(disposition)?.[1] ?? 'tidings-export.zip'
    return { body: response.body, fileName, abort: () => controller.abort() }
  }
  branding(): Promise<Branding> {
    return this.request('GET', '/branding')
  }
  setBranding(body: BrandingBody): Promise<Branding> {
    return this.request('PUT', '/branding', body)
  }
  conversations(): Promise<Conversation[]> {
    return this.request('GET', '/conversations')
  }
  conversation(id: number): Promise<Conversation> {
    return this.request('GET', `/conversations/${id}`)
  }
  createConversation(body: CreateConversationBody): Promise<Conversation> {
    return this.request('POST', '/conversations', body)
  }
  renameConversation(id: number, title: string): Promise<Conversation> {
    return this.request('PATCH', `/conversations/${id}`, { title })
  }
  addMembers(id: number, userIds: number[]): Promise<Conversation> {
    return this.request('POST', `/conversations/${id}/members`, { user_ids: userIds })
  }
  removeMember(id: number, userId: number): Promise<Conversation> {
    return this.request('DELETE', `/conversations/${id}/members/${userId}`)
  }
  searchMessages(query: SearchMessagesQuery): Promise<MessageSearchPage> {
    const params = new URLSearchParams({ q: query.q })
    if (query.conversation_id !== undefined) {
      params.set('conversation_id', String(query.conversation_id))
    }
    if (query.before !== undefined) params.set('before', String(query.before))
    if (query.limit !== undefined) params.set('limit', String(query.limit))
    return this.request('GET', `/search/messages?${params.toString()}`)
  }
  history(id: number, options: PageOptions = {}): Promise<MessagePage> {
    return this.request('GET', `/conversations/${id}/messages${pageQuery(options)}`)
  }
  thread(conversationId: number, rootId: number, options: PageOptions = {}): Promise<ThreadPage> {
    return this.request('GET', `${threadPath(conversationId, rootId)}${pageQuery(options)}`)
  }
  followedThreads(): Promise<FollowedThreadList> {
    return this.request('GET', '/threads')
  }
  followThread(conversationId: number, rootId: number, following: boolean): Promise<ThreadFollow> {
    return this.request('PUT', `${threadPath(conversationId, rootId)}/follow`, { following })
  }
  markThreadRead(
    conversationId: number,
    rootId: number,
    upToMessageId: number,
  ): Promise<{ moved: boolean }> {
    return this.request('POST', `${threadPath(conversationId, rootId)}/read`, {
      up_to_message_id: upToMessageId,
    })
  }
  /** Uploads a file's bytes (the body is the file itself, not JSON). */
  async uploadAttachment(
    conversationId: number,
    name: string,
    mime: string,
    data: Uint8Array,
  ): Promise<Attachment> {
    const path = `/conversations/${conversationId}/attachments?${new URLSearchParams({ name })}`
    const response = await this.call('POST', path, {
      // IPC and fetch hand over bytes on a plain ArrayBuffer (never a shared one).
      body: data as Uint8Array<ArrayBuffer>,
      contentType: mime || 'application/octet-stream',
      timeoutMs: Math.max(this.timeoutMs, UPLOAD_TIMEOUT_MS),
    })
    return (await this.envelopeOf<{ attachment: Attachment }>(response)).attachment
  }
  /** A sent file's bytes and the type the server serves them as. */
  attachmentBytes(
    conversationId: number,
    attachmentId: number,
  ): Promise<{ mime: string; data: Uint8Array }> {
    return this.bytesAt(`/conversations/${conversationId}/attachments/${attachmentId}`)
  }
  /** A link preview's image, at the `image_path` the message's `link_preview` names. */
  linkPreviewImage(imagePath: string): Promise<{ mime: string; data: Uint8Array }> {
    return this.bytesAt(imagePath)
  }
  removeLinkPreview(messageId: number): Promise<Message> {
    return this.request('DELETE', `/messages/${messageId}/link-preview`)
  }
  /** A file the server serves as bytes (an error still comes as the JSON envelope). */
  private async bytesAt(path: string): Promise<{ mime: string; data: Uint8Array }> {
    const response = await this.call('GET', path, { timeoutMs: UPLOAD_TIMEOUT_MS })
    // An error comes as the JSON envelope; unwrapping it throws with its code.
    if (!response.ok) return this.envelopeOf(response)
    let data: Uint8Array
    try {
      data = new Uint8Array(await response.arrayBuffer())
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error)
      throw new ApiRequestError(0, NETWORK_ERROR_CODE, `Cannot reach the server: ${reason}`)
    }
    const mime = response.headers.get('content-type') ?? 'application/octet-stream'
    return { mime, data }
  }
  sendMessage(conversationId: number, body: SendMessageBody): Promise<Message> {
    return this.request('POST', `/conversations/${conversationId}/messages`, body)
  }
  editMessage(messageId: number, text: string): Promise<Message> {
    return this.request('PATCH', `/messages/${messageId}`, { text })
  }
  deleteMessage(messageId: number): Promise<Message> {
    return this.request('DELETE', `/messages/${messageId}`)
  }
  addReaction(conversationId: number, messageId: number, emoji: string): Promise<Message> {
    return this.request('PUT', reactionsPath(conversationId, messageId), { emoji })
  }
  removeReaction(conversationId: number, messageId: number, emoji: string): Promise<Message> {
    const query = new URLSearchParams({ emoji })
    return this.request('DELETE', `${reactionsPath(conversationId, messageId)}?${query}`)
  }
  sendReceipt(conversationId: number, body: ReceiptBody): Promise<unknown> {
    return this.request('POST', `/conversations/${conversationId}/receipts`, body)
  }
  accounts(): Promise<PlatformAccount[]> {
    return this.request('GET', '/accounts')
  }
  createAccount(body: CreateAccountBody): Promise<CreatedPlatformAccount> {
    return this.request('POST', '/accounts', body)
  }
  deleteAccount(id: number): Promise<PlatformAccount> {
    return this.request('DELETE', `/accounts/${id}`)
  }
  syncAccount(id: number): Promise<PlatformAccount> {
    return this.request('POST', `/accounts/${id}/sync`)
  }
}

function reactionsPath(conversationId: number, messageId: number): string {
  return `/conversations/${conversationId}/messages/${messageId}/reactions`
}

/** A page of history or of a thread's replies. */
export interface PageOptions {
  before?: number
  limit?: number
}

function pageQuery(options: PageOptions): string {
  const query = new URLSearchParams()
  if (options.before !== undefined) query.set('before', String(options.before))
  if (options.limit !== undefined) query.set('limit', String(options.limit))
  return query.size > 0 ? `?${query.toString()}` : ''
}

function threadPath(conversationId: number, rootId: number): string {
  return `/conversations/${conversationId}/threads/${rootId}`
}

/** `?a=1&b=x` of the fields that are set, or '' when none is. */
function queryString(fields: Readonly<Record<string, string | number | undefined>>): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) params.set(key, String(value))
  }
  return params.size > 0 ? `?${params.toString()}` : ''
}

function unwrapEnvelope<T>(httpStatus: number, parsed: unknown): T {
  if (typeof parsed === 'object' && parsed !== null && 'status' in parsed) {
    const envelope = parsed as { status: unknown; data?: unknown; error?: unknown }
    if (envelope.status === 'success' && httpStatus < 400) return envelope.data as T
    if (envelope.status === 'error') {
      const error = (envelope.error ?? {}) as { code?: unknown; message?: unknown }
      throw new ApiRequestError(
        httpStatus,
        typeof error.code === 'string' ? error.code : 'http_error',
        typeof error.message === 'string' ? error.message : `Request failed (${httpStatus})`,
      )
    }
  }
  throw new ApiRequestError(
    httpStatus,
    httpStatus >= 400 ? 'http_error' : 'invalid_response',
    `The server answered ${httpStatus} with an unexpected body`,
  )
}
