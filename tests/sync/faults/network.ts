/**
 * A deterministic faulty network between simulated devices and the real server (in-process,
 * through `app.inject`, no sockets). By its seed it drops requests, drops answers after the server
 * committed, duplicates requests (at once or replayed much later), delays them so concurrent ones
 * overtake each other, answers 503 / 429 / 401 itself, and restarts the server.
 */
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

/**
 * The server as the network reaches it: one in-process app, or several server processes on one
 * PostgreSQL (the request goes to whichever `rng` picks), and how to restart it (or one of them).
 */
export interface ServerHandle {
  send(request: SimRequest, rng: Rng): Promise<Response>;
  restart(rng: Rng): Promise<void>;
  /**
   * The restart is a crash in the middle of whatever requests are in flight (a server process
   * killed outright); otherwise the network lets them finish first.
   */
  crashes?: boolean;
}

/** A request as a device sent it. */
export interface SimRequest {
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
  readonly #replays: SimRequest[] = [];

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
      const sent: SimRequest = {
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
          await this.#send(sent, rng);
          throw new TypeError('network dropped the answer');
        case 'duplicate': {
          const [, second] = await Promise.all([this.#send(sent, rng), this.#send(sent, rng)]);
          return second;
        }
        case 'replay_later':
          this.#replays.push(sent);
          return this.#send(sent, rng);
        case 'delay':
          await turns(rng.int(1, 40));
          return this.#send(sent, rng);
        default:
          return this.#send(sent, rng);
      }
    }) as FetchLike;
  }

  /** Send again, now, some requests kept for a later replay (their answers go nowhere). */
  async replay(rng: Rng): Promise<void> {
    while (this.#replays.length > 0 && rng.chance(0.7)) {
      const sent = this.#replays.splice(rng.int(0, this.#replays.length - 1), 1)[0]!;
      if (this.#down) continue;
      await this.#send(sent, rng).catch(() => undefined);
    }
  }

  /** Stop answering, let what is in flight finish, restart the server on the same data. */
  async restart(rng: Rng): Promise<void> {
    this.restarts++;
    if (this.server.crashes) {
      // Requests keep flowing (to the other process, or refused by the dead one's port).
      await this.server.restart(rng);
      return;
    }
    this.#down = true;
    try {
      await Promise.allSettled([...this.#inFlight]);
      await this.server.restart(rng);
    } finally {
      this.#down = false;
    }
  }

  #count(kind: FaultKind): void {
    this.faults.set(kind, (this.faults.get(kind) ?? 0) + 1);
  }

  #send(sent: SimRequest, rng: Rng): Promise<Response> {
    const request = this.server.send(sent, rng).then((res) => {
      if (res.status >= 500) this.serverErrors.push(`${sent.method} ${sent.url}: ${res.status}`);
      return res;
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
