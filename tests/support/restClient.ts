import type { ApiError, ApiResponse } from '../../src/shared/api'

/**
 * A small fetch-based client of the REST API for tests. It never throws on an HTTP error: every
 * call resolves to the status and the parsed body, so tests can assert on failures. `data` asserts
 * the success envelope and returns its payload.
 *
 *   const rest = new RestClient(server.url)
 *   const { data } = await rest.post<AuthResult>('/auth/login', { username, password })
 *   const me = rest.withToken(data.token)
 *   expect((await me.get('/users/me')).status).toBe(200)
 */
export class RestResponse<T> {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly headers: Headers,
    /** The parsed JSON body (undefined when the body was empty or not JSON). */
    readonly body: ApiResponse<T> | undefined,
    /** The raw body text. */
    readonly text: string,
  ) {}

  /** The success payload; throws with the whole response when it is not a success envelope. */
  get data(): T {
    if (this.status >= 400 || this.body?.status !== 'success') {
      throw new Error(`${this.method} ${this.path} failed with ${this.status}: ${this.text}`)
    }
    return this.body.data
  }

  /** The error envelope's `error`; throws when the response is not an error envelope. */
  get error(): ApiError['error'] {
    if (this.body?.status !== 'error') {
      throw new Error(`${this.method} ${this.path} did not fail (${this.status}): ${this.text}`)
    }
    return this.body.error
  }
}

export interface RequestOptions {
  /** Sent as-is instead of `JSON.stringify(body)` (for malformed-body tests). */
  rawBody?: string
  /** Extra or overriding headers. */
  headers?: Record<string, string>
}

export class RestClient {
  constructor(
    readonly baseUrl: string,
    readonly token?: string,
  ) {}

  /** The same server, authenticated with `token`. */
  withToken(token: string | undefined): RestClient {
    return new RestClient(this.baseUrl, token)
  }

  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    options: RequestOptions = {},
  ): Promise<RestResponse<T>> {
    const headers: Record<string, string> = {}
    if (this.token) headers.authorization = `Bearer ${this.token}`
    let payload: string | undefined
    if (options.rawBody !== undefined) {
      payload = options.rawBody
      headers['content-type'] = 'application/json'
    } else if (body !== undefined) {
      payload = JSON.stringify(body)
      headers['content-type'] = 'application/json'
    }
    Object.assign(headers, options.headers)
    const response = await fetch(new URL(path, this.baseUrl), { method, headers, body: payload })
    const text = await response.text()
    let parsed: ApiResponse<T> | undefined
    try {
      parsed = text ? (JSON.parse(text) as ApiResponse<T>) : undefined
    } catch {
      parsed = undefined
    }
    return new RestResponse<T>(method, path, response.status, response.headers, parsed, text)
  }

  get<T>(path: string, options?: RequestOptions) {
    return this.request<T>('GET', path, undefined, options)
  }
  post<T>(path: string, body?: unknown, options?: RequestOptions) {
    return this.request<T>('POST', path, body, options)
  }
  put<T>(path: string, body?: unknown, options?: RequestOptions) {
    return this.request<T>('PUT', path, body, options)
  }
  patch<T>(path: string, body?: unknown, options?: RequestOptions) {
    return this.request<T>('PATCH', path, body, options)
  }
  delete<T>(path: string, options?: RequestOptions) {
    return this.request<T>('DELETE', path, undefined, options)
  }
}
