'use strict';
// The Clip4Stream search page. Everything goes through the query service: /search (text), /search/image and
// /search/similar (by example), /thumbnails, /sources, and the
// ingest-service behind /ingest (uploads, live streams, status, playback), so the page needs one origin and one key.

// The ingest-service's API: POST /sources (JSON registration), POST /sources/upload?sourceId= (raw body),
// GET /sources/{id} (status). Playback comes from CLIP4S_QUERY_MEDIA_URL_TEMPLATE (default /media/{sourceId}, the
// ingest-service's stored videos through the query service), served as /config.json.
const INGEST = {
  upload: (sourceId) => `/ingest/sources/upload?sourceId=${encodeURIComponent(sourceId)}`,
  register: () => '/ingest/sources',
  status: (sourceId) => `/ingest/sources/${encodeURIComponent(sourceId)}`,
  list: () => '/ingest/sources',
};
const config = fetch('/config.json').then((r) => r.json()).catch(() => ({ mediaUrlTemplate: '/media/{sourceId}' }));
const MAX_STATUS_LOOKUPS = 50;

// Sources registered or uploaded from this browser, so their ingest status shows before they are searchable.
function knownSources() {
  return JSON.parse(localStorage.getItem('clip4stream.sources') || '[]');
}
function rememberSource(sourceId) {
  const known = new Set(knownSources());
  known.add(sourceId);
  localStorage.setItem('clip4stream.sources', JSON.stringify([...known].slice(-MAX_STATUS_LOOKUPS)));
}

const $ = (id) => document.getElementById(id);
const keyInput = $('api-key');
keyInput.value = localStorage.getItem('clip4stream.apiKey') || '';
keyInput.addEventListener('change', () => localStorage.setItem('clip4stream.apiKey', keyInput.value.trim()));

function headers(extra) {
  const h = Object.assign({}, extra || {});
  const key = keyInput.value.trim();
  if (key) h['X-Api-Key'] = key;
  return h;
}

async function api(path, options) {
  const response = await fetch(path, Object.assign({}, options, { headers: headers((options || {}).headers) }));
  const type = response.headers.get('Content-Type') || '';
  const body = type.includes('json') ? await response.json() : await response.text();
  if (!response.ok) {
    // The server's sentence; codes and URLs are for scripts, not for the person reading the page.
    const message = body && body.error ? body.error.message : `the service answered HTTP ${response.status}`;
    throw Object.assign(new Error(message), { status: response.status });
  }
  return body;
}

// Images and video cannot send headers; with a key they are fetched and shown from blob URLs instead.
async function mediaUrl(path) {
  if (!keyInput.value.trim()) return path;
  const response = await fetch(path, { headers: headers() });
  if (!response.ok) throw new Error(`HTTP ${response.status} for ${path}`);
  return URL.createObjectURL(await response.blob());
}

function sizeText(n) {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  return n >= 1e3 ? `${(n / 1e3).toFixed(0)} kB` : `${n} bytes`;
}

function seconds(micros) {
  const total = micros / 1e6;
  const m = Math.floor(total / 60);
  const s = (total - m * 60).toFixed(1).padStart(4, '0');
  return `${m}:${s}`;
}

function text(tag, className, content) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  element.textContent = content;
  return element;
}

function filterParams() {
  const params = new URLSearchParams({ k: $('k').value });
  const sources = $('sources-filter').value.trim();
  if (sources) params.set('sources', sources);
  return params;
}

async function search(event) {
  event.preventDefault();
  const params = filterParams();
  params.set('q', $('query').value);
  params.set('rerank', $('rerank').checked);
  await showResults(`“${$('query').value}”`, () => api(`/search?${params}`));
}

// Search by example: the clip's own vector is the query; the clip itself is never among the hits.
async function findSimilar(hit) {
  const params = filterParams();
  params.set('clip', hit.clipId);
  await showResults(`clips like ${hit.sourceId} at ${seconds(hit.startMicros)}`,
    () => api(`/search/similar?${params}`));
}

