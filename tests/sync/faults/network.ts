/**
 * A deterministic faulty network between simulated devices and the real server (in-process,
 * through `app.inject`, no sockets). By its seed it drops requests, drops answers after the server
 * committed, duplicates requests (at once or replayed much later), delays them so concurrent ones
 * overtake each other, answers 503 / 429 / 401 itself, and restarts the server.
 */
import type { FastifyInstance } from 'fastify';
import type { FetchLike } from '../../../src/sync/transport';
import type { Rng } from './random';

export const FAULT_KINDS = [
  'drop_request',
  'drop_answer',
  'duplicate',
  'replay_later',
  'delay',
  'answer_503',
  'answer_429',
  'answer_401',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** The server as the network reaches it: the current app, and how to restart it. */
export interface ServerHandle {
  app(): FastifyInstance;
  restart(): Promise<void>;
}

interface Sent {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
  remoteAddress: string;
}

export class FaultyNetwork {
  /** Faults injected so far, by kind (restarts counted apart). */
  readonly faults = new Map<FaultKind, number>();
  restarts = 0;
  /** Requests the devices sent (each counted once, whatever the network then did). */
  requests = 0;
  /** Answers of 5xx the network did not make: the server failed. */
  readonly serverErrors: string[] = [];
  /** Chance that a request meets a fault while faults are on. */
  faultRate = 0;
  #down = false;
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #replays: Sent[] = [];

  constructor(private readonly server: ServerHandle) {}

  get faultCount(): number {
    let n = 0;
    for (const v of this.faults.values()) n += v;
    return n;
  }

  /** The fetch of one device: its own generator and its own address (per-address limits). */
  fetchFor(rng: Rng, remoteAddress: string): FetchLike {
    return (async (input: string, init?: RequestInit) => {
      this.requests++;
      const url = new URL(input);
      const sent: Sent = {
        method: init?.method ?? 'GET',
        url: url.pathname + url.search,
        headers: headersOf(init?.headers),
        body: typeof init?.body === 'string' ? init.body : undefined,
        remoteAddress,
      };
      const fault = this.faultRate > 0 && rng.chance(this.faultRate) ? rng.pick(FAULT_KINDS) : null;
      if (fault) this.#count(fault);
      if (this.#down) throw new TypeError('connection refused (server restarting)');
      switch (fault) {
        case 'drop_request':
          throw new TypeError('network dropped the request');
        case 'answer_503':
          return json(
            503,
            { error: 'server_unavailable', message: 'Proxy says: try later.' },
            {
              'retry-after': '1',
            },
          );
        case 'answer_429':
          return json(
            429,
            { error: 'rate_limited', message: 'Proxy says: slow down.' },
            {
              'retry-after': '2',
            },
          );
        case 'answer_401':
          return json(401, { error: 'unauthorized', message: 'Proxy lost the credentials.' });
        case 'drop_answer':
          await this.#send(sent);
          throw new TypeError('network dropped the answer');
        case 'duplicate': {
          const [, second] = await Promise.all([this.#send(sent), this.#send(sent)]);
          return second;
        }
        case 'replay_later':
          this.#replays.push(sent);
          return this.#send(sent);
        case 'delay':
          await turns(rng.int(1, 40));
          return this.#send(sent);
        default:
          return this.#send(sent);
      }
    }) as FetchLike;
  }

  /** Send again, now, some requests kept for a later replay (their answers go nowhere). */
  async replay(rng: Rng): Promise<void> {
    while (this.#replays.length > 0 && rng.chance(0.7)) {
      const sent = this.#replays.splice(rng.int(0, this.#replays.length - 1), 1)[0]!;
      if (this.#down) continue;
      await this.#send(sent).catch(() => undefined);
    }
  }

  /** Stop answering, let what is in flight finish, start a new server process on the same data. */
  async restart(): Promise<void> {
    this.#down = true;
    this.restarts++;
    try {
      await Promise.allSettled([...this.#inFlight]);
      await this.server.restart();
    } finally {
      this.#down = false;
    }
  }

  #count(kind: FaultKind): void {
    this.faults.set(kind, (this.faults.get(kind) ?? 0) + 1);
  }

  #send(sent: Sent): Promise<Response> {
    const request = this.server
      .app()
      .inject({
        method: sent.method as 'GET',
        url: sent.url,
        headers: sent.headers,
        remoteAddress: sent.remoteAddress,
        ...(sent.body !== undefined ? { payload: sent.body } : {}),
      })
      .then((res) => {
        if (res.statusCode >= 500)
          this.serverErrors.push(`${sent.method} ${sent.url}: ${res.body}`);
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          if (value === undefined) continue;
          for (const v of Array.isArray(value) ? value : [value]) headers.append(name, String(v));
        }
        const empty = res.statusCode === 204 || res.statusCode === 304;
        return new Response(empty ? null : new Uint8Array(res.rawPayload), {
          status: res.statusCode,
          headers,
        });
      });
    this.#inFlight.add(request);
    void request.finally(() => this.#inFlight.delete(request)).catch(() => undefined);
    return request;
  }
}

function headersOf(init: HeadersInit | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  new Headers(init).forEach((value, name) => (out[name] = value));
  return out;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/** Let other requests and database work run `n` times before this one goes on. */
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}
