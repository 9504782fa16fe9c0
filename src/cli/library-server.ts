/**
 * The firmware library over HTTP on 127.0.0.1 (`hanota library serve`): `GET /` the page
 * (`firmware-library/page.ts`), `GET /api/entries` the same entries as JSON, `GET /images/<id>` an
 * image (checked against its hash before it is sent). With tokens, each request names one
 * (`?token=` or `Authorization: Bearer`) and sees what that token's supplier may see of the estate;
 * a request without a known token is refused (401). Without tokens the whole library is open.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HanotaError } from '../errors/errors.ts';
import type { LibraryIndex } from '../firmware-library/library-index.ts';
import { libraryPage } from '../firmware-library/page.ts';
import type { LibraryStore } from '../firmware-library/store.ts';

/** How the server runs. */
export interface LibraryServerOptions {
  readonly store: LibraryStore;
  readonly port: number;
  /** Token → supplier; without it, no access control. */
  readonly tokens?: ReadonlyMap<string, string>;
  /** What a supplier may see (called per request: the library may change under it). */
  readonly view: (index: LibraryIndex, supplier: string | undefined) => LibraryIndex;
}

/** A running server. */
export interface LibraryServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Starts the server; resolves once it listens. */
export function startLibraryServer(options: LibraryServerOptions): Promise<LibraryServer> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (status: number, type: string, body: string | Uint8Array) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (req.method !== 'GET') return send(405, 'text/plain', 'GET only\n');
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const token = url.searchParams.get('token') ?? bearer;
    const supplier =
      options.tokens && token !== undefined && token !== null ? options.tokens.get(token) : undefined;
    if (options.tokens && supplier === undefined)
      return send(401, 'text/plain', 'a known token is needed (?token= or Authorization: Bearer)\n');
    try {
      const index = options.view(options.store.index(), supplier);
      const suffix = options.tokens ? `?token=${encodeURIComponent(token as string)}` : '';
      if (url.pathname === '/') {
        const notes = new Map<string, string>();
        for (const e of index.entries)
          if (e.releaseNotesSha256)
            notes.set(e.cplEntryId, new TextDecoder().decode(options.store.object(e.releaseNotesSha256)));
        return send(
          200,
          'text/html; charset=utf-8',
          libraryPage(
            index,
            notes,
            supplier ?? 'all suppliers',
            (e) => `/images/${encodeURIComponent(e.cplEntryId)}${suffix}`,
          ),
        );
      }
      if (url.pathname === '/api/entries')
        return send(200, 'application/json', `${JSON.stringify({ entries: index.entries }, null, 2)}\n`);
      const image = /^\/images\/([^/]+)$/.exec(url.pathname);
      if (image) {
        let id: string;
        try {
          id = decodeURIComponent(image[1] as string);
        } catch {
          return send(400, 'text/plain', 'the entry ID in the path is not valid percent-encoding\n');
        }
        const entry = index.entries.find((e) => e.cplEntryId === id);
        if (!entry) return send(404, 'text/plain', 'no such image for this viewer\n');
        return send(200, 'application/octet-stream', options.store.object(entry.fileSha256));
      }
      return send(404, 'text/plain', 'not found\n');
    } catch (error) {
      // A damaged library, or anything else: this request fails, the server goes on.
      return send(500, 'text/plain', `${error instanceof HanotaError ? error.message : 'internal error'}\n`);
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () =>
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () => new Promise((done) => server.close(() => done())),
      }),
    );
  });
}