// The formats the service decodes itself (the JDK's ImageIO). Anything else this browser can show (WebP, AVIF; HEIC
// in Safari) is redrawn as PNG here first, so it is searched instead of refused with 415.
const SERVICE_IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/bmp']);

async function asServiceImage(file) {
  if (SERVICE_IMAGE_TYPES.has(file.type)) return file;
  let bitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch (error) {
    return file; // the browser cannot show it either: the service's answer says why it cannot be searched
  }
  const canvas = document.createElement('canvas');
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  canvas.getContext('2d').drawImage(bitmap, 0, 0);
  bitmap.close();
  const png = await new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
  return png ? new File([png], `${file.name}.png`, { type: 'image/png' }) : file;
}

// Search by example: the image goes as the raw body; the service decodes, prepares and encodes it like a frame.
async function searchImage(file) {
  if (!file) return;
  const drop = $('image-drop');
  drop.dataset.fileName = file.name;
  drop.querySelector('.drop-label').textContent = `image: ${file.name}`;
  const image = await asServiceImage(file);
  await showResults(`image ${file.name}`, () => api(`/search/image?${filterParams()}`, {
    method: 'POST', body: image, headers: { 'Content-Type': image.type || 'application/octet-stream' },
  }));
}

async function showResults(what, run) {
  const status = $('search-status');
  const list = $('results');
  status.className = '';
  status.textContent = 'Searching…';
  list.replaceChildren();
  try {
    const result = await run();
    const answered = result.shards.filter((s) => s.status === 'ok').length;
    status.dataset.example = result.example || '';
    status.textContent = `${what}: ${result.hits.length} hits · ${answered}/${result.shards.length} shards · `
        + (result.reranked ? 'tight re-rank' : `first-stage order (${result.rerankNote})`)
        + ` · ${(result.timings.totalMicros / 1000).toFixed(1)} ms`;
    if (result.partial) {
      status.className = 'partial';
      const answeredAll = answered === result.shards.length && result.unservedPartitions.length === 0;
      status.textContent += answeredAll && result.notReranked > 0
        ? ` · PARTIAL: ${result.notReranked} candidates not re-ranked within the budget`
        : ' · PARTIAL: some shards did not answer';
    }
    // No hits because the index holds clips only under other model versions: say so rather than show an empty list.
    if (result.note) {
      const note = text('li', 'note', result.note);
      note.id = 'search-note';
      list.append(note);
    }
    for (const hit of result.hits) list.append(renderHit(hit, result.searchableUpToMicros[hit.sourceId]));
  } catch (error) {
    status.className = 'error';
    status.textContent = `Search failed: ${error.message}`;
  }
}

function renderHit(hit, upTo) {
  const item = document.createElement('li');
  item.className = 'hit';
  item.dataset.clipId = hit.clipId;
  const image = document.createElement('img');
  image.alt = `thumbnail of ${hit.clipId}`;
  if (hit.thumbnailUrl) {
    mediaUrl(hit.thumbnailUrl).then((url) => { image.src = url; }).catch(() => { image.alt = 'no thumbnail'; });
  }
  const meta = document.createElement('div');
  meta.className = 'meta';
  meta.append(
    text('span', 'source', `${hit.rank}. ${hit.sourceId} · clip ${hit.clipIndex}`),
    text('span', 'time', `${seconds(hit.startMicros)} – ${seconds(hit.endMicros)}`),
    text('span', 'scores', `score ${hit.score.toFixed(4)} · first stage ${hit.firstStageScore.toFixed(4)}`),
  );
  if (hit.provisional) meta.append(text('span', 'live', 'live'));
  if (upTo !== undefined) meta.append(text('span', 'upto', `searchable up to ${seconds(upTo)}`));
  const similar = text('button', 'find-similar', 'Find similar');
  similar.type = 'button';
  similar.addEventListener('click', (event) => {
    event.stopPropagation();
    findSimilar(hit);
  });
  meta.append(similar);
  item.append(image, meta);
  item.addEventListener('click', () => play(hit));
  return item;
}

