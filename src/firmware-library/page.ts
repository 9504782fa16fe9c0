/**
 * The library's web page (SECMP0009: "a web interface with basic information on the images"):
 * per model and hardware version, the entries held with their status, release type and release
 * notes, a download link each, and the declared pathways drawn as a graph — entries as boxes in
 * columns by their distance from the model's first entries, each declared upgrade an arrow. One
 * self-contained HTML document, rendered on the server (no script), the same for every request of
 * the same view; text from the catalog and the notes is escaped.
 */
import type { LibraryEntry, LibraryIndex } from './library-index.ts';

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

/** One model and hardware version's entries, in CPL Entry ID order. */
function groupsOf(index: LibraryIndex): LibraryEntry[][] {
  const groups = new Map<string, LibraryEntry[]>();
  for (const e of index.entries) {
    const key = `${e.fir.deviceType}\u0000${e.fir.manufacturer}\u0000${e.fir.model}\u0000${e.fir.hardwareVersion}`;
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, entries]) => entries);
}

const BOX = { width: 120, height: 34, gapX: 60, gapY: 20, margin: 10 } as const;

/** The pathway graph of one group as SVG: held entries as boxes, declared edges among them as arrows. */
export function pathwayGraph(entries: readonly LibraryEntry[]): string {
  const ids = new Set(entries.map((e) => e.cplEntryId));
  const byId = new Map(entries.map((e) => [e.cplEntryId, e]));
  // Column: the longest chain of held bases below it (entries upgrading from nothing held: 0).
  const depth = new Map<string, number>();
  const depthOf = (id: string, seen: Set<string>): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    if (seen.has(id)) return 0;
    seen.add(id);
    const bases = (byId.get(id)?.fir.baseCplEntryIds ?? []).filter((b) => ids.has(b));
    const d = bases.length === 0 ? 0 : 1 + Math.max(...bases.map((b) => depthOf(b, seen)));
    depth.set(id, d);
    return d;
  };
  for (const e of entries) depthOf(e.cplEntryId, new Set());
  const columns = new Map<number, string[]>();
  for (const e of entries) {
    const d = depth.get(e.cplEntryId) as number;
    columns.set(d, [...(columns.get(d) ?? []), e.cplEntryId]);
  }
  const at = new Map<string, { x: number; y: number }>();
  for (const [d, column] of columns)
    for (const [row, id] of column.entries())
      at.set(id, {
        x: BOX.margin + d * (BOX.width + BOX.gapX),
        y: BOX.margin + row * (BOX.height + BOX.gapY),
      });
  const width = BOX.margin * 2 + columns.size * (BOX.width + BOX.gapX) - BOX.gapX;
  const height =
    BOX.margin * 2 +
    Math.max(...[...columns.values()].map((c) => c.length)) * (BOX.height + BOX.gapY) -
    BOX.gapY;
  const edges = entries.flatMap((e) =>
    e.fir.baseCplEntryIds
      .filter((b) => ids.has(b))
      .map((b) => {
        const from = at.get(b) as { x: number; y: number };
        const to = at.get(e.cplEntryId) as { x: number; y: number };
        return `<line class="edge" data-from="${escapeHtml(b)}" data-to="${escapeHtml(e.cplEntryId)}" x1="${from.x + BOX.width}" y1="${from.y + BOX.height / 2}" x2="${to.x}" y2="${to.y + BOX.height / 2}" marker-end="url(#arrow)"/>`;
      }),
  );
  const nodes = entries.map((e) => {
    const p = at.get(e.cplEntryId) as { x: number; y: number };
    return `<g class="node" data-entry="${escapeHtml(e.cplEntryId)}" data-status="${escapeHtml(e.fir.status)}"><rect x="${p.x}" y="${p.y}" width="${BOX.width}" height="${BOX.height}" rx="4"/><text x="${p.x + BOX.width / 2}" y="${p.y + BOX.height / 2 + 4}" text-anchor="middle">${escapeHtml(e.cplEntryId)}</text></g>`;
  });
  return `<svg class="pathways" role="img" aria-label="declared upgrade pathways" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}"><defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>${edges.join('')}${nodes.join('')}</svg>`;
}

/** The whole page of `index` as its viewer sees it; `link` makes an entry's download URL. */
export function libraryPage(
  index: LibraryIndex,
  notes: ReadonlyMap<string, string>,
  viewer: string,
  link: (entry: LibraryEntry) => string,
): string {
  const sections = groupsOf(index).map((entries) => {
    const f = (entries[0] as LibraryEntry).fir;
    const rows = entries.map(
      (e) =>
        `<tr data-entry="${escapeHtml(e.cplEntryId)}"><td>${escapeHtml(e.cplEntryId)}</td><td>${escapeHtml(e.fir.firmwareVersion)}</td><td>${escapeHtml(e.fir.status)}</td><td>${e.commercial ? 'commercial' : 'non-commercial'}</td><td>${escapeHtml(e.fir.baseCplEntryIds.join(', ') || 'N/A')}</td><td><a class="download" href="${escapeHtml(link(e))}" data-sha256="${e.fileSha256}">download</a></td><td class="notes">${escapeHtml(notes.get(e.cplEntryId) ?? '')}</td></tr>`,
    );
    return `<section class="model" data-model="${escapeHtml(f.model)}" data-hardware="${escapeHtml(f.hardwareVersion)}"><h2>${escapeHtml(`${f.deviceType} ${f.manufacturer} ${f.model}`)}, hardware ${escapeHtml(f.hardwareVersion)}</h2>${pathwayGraph(entries)}<table><thead><tr><th>entry</th><th>firmware</th><th>status</th><th>release</th><th>upgrades from</th><th>image</th><th>release notes</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
  });
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>hanota firmware library</title><style>body{font:14px system-ui,sans-serif;margin:1rem;max-width:70rem}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}.notes{white-space:pre-wrap}svg.pathways{max-width:100%;height:auto}.node rect{fill:#eef;stroke:#336}.node[data-status="Active"] rect{fill:#dfd}.edge{stroke:#336;stroke-width:1.5}</style></head><body><h1>Firmware library</h1><p class="viewer">${escapeHtml(viewer)}: ${index.entries.length} image(s)</p>${sections.join('') || '<p>No image.</p>'}</body></html>\n`;
}
