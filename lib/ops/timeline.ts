// A Chrome trace drawn as a self-contained SVG timeline (`rras-bridge trace --format svg`),
// for a router with no way to reach a trace viewer: a lane per thread with each call as a
// slice, messages and events as ticks with their flow arrows, each DoUpdateRoutes until its
// UPDATE_COMPLETE as a bar in the updates lane, and host starts and losses as markers across.
import type { ChromeEvent } from './chrome.js';

const LABEL = 230, WIDTH = 1400, LANE = 34, TOP = 72, SLICE = 18;
const palette = ['#4e79a7', '#f28e2b', '#59a14f', '#b07aa1', '#76b7b2', '#edc948', '#ff9da7', '#9c755f', '#bab0ac', '#e15759'];
const categoryColour: Record<string, string> = { host: '#e15759', events: '#59a14f', update: '#f28e2b', routprot: '#4e79a7' };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const hash = (s: string) => [...s].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7);

function niceStep(spanUs: number): number {
  const raw = spanUs / 8;
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? p * 10;
}

function timeLabel(us: number): string {
  if (us === 0) return '0';
  if (us < 1000) return `${+us.toFixed(1)} us`;
  if (us < 1e6) return `${+(us / 1000).toFixed(2)} ms`;
  return `${+(us / 1e6).toFixed(2)} s`;
}