// Playback: a video element cannot send the API key, so with a key the page asks for a signed link first. A
// one-byte probe (through the same route) turns "not stored" (live and URL sources) into a readable message.
async function playbackUrl(sourceId, template) {
  const id = encodeURIComponent(sourceId);
  const path = template.replaceAll('{sourceId}', id);
  if (!path.startsWith('/media/')) return path;
  const url = keyInput.value.trim() ? (await api(`/media-links/${id}`)).url : path;
  const probe = await fetch(url, { headers: { Range: 'bytes=0-0' } });
  if (!probe.ok) {
    const body = await probe.json().catch(() => null);
    throw new Error(body && body.error ? body.error.message : `HTTP ${probe.status}`);
  }
  return url;
}

async function play(hit) {
  const box = $('player-box');
  const video = $('player');
  const status = $('player-status');
  box.hidden = false;
  $('player-title').textContent = `${hit.sourceId} at ${seconds(hit.startMicros)}`;
  status.textContent = 'Loading…';
  const start = hit.startMicros / 1e6;
  const template = (await config).mediaUrlTemplate;
  if (!template) {
    status.textContent = 'Playback is not configured (CLIP4S_QUERY_MEDIA_URL_TEMPLATE).';
    return;
  }
  try {
    const url = await playbackUrl(hit.sourceId, template);
    video.dataset.clipId = hit.clipId;
    video.onloadedmetadata = () => {
      video.currentTime = start;
      video.play().catch(() => {});
      status.textContent = '';
    };
    video.onerror = () => { status.textContent = 'This browser cannot play the video of this source.'; };
    // The media fragment starts (and ends) playback at the hit's time range.
    video.src = `${url}#t=${start},${hit.endMicros / 1e6}`;
  } catch (error) {
    video.removeAttribute('src');
    status.textContent = `No playback: ${error.message}`;
  }
}

// A source id from a file name, as `bin/clip4stream ingest` derives it: the name without its extension, other
// characters than letters, digits, '.', '_' and '-' replaced by '-'.
function idFromFileName(name) {
  const id = name.replace(/\.[A-Za-z0-9]{1,5}$/, '').replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 128);
  return id && id !== '.' && id !== '..' ? id : 'video';
}

// Ids for the chosen files: the one typed for a single file, else each file's own, made unique with -2, -3, ...
function uploadIds(files, typed) {
  if (files.length === 1 && typed) return [typed];
  const taken = new Set();
  return files.map((file) => {
    const base = idFromFileName(file.name);
    let id = base;
    for (let n = 2; taken.has(id); n++) id = `${base.slice(0, 128 - `-${n}`.length)}-${n}`;
    taken.add(id);
    return id;
  });
}

// Uploads the chosen files one after another (one refused does not stop the others) and says what became of each.
async function upload(event) {
  event.preventDefault();
  const files = [...$('upload-file').files];
  const typed = $('upload-source').value.trim();
  const status = $('ingest-status');
  if (files.length === 0) return;
  if (files.length > 1 && typed) {
    status.className = 'error';
    status.textContent = 'A source id names one upload: leave it empty to name each upload after its file.';
    return;
  }
  const ids = uploadIds(files, typed);
  const accepted = [];
  const failed = [];
  status.className = '';
  for (let i = 0; i < files.length; i++) {
    const file = files[i];
    status.textContent = files.length === 1
      ? `Uploading ${file.name}…` : `Uploading ${i + 1} of ${files.length}: ${file.name}…`;
    try {
      const body = await api(INGEST.upload(ids[i]), {
        method: 'POST', body: file, headers: { 'Content-Type': file.type || 'application/octet-stream' },
      });
      accepted.push({ id: body.sourceId, size: file.size });
      rememberSource(body.sourceId);
    } catch (error) {
      failed.push({ name: file.name, message: error.message });
    }
  }
  refreshSources();
  if (files.length === 1) {
    if (failed.length) {
      status.className = 'error';
      status.textContent = `Upload failed: ${failed[0].message}`;
    } else {
      status.textContent = `Accepted ${accepted[0].id} (${sizeText(accepted[0].size)} uploaded): it is being`
          + ' ingested; its progress shows under Sources.';
    }
    return;
  }
  const names = accepted.map((a) => a.id).join(', ');
  if (failed.length === 0) {
    status.textContent = `Accepted ${accepted.length} uploads (${names}): they are being ingested; their progress`
        + ' shows under Sources.';
  } else {
    status.className = 'error';
    status.textContent = `Accepted ${accepted.length} of ${files.length} uploads${names ? ` (${names})` : ''}.`
        + ` Failed: ${failed.map((f) => `${f.name}: ${f.message}`).join('; ')}`;
  }
}

