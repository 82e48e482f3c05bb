// The CLI's side of the control API: plain HTTP/JSON with fetch, as any script would call it, so the
// CLI shows what the API does. Errors carry the API's message, or say why corrgate was not reached.

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:4320';
const REQUEST_TIMEOUT_MS = 10_000;

export class ClientError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
  ) {
    super(message);
    this.name = 'ClientError';
  }
}

export class ControlClient {
  private readonly base: string;

  constructor(
    endpoint: string,
    private readonly token: string | undefined,
  ) {
    const withScheme = /^https?:\/\//i.test(endpoint) ? endpoint : `http://${endpoint}`;
    try {
      this.base = new URL(withScheme).toString().replace(/\/$/, '');
    } catch {
      throw new ClientError(`--endpoint "${endpoint}" is not a URL such as http://127.0.0.1:4320`, undefined);
    }
  }

  async request<T>(method: 'GET' | 'POST', path: string, body?: { type: string; text: string }): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body) headers['content-type'] = body.type;
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, { method, headers, ...(body ? { body: body.text } : {}), signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why = (err as Error).name === 'TimeoutError' ? `no answer within ${REQUEST_TIMEOUT_MS / 1000}s` : (cause?.code ?? cause?.message ?? (err as Error).message);
      throw new ClientError(`cannot reach corrgate at ${this.base}: ${why}`, undefined);
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      throw new ClientError(`${this.base}${path} answered ${response.status} with a body that is not JSON`, response.status);
    }
    if (!response.ok) {
      const e = (parsed as { error?: { message?: string; details?: string[] } } | undefined)?.error;
      const details = e?.details && e.details.length > 0 ? `\n${e.details.map((d) => `  - ${d}`).join('\n')}` : '';
      throw new ClientError(`${response.status}: ${e?.message ?? response.statusText}${details}`, response.status);
    }
    return parsed as T;
  }
}