export function renderTimeline(events: ChromeEvent[], title = 'rras-bridge trace'): string {
  const timed = events.filter((e) => e.ph !== 'M');
  if (!timed.length) return `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="40"><text x="10" y="25" font-family="sans-serif">no records</text></svg>\n`;
  const t0 = Math.min(...timed.map((e) => e.ts));
  const t1 = Math.max(...timed.map((e) => e.ts + (e.dur ?? 0)));
  const span = Math.max(t1 - t0, 1);
  const x = (ts: number) => LABEL + ((ts - t0) / span) * WIDTH;

  // Lanes: the threads in order of appearance, then the updates lane.
  const names = new Map<number, string>();
  for (const e of events) if (e.ph === 'M' && e.name === 'thread_name') names.set(e.tid, String(e.args?.name ?? e.tid));
  const lanes: number[] = [];
  for (const e of timed) if (e.ph !== 'b' && e.ph !== 'e' && e.s !== 'g' && !lanes.includes(e.tid)) lanes.push(e.tid);
  const laneOf = new Map(lanes.map((tid, i) => [tid, i]));
  const y = (tid: number) => TOP + (laneOf.get(tid) ?? 0) * LANE;

  // Updates: b/e pairs by id, stacked in rows so that overlapping ones stay apart.
  const begins = new Map<string, ChromeEvent>();
  const spans: { from: number; to: number; name: string; ok: boolean }[] = [];
  for (const e of timed) {
    if (e.ph === 'b' && e.id) begins.set(e.id, e);
    if (e.ph === 'e' && e.id && begins.has(e.id)) {
      spans.push({ from: begins.get(e.id)!.ts, to: e.ts, name: e.name, ok: e.args?.updateStatus === 'NO_ERROR' || e.args?.updateStatus === 0 });
      begins.delete(e.id);
    }
  }
  const rowsEnd: number[] = [];
  const placed = spans.map((s) => {
    let row = rowsEnd.findIndex((end) => end <= x(s.from) - 2);
    if (row < 0) row = rowsEnd.push(0) - 1;
    rowsEnd[row] = Math.max(x(s.to), x(s.from) + 3);
    return { ...s, row };
  });
  const updatesTop = TOP + lanes.length * LANE + 10;
  const height = updatesTop + Math.max(rowsEnd.length, 1) * 12 + 72;
  const total = LABEL + WIDTH + 20;

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${total}" height="${height}" viewBox="0 0 ${total} ${height}" font-family="DejaVu Sans, Verdana, sans-serif" font-size="11">`);
  out.push(`<rect width="100%" height="100%" fill="#ffffff"/>`);
  out.push(`<text x="10" y="20" font-size="14" font-weight="bold">${esc(title)}</text>`);
  out.push(`<text x="10" y="38" fill="#555">${esc(new Date(t0 / 1000).toISOString())} + ${timeLabel(span)}, ${timed.filter((e) => e.ph === 'X').length} calls, ${timed.filter((e) => e.cat === 'host' && e.ph === 'i' && e.s !== 'g').length} messages, ${timed.filter((e) => e.cat === 'events' && e.ph === 'i').length} events</text>`);
  // Axis.
  const step = niceStep(span);
  for (let t = 0; t <= span; t += step) {
    out.push(`<line x1="${x(t0 + t)}" y1="${TOP - 6}" x2="${x(t0 + t)}" y2="${height - 52}" stroke="#eee"/>`);
    out.push(`<text x="${x(t0 + t)}" y="${height - 38}" text-anchor="middle" fill="#666">${timeLabel(t)}</text>`);
  }
  // Legend.
  const legend: [string, string][] = [
    ['<rect width="12" height="10" fill="#4e79a7"/>', 'a routprot.h call (one colour per entry point)'],
    [`<path d="M6 0 l-5 10 h10 z" fill="${categoryColour.host}"/>`, 'a message to or from the host'],
    [`<path d="M6 0 l-5 10 h10 z" fill="${categoryColour.events}"/>`, 'an event queued or drained'],
    ['<line x1="0" y1="5" x2="12" y2="5" stroke="#999"/>', 'request to reply, queued to drained'],
    [`<rect width="12" height="10" fill="${categoryColour.update}"/>`, 'an update until its UPDATE_COMPLETE'],
    ['<rect width="12" height="10" fill="#e15759"/>', 'one that failed'],
    ['<line x1="6" y1="0" x2="6" y2="10" stroke="#e15759" stroke-dasharray="3 2"/>', 'the host lost, started'],
  ];
  let lx = 10;
  for (const [mark, label] of legend) {
    out.push(`<g transform="translate(${lx},${height - 20})">${mark}<text x="17" y="9" fill="#444">${label}</text></g>`);
    lx += 24 + label.length * 6.2;
  }
  // Lanes and labels.
  lanes.forEach((tid, i) => {
    const ly = TOP + i * LANE;
    out.push(`<rect x="0" y="${ly - 2}" width="${total}" height="${LANE}" fill="${i % 2 ? '#fafafa' : '#f3f5f8'}"/>`);
    out.push(`<text x="10" y="${ly + SLICE / 2 + 6}">${esc(names.get(tid) ?? `thread ${tid}`)}</text>`);
  });
  out.push(`<text x="10" y="${updatesTop + 10}">DoUpdateRoutes → UPDATE_COMPLETE</text>`);
  // Flows under everything else.
  const starts = new Map<string, ChromeEvent>();
  for (const e of timed) {
    if (e.ph === 's' && e.id) starts.set(e.id, e);
    if (e.ph === 'f' && e.id && starts.has(e.id)) {
      const s = starts.get(e.id)!;
      out.push(`<line x1="${x(s.ts)}" y1="${y(s.tid) + SLICE + 4}" x2="${x(e.ts)}" y2="${y(e.tid) + SLICE + 4}" stroke="${categoryColour[e.cat ?? ''] ?? '#999'}" stroke-opacity="0.45" stroke-width="1"/>`);
    }
  }
  // Slices, with their names where they fit.
  for (const e of timed.filter((e) => e.ph === 'X')) {
    const x0 = x(e.ts), w = Math.max(((e.dur ?? 0) / span) * WIDTH, 1.5);
    const fill = palette[hash(e.name) % palette.length];
    out.push(`<rect x="${x0.toFixed(2)}" y="${y(e.tid)}" width="${w.toFixed(2)}" height="${SLICE}" fill="${fill}" rx="1"><title>${esc(`${e.name} ${JSON.stringify(e.args ?? {})} ${timeLabel(e.dur ?? 0)}`)}</title></rect>`);
    if (w > e.name.length * 6.5 + 4) out.push(`<text x="${(x0 + 3).toFixed(2)}" y="${y(e.tid) + 13}" fill="#fff">${esc(e.name)}</text>`);
  }
  // Thread-scoped instants as ticks below the slices.
  for (const e of timed.filter((e) => e.ph === 'i' && e.s !== 'g')) {
    const ex = x(e.ts), ey = y(e.tid) + SLICE + 1;
    out.push(`<path d="M${ex.toFixed(2)} ${ey} l-3 7 h6 z" fill="${categoryColour[e.cat ?? ''] ?? '#777'}"><title>${esc(`${e.name} ${JSON.stringify(e.args ?? {})}`)}</title></path>`);
  }
  // Updates.
  for (const p of placed) {
    const py = updatesTop + 16 + p.row * 12;
    out.push(`<rect x="${x(p.from).toFixed(2)}" y="${py}" width="${Math.max(x(p.to) - x(p.from), 2).toFixed(2)}" height="9" fill="${p.ok ? '#f28e2b' : '#e15759'}"><title>${esc(`${p.name}: ${timeLabel(p.to - p.from)}`)}</title></rect>`);
  }
  // Host markers across all lanes.
  for (const e of timed.filter((e) => e.s === 'g')) {
    const ex = x(e.ts);
    const lost = /lost|kill|gave-up/.test(e.name);
    out.push(`<line x1="${ex}" y1="${TOP - 12}" x2="${ex}" y2="${height - 52}" stroke="${lost ? '#e15759' : '#59a14f'}" stroke-width="1.5" stroke-dasharray="4 3"/>`);
    const right = ex > LABEL + WIDTH * 0.75;  // near the right edge: the label goes left of the line
    out.push(`<text x="${right ? ex - 3 : ex + 3}" y="${TOP - 14}" text-anchor="${right ? 'end' : 'start'}" fill="${lost ? '#c0392b' : '#2e7d32'}">${esc(e.name)}</text>`);
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}