async function registerLive(event) {
  event.preventDefault();
  const status = $('ingest-status');
  try {
    const body = await api(INGEST.register(), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ sourceId: $('live-source').value, kind: 'LIVE', uri: $('live-url').value }),
    });
    status.className = '';
    status.textContent = `Registered ${body.sourceId} (live stream): its first clips become searchable as they`
        + ' arrive; progress shows under Sources.';
    rememberSource(body.sourceId);
    refreshSources();
  } catch (error) {
    status.className = 'error';
    status.textContent = `Registration failed: ${error.message}`;
  }
}

let refreshGeneration = 0;
let refreshesPending = 0;
async function refreshSources() {
  const status = $('sources-status');
  status.dataset.pending = ++refreshesPending;
  try {
    await refreshSourcesOnce();
  } finally {
    status.dataset.pending = --refreshesPending;
  }
}

async function refreshSourcesOnce() {
  // Refreshes overlap (start-up, the button, an upload); only the newest one writes, and it writes its message once.
  const generation = ++refreshGeneration;
  const tbody = $('sources-table').querySelector('tbody');
  const status = $('sources-status');
  const notes = [];
  const rows = new Map();
  try {
    const index = await api('/sources');
    for (const [source, upTo] of Object.entries(index.sources)) rows.set(source, { upTo });
    if (index.partial) notes.push('Some index shards did not answer.');
  } catch (error) {
    notes.push(`Index: ${error.message}.`);
  }
  // Every source the ingest service knows, failed ones included (an older ingest service has no list: then
  // only the index's sources and this browser's are looked up one by one).
  const listed = new Map();
  try {
    for (const s of (await api(INGEST.list())).sources) listed.set(s.sourceId, s);
  } catch (error) {
    // Looked up one by one below; an outage shows there once.
  }
  for (const source of listed.keys()) if (!rows.has(source)) rows.set(source, {});
  for (const source of knownSources()) if (!rows.has(source)) rows.set(source, {});
  const ids = [...rows.keys()].sort().slice(0, Math.max(MAX_STATUS_LOOKUPS, listed.size));
  const statuses = await Promise.allSettled(
    ids.map((id) => (listed.has(id) ? Promise.resolve(listed.get(id)) : api(INGEST.status(id)))));
  let ingestErrors = 0;
  statuses.forEach((result, i) => {
    const row = rows.get(ids[i]);
    if (result.status === 'fulfilled') {
      const s = result.value;
      row.state = s.state;
      row.warning = Boolean(s.reason); // a truncated file: DONE, searchable as far as it went
      row.ingest = `${s.state} ${s.kind}` + (s.state === 'DECODING' ? ` ${Math.round(s.progressPercent)}%` : '')
          + ` · ${s.clipsEmitted} clips` + (s.reason ? ` · ${s.reason}` : '');
    } else if (result.reason.status === 404) {
      row.ingest = 'not known to the ingest service';
    } else {
      ingestErrors++;
      row.ingest = '–';
    }
  });
  if (generation !== refreshGeneration) return;
  if (ingestErrors) notes.push(`Ingest status unavailable for ${ingestErrors} source(s).`);
  status.textContent = notes.join(' ');
  tbody.replaceChildren();
  for (const id of ids) {
    const row = rows.get(id);
    if (row.state === 'DELETED') continue;
    const tr = document.createElement('tr');
    tr.dataset.sourceId = id;
    if (row.state === 'FAILED') tr.className = 'failed';
    if (row.state === 'DONE' && row.warning) tr.className = 'warning';
    const actions = document.createElement('td');
    if (row.state) actions.append(deleteButton(id));
    tr.append(
      text('td', '', id),
      text('td', '', row.upTo === undefined ? '–' : seconds(row.upTo)),
      text('td', '', row.ingest || '–'),
      actions,
    );
    tbody.append(tr);
  }
}

