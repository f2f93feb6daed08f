/** An error answered by the API (`{"error":{"code","message","details"}}`), or the network failing. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message)
    this.name = 'ApiError'
  }

  /** The gateway (or this site) could not be reached, or answered 502-504. */
  get unavailable(): boolean {
    return this.status === 0 || this.status === 502 || this.status === 503 || this.status === 504
  }
}

export interface RequestOptions {
  method?: 'GET' | 'POST'
  body?: unknown
  token?: string | null
  organisationId?: string | undefined
  signal?: AbortSignal | undefined
}

/** One JSON request to the API at `base` (the gateway on the server, this site's origin in the browser). */
export async function apiRequest<T>(base: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' }
  if (options.token) headers.authorization = `Bearer ${options.token}`
  if (options.organisationId) headers['x-organisation-id'] = options.organisationId
  if (options.body !== undefined) headers['content-type'] = 'application/json'
  let res: Response
  try {
    res = await fetch(`${base}${path}`, {
      method: options.method ?? 'GET',
      headers,
      cache: 'no-store',
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    })
  } catch (err) {
    if (options.signal?.aborted) throw err
    throw new ApiError(0, 'UNAVAILABLE', 'The server could not be reached. Check your connection and retry.')
  }
  const body: unknown = await res.json().catch(() => undefined)
  if (!res.ok) {
    const error = (body as { error?: { code?: string; message?: string; details?: unknown } } | undefined)
      ?.error
    throw new ApiError(
      res.status,
      error?.code ?? 'UNEXPECTED',
      error?.message ?? `The server answered HTTP ${res.status}`,
      error?.details,
    )
  }
  return body as T
}
