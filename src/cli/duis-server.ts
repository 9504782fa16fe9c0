/**
 * The emulated DCC over HTTP, with DCC Boxed's endpoints (its DUIS interface): `POST
 * /api/v1/serviceD` (non-device service requests, CommandVariant 8), `/api/v1/serviceS` (send
 * command: CommandVariants 1, 3, 5, 7) and `/api/v1/serviceT` (transform: CommandVariant 4). The
 * synchronous answer is the HTTP response (a DUIS XML document, 200); a request DUIS cannot answer
 * (not well-formed, not valid against the schema, its signature does not verify, not emulated) gets
 * 400 with the reason as text. What the request sets going — device responses and alerts — is
 * POSTed, one DUIS document per call, to the user's endpoint in virtual-time order: as fast as the
 * work allows, or spread in real time at `timeScale` virtual seconds per real second. Requests are
 * taken one at a time, in the order they arrive. The one place where virtual time meets the wall
 * clock.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DccDocument, DccEmulator } from '../duis/dcc.ts';

/** The DCC Boxed endpoints and the CommandVariants each takes. */
export const DUIS_ENDPOINTS = {
  '/api/v1/serviceD': [8],
  '/api/v1/serviceS': [1, 3, 5, 7],
  '/api/v1/serviceT': [4],
} as const satisfies Record<string, readonly number[]>;

/** How the server runs. */
export interface DuisServerOptions {
  readonly dcc: DccEmulator;
  readonly port: number;
  /** Where asynchronous responses and alerts are POSTed; without one they are only logged. */
  readonly userEndpoint?: string;
  /** Virtual seconds per real second; undefined: as fast as the work allows. */
  readonly timeScale?: number;
  /** Each document sent, and each request refused (a log line). */
  readonly log?: (line: string) => void;
}

/** A running server. */
export interface DuisServer {
  readonly port: number;
  /** Resolves once every asynchronous document so far has been delivered. */
  drained(): Promise<void>;
  close(): Promise<void>;
}

const MAX_REQUEST_BYTES = 16 * 2 ** 20;

function body(req: IncomingMessage): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_REQUEST_BYTES) {
        reject(new Error(`request body over ${MAX_REQUEST_BYTES} bytes`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

/** Starts the server on 127.0.0.1 (and `port`, 0 for any free one). */
export async function startDuisServer(options: DuisServerOptions): Promise<DuisServer> {
  const { dcc } = options;
  const log = options.log ?? (() => {});
  // Requests one at a time; deliveries in order, each after the one before.
  let queue: Promise<unknown> = Promise.resolve();
  let deliveries: Promise<unknown> = Promise.resolve();
  let origin: { virtualUs: number; realMs: number } | undefined;

  const deliver = (doc: DccDocument) => {
    deliveries = deliveries.then(async () => {
      if (options.timeScale !== undefined && origin) {
        const dueMs = origin.realMs + (doc.atUs - origin.virtualUs) / 1000 / options.timeScale;
        const wait = dueMs - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      log(
        `${doc.kind} ${doc.code}${doc.device ? ` ${doc.device}` : ''}${doc.requestId ? ` ${doc.requestId}` : ''}`,
      );
      if (!options.userEndpoint) return;
      try {
        const res = await fetch(options.userEndpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/xml' },
          body: doc.xml,
        });
        if (!res.ok) log(`user endpoint answered ${res.status} to ${doc.kind} ${doc.code}`);
      } catch (error) {
        log(`user endpoint ${options.userEndpoint}: ${(error as Error).message}`);
      }
    });
  };

  const server: Server = createServer((req, res) => {
    const url = req.url ?? '';
    const variants = (DUIS_ENDPOINTS as Record<string, readonly number[]>)[url];
    if (req.method !== 'POST' || !variants) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`no endpoint ${req.method} ${url}\n`);
      return;
    }
    queue = queue.then(async () => {
      let bytes: Uint8Array;
      try {
        bytes = await body(req);
      } catch (error) {
        res.writeHead(413, { 'content-type': 'text/plain' }).end(`${(error as Error).message}\n`);
        return;
      }
      origin ??= { virtualUs: dcc.nowUs, realMs: performance.now() };
      const taken = dcc.submit(bytes, `${url} request`, variants);
      if (taken.refusal) {
        log(`refused: ${taken.refusal.message}`);
        res.writeHead(400, { 'content-type': 'text/plain' }).end(`${taken.refusal.message}\n`);
        return;
      }
      const [answer, ...more] = taken.documents;
      res.writeHead(200, { 'content-type': 'application/xml' }).end(answer?.xml ?? '');
      for (const doc of more) deliver(doc);
      for (const doc of dcc.settle()) deliver(doc);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    drained: async () => {
      await queue;
      await deliveries;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