// Deleting a source stops its run, removes its clips from the index and its stored video: it asks first.
function deleteButton(sourceId) {
  const button = text('button', 'delete', 'Delete');
  button.type = 'button';
  button.title = `Delete ${sourceId}`;
  button.addEventListener('click', async () => {
    if (!window.confirm(`Delete ${sourceId}? Its clips leave the search results and its stored video is removed.`
        + ' This cannot be undone.')) return;
    const status = $('sources-status');
    try {
      await api(INGEST.status(sourceId), { method: 'DELETE' });
    } catch (error) {
      status.className = 'error';
      status.textContent = `Cannot delete ${sourceId}: ${error.message}`;
      return;
    }
    // After the refresh, which rewrites this line with its own notes.
    await refreshSources();
    status.className = '';
    status.textContent = `Deleted ${sourceId}.`;
  });
  return button;
}

// Which model answers, what it knows, and example queries that show it working (from the model directory's
// config.json through /config.json).
async function describeModel() {
  const model = (await config).model || {};
  if (!model.id) return;
  const heads = model.rerankHead ? `${model.head} + ${model.rerankHead} re-rank` : model.head;
  const random = model.knows === 'random-weights';
  const knows = random
    ? ' · RANDOM WEIGHTS: it knows nothing and its rankings are meaningless; load real weights (README)'
    : model.knows === 'synthetic-world'
      ? ' · knows only the synthetic demo world (coloured shapes moving, growing, spinning…), not real video'
      : (model.knows ? ` · trained on ${model.knows}` : ' · what it was trained on is not recorded');
  $('model-line').textContent = `Model: ${model.id} (${model.version}) · ${heads}${knows}`;
  $('model-line').classList.toggle('random', random);
  const examples = model.exampleQueries || [];
  if (!examples.length) return;
  $('query').placeholder = examples[0];
  const box = $('examples');
  for (const query of examples.slice(0, 3)) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'example';
    button.textContent = query;
    button.addEventListener('click', () => {
      $('query').value = query;
      $('search-form').requestSubmit();
    });
    box.append(button, ' ');
  }
  box.hidden = false;
}

$('search-form').addEventListener('submit', search);

// The image drop zone: drop an image on it, or click it to pick a file.
const drop = $('image-drop');
const imageInput = $('image-file');
drop.addEventListener('click', () => imageInput.click());
drop.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' || event.key === ' ') imageInput.click();
});
imageInput.addEventListener('change', () => searchImage(imageInput.files[0]));
// Files dropped on `element` go to `onFiles`; it is outlined while something is dragged over it.
function acceptDrops(element, onFiles) {
  element.addEventListener('dragover', (event) => {
    event.preventDefault();
    element.classList.add('dragging');
  });
  element.addEventListener('dragleave', () => element.classList.remove('dragging'));
  element.addEventListener('drop', (event) => {
    event.preventDefault();
    element.classList.remove('dragging');
    if (event.dataTransfer.files.length) onFiles(event.dataTransfer.files);
  });
}
acceptDrops(drop, (files) => searchImage(files[0]));
describeModel();

// A model change in progress (model deploy / activate): which version is being built, how far every shard is, and
// which version searches use. Polled, since a rebuild takes minutes to hours.
const MODEL_CHANGE_POLL_MS = 5000;
async function refreshModelChange() {
  let report;
  try {
    const response = await fetch('/v1/models');
    if (!response.ok) return;
    report = await response.json();
  } catch (e) {
    return;
  }
  const lines = [];
  for (const [version, v] of Object.entries(report.versions || {})) {
    if (version === report.active || v.status === 'retired') continue;
    const shards = Object.values(v.shards || {});
    const held = shards.reduce((n, s) => n + s.held, 0);
    const total = shards.reduce((n, s) => n + s.total, 0);
    const complete = shards.filter((s) => s.complete).length;
    if (v.notBuilt) {
      lines.push(`Model version ${version} is not built: ${v.notBuilt}`);
    } else if (v.status === 'deployed') {
      lines.push(v.ready
        ? `Model version ${version} is built on every shard: activate it with bin/clip4stream model activate ${version}`
        : `Building model version ${version}: ${complete}/${(report.partitions || []).length || shards.length} shards,`
          + ` ${held}/${total} clips (searches use ${report.active})`);
    }
  }
  const line = $('model-change');
  line.textContent = lines.join(' · ');
  line.hidden = lines.length === 0;
}
refreshModelChange();
setInterval(refreshModelChange, MODEL_CHANGE_POLL_MS);
$('upload-form').addEventListener('submit', upload);
// Videos dropped on the upload form are uploaded as if picked, each named after its file.
acceptDrops($('upload-form'), (files) => {
  $('upload-file').files = files;
  $('upload-form').requestSubmit();
});
$('live-form').addEventListener('submit', registerLive);
$('refresh-sources').addEventListener('click', refreshSources);
refreshSources();

// Standing queries and alerts: the alert service behind /standing-queries and /alerts (404 when it is not
// configured, and then the button and list stay hidden). The list is polled: the Server-Sent Events stream is not built.
const ALERT_POLL_MS = 5000;

async function watchQuery() {
  const q = $('query').value.trim();
  if (!q) return;
  const sources = $('sources-filter').value.split(',').map((s) => s.trim()).filter(Boolean);
  try {
    const body = await api('/standing-queries', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ text: q, sources }),
    });
    $('alert-status').textContent =
      `Watching "${body.standingQuery.text}" (${body.standingQuery.id}): about one alert a day per source.`;
  } catch (error) {
    $('alert-status').textContent = `Cannot watch: ${error.message}`;
  }
}

function renderAlert(alert) {
  const item = document.createElement('li');
  item.className = 'alert';
  const image = document.createElement('img');
  image.alt = '';
  image.width = 96;
  mediaUrl(`/thumbnails/${encodeURIComponent(alert.bestClipId)}`).then((url) => { image.src = url; }).catch(() => {});
  item.append(
    image,
    text('strong', null, alert.queryText),
    text('span', null, ` on ${alert.sourceId} at ${seconds(alert.startSeconds * 1e6)}–${seconds(alert.endSeconds * 1e6)}`
      + ` · ${alert.state.toLowerCase()} · score ${alert.bestScore.toFixed(3)}`));
  item.addEventListener('click', () => play({
    sourceId: alert.sourceId,
    clipId: alert.bestClipId,
    startMicros: alert.startSeconds * 1e6,
    endMicros: alert.endSeconds * 1e6,
  }));
  return item;
}

async function refreshAlerts() {
  try {
    const body = await api('/alerts?limit=20');
    $('alerts').hidden = false;
    $('watch-button').hidden = false;
    $('alert-list').replaceChildren(...body.alerts.map(renderAlert));
    return true;
  } catch (error) {
    return error.status !== 404;
  }
}

$('watch-button').addEventListener('click', watchQuery);
refreshAlerts().then((available) => { if (available) setInterval(refreshAlerts, ALERT_POLL_MS); });
