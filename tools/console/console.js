// gridroute operations-centre console (tools/console/CONSOLE.md).
// One page, no build step, no internet: Leaflet (vendored) draws the grids the
// server sends for the viewport (GET /v1/grids); a click routes the point
// (POST /v1/route); the live feed is Server-Sent Events read with fetch (so
// the bearer token can be sent: EventSource cannot send headers); cases come
// from GET /v1/cases and the choropleth from GET /v1/stats.
(function () {
  'use strict';

  const TOKEN_KEY = 'gridroute.token';
  const FEED_ITEMS = 100;       // entries kept in the feed list
  const FEED_DOTS = 400;        // dots kept on the map
  const DOT_LIFE_MS = 12000;    // a dot fades out over this long
  const state = {
    token: sessionStorage.getItem(TOKEN_KEY) || '',
    levels: [],                 // ["grid", ...hierarchy levels top first]
    cityBbox: null,
    gridsAbort: null,
    gridsLayer: null,
    lastGrids: null,            // {level, features, truncated, matched, ms, bytes}
    categories: [],
    stats: null,                // {level, metric, byCode: Map}
    lastClick: null,            // {lat, lng} exactly as sent
    lastDecision: null,
    feed: {connected: false, received: 0, dropped: 0},
    dots: [],
  };
  const $ = (id) => document.getElementById(id);

  // ---- HTTP -------------------------------------------------------------
  function authHeaders(extra) {
    const h = Object.assign({}, extra || {});
    if (state.token) h.Authorization = 'Bearer ' + state.token;
    return h;
  }
  async function api(path, options) {
    const o = Object.assign({}, options || {});
    o.headers = authHeaders(o.headers);
    const res = await fetch(path, o);
    const text = await res.text();
    let body = null;
    try { body = text ? JSON.parse(text) : {}; } catch (e) { body = {message: text.slice(0, 200)}; }
    if (!res.ok) {
      const err = new Error(res.status + ' ' + (body && body.message ? body.message : res.statusText));
      err.status = res.status;
      throw err;
    }
    return body;
  }
  function setStatus(msg) { $('status').textContent = msg || ''; }
  function esc(s) {
    return String(s == null ? '' : s).replace(/[&<>"']/g, (c) => (
      {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c]));
  }

  // ---- map --------------------------------------------------------------
  const renderer = L.canvas({padding: 0.2});
  const map = L.map('map', {preferCanvas: true, zoomSnap: 0.5, worldCopyJump: false});
  const clickMarker = L.circleMarker([0, 0], {radius: 6, color: '#000', weight: 2, fillOpacity: 0});
  const dotLayer = L.layerGroup().addTo(map);

  function hierarchy() { return state.levels.slice(1); }
  function levelForZoom(z) {
    const h = hierarchy();
    const chosen = $('level').value;
    if (state.stats) return state.stats.level;
    if (chosen !== 'auto') return chosen;
    if (z >= 15 || h.length === 0) return 'grid';
    if (z >= 13 || h.length === 1) return h[h.length - 1];
    return h[h.length - 2];
  }
  function hashColour(key) {
    let h = 2166136261;
    for (let i = 0; i < key.length; i++) { h ^= key.charCodeAt(i); h = Math.imul(h, 16777619); }
    const hue = ((h >>> 0) % 360);
    return 'hsl(' + hue + ',62%,' + (52 + ((h >>> 9) % 14)) + '%)';
  }
  function rateColour(rate) {
    // red (0) -> amber -> green (1)
    const r = Math.max(0, Math.min(1, rate));
    return 'hsl(' + Math.round(120 * r) + ',70%,45%)';
  }
  function featureStyle(f) {
    const p = f.properties;
    if (state.stats) {
      const v = statValue(state.stats.byCode.get(p.code), state.stats.metric);
      return {renderer, color: '#334', weight: 1, fillOpacity: 0.65,
        fillColor: v == null ? '#bbb' : rateColour(v)};
    }
    const by = $('colour-by').value;
    const key = p.level === by ? p.code : (p[by] || p.code);
    const grid = p.level === 'grid';
    return {renderer, color: grid ? '#ffffff' : '#25323f', weight: grid ? 0.6 : 1.2,
      fillColor: hashColour(key), fillOpacity: grid ? 0.55 : 0.45};
  }
  function tooltipHtml(p) {
    const rows = [];
    for (const l of hierarchy()) {
      if (p[l]) rows.push(esc(l) + ': ' + esc(p[l + '_name']) + ' <span class="code">' + esc(p[l]) + '</span>');
    }
    rows.push('<b>' + esc(p.name) + '</b> <span class="code">' + esc(p.code) + '</span>');
    if (state.stats) {
      const row = state.stats.byCode.get(p.code);
      rows.push(row ? 'closure ' + pct(statValue(row, 'closureRate')) + ' · on time ' +
        pct(statValue(row, 'onTimeRate')) + ' · filed ' + esc(row.filed || 0) : 'no cases');
    }
    return '<div class="grid-tip">' + rows.join('<br>') + '</div>';
  }
  // A stats row's rate, or null when it has no denominator (proto3 JSON
  // leaves out zero values: a missing rate with cases is 0).
  function statValue(row, metric) {
    if (!row) return null;
    const base = metric === 'onTimeRate' ? Number(row.due || 0) : Number(row.filed || 0);
    return base > 0 ? Number(row[metric] || 0) : null;
  }
  function pct(v) { return v == null ? '–' : (100 * v).toFixed(1) + '%'; }

  async function loadGrids() {
    if (!state.levels.length) return;
    const b = map.getBounds();
    const clamp = (v, lo, hi) => Math.max(lo, Math.min(hi, v));
    const bbox = [clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -90, 90),
      clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -90, 90)];
    const level = levelForZoom(map.getZoom());
    const px = Math.max(1, map.getSize().x);
    // About one screen pixel: what the eye cannot see is not sent.
    const simplify = Math.min(1, (bbox[2] - bbox[0]) / px * (level === 'grid' ? 0.5 : 1));
    if (state.gridsAbort) state.gridsAbort.abort();
    const abort = new AbortController();
    state.gridsAbort = abort;
    const t0 = performance.now();
    const url = '/v1/grids?bbox=' + bbox.map((v) => v.toFixed(6)).join(',') +
      '&level=' + encodeURIComponent(level) + '&simplify=' + simplify.toExponential(3);
    let data;
    try {
      data = await api(url, {signal: abort.signal});
    } catch (e) {
      if (e.name !== 'AbortError') setStatus('grids: ' + e.message);
      return;
    }
    if (abort !== state.gridsAbort) return;
    const layer = L.geoJSON(data, {
      style: featureStyle,
      onEachFeature: (f, l) => l.bindTooltip(() => tooltipHtml(f.properties), {sticky: true}),
    });
    if (state.gridsLayer) map.removeLayer(state.gridsLayer);
    state.gridsLayer = layer.addTo(map);
    dotLayer.bringToFront && dotLayer.eachLayer((d) => d.bringToFront());
    state.gridsSeq = (state.gridsSeq || 0) + 1;
    state.lastGrids = {seq: state.gridsSeq, level, features: data.features.length,
      truncated: !!data.truncated, matched: data.matched, ms: Math.round(performance.now() - t0)};
    setStatus(data.truncated ? 'zoom in: showing ' + data.features.length + ' of ' + data.matched +
      ' ' + level + ' features' : '');
  }

  // ---- a click: the decision ---------------------------------------------
  function categoryOf(value) {
    const [type, code] = value.split('|');
    return {type, code};
  }
  async function routeAt(latlng) {
    const cat = categoryOf($('category').value || 'CATEGORY_TYPE_EVENT|');
    state.lastClick = {lat: latlng.lat, lng: latlng.lng};
    clickMarker.setLatLng(latlng).addTo(map);
    const req = {point: {x: latlng.lng, y: latlng.lat, crs: 'wgs84'}, categoryType: cat.type,
      category: cat.code, reportedAt: new Date().toISOString(), dryRun: true};  // a look files nothing
    const box = $('decision');
    box.className = '';
    box.textContent = 'routing…';
    try {
      const resp = await api('/v1/route', {method: 'POST', headers: {'Content-Type': 'application/json'},
        body: JSON.stringify(req)});
      state.lastDecision = resp.decision || {};
      renderDecision(state.lastDecision, req);
    } catch (e) {
      box.className = 'empty';
      box.dataset.grid = '';
      box.textContent = 'route: ' + e.message;
    }
  }
  function renderDecision(d, req) {
    const box = $('decision');
    const loc = d.location || {};
    box.dataset.grid = loc.gridCode || '';
    box.dataset.lead = d.lead ? d.lead.code : '';
    const rows = [];
    const add = (k, v) => rows.push('<dt>' + esc(k) + '</dt><dd>' + v + '</dd>');
    add('point', '<span class="code">' + req.point.x.toFixed(7) + ', ' + req.point.y.toFixed(7) + '</span>');
    add('outcome', esc(d.outcome || ''));
    if (loc.gridCode) {
      add('grid', '<span class="code" id="decision-grid">' + esc(loc.gridCode) + '</span> ' + esc(loc.gridName));
      add('how', esc(loc.how || ''));
      for (const r of loc.chain || []) add(r.level, esc(r.name) + ' <span class="code">' + esc(r.code) + '</span>');
    }
    add('category', esc(d.category || req.category) + ' ' + esc(d.categoryName || ''));
    if (d.urgency) add('urgency', esc(d.urgency));
    if (d.ruleId) add('rule', '<span class="code">' + esc(d.ruleId) + '</span>');
    if (d.lead) add('lead 主办', '<span class="code" id="decision-lead">' + esc(d.lead.code) + '</span> ' + esc(d.lead.name));
    if (d.helpers && d.helpers.length) {
      add('helpers 协办', d.helpers.map((h) => '<span class="code">' + esc(h.code) + '</span> ' + esc(h.name)).join('<br>'));
    }
    if (d.team && d.team.length) {
      add('team', d.team.map((t) => esc(t.role) + ' ' + esc(t.specialty || '') + ' ' +
        (t.name ? esc(t.name) + ' ' + esc(t.phone || '') : '<span class="code">' + esc(t.personId) + '</span>') +
        (t.inherited ? ' (inherited)' : '')).join('<br>'));
    }
    for (const l of d.layers || []) add('layer', esc(l.layerName || l.layerCode) + ' → ' + esc(l.owner || ''));
    if (d.component && d.component.code) add('component', '<span class="code">' + esc(d.component.code) + '</span>');
    if (d.deadline) add('deadline', esc(new Date(d.deadline).toLocaleString()));
    if (d.caseRef && d.caseRef.caseId) {
      add('case', '<span class="code">' + esc(d.caseRef.caseId) + '</span>' + (d.caseRef.folded ? ' (folded)' : ''));
    }
    box.innerHTML = '<dl>' + rows.join('') + '</dl>';
  }

  // ---- live feed (SSE over fetch) ---------------------------------------
  function addDot(ev) {
    if (typeof ev.lat !== 'number' || typeof ev.lon !== 'number') return;
    const dot = L.circleMarker([ev.lat, ev.lon], {radius: 7, color: '#c2185b', weight: 2,
      fillColor: '#ff4081', fillOpacity: 0.9, interactive: false});
    dot.born = performance.now();
    dot.addTo(dotLayer);
    state.dots.push(dot);
    while (state.dots.length > FEED_DOTS) dotLayer.removeLayer(state.dots.shift());
  }
  function fadeDots() {
    const now = performance.now();
    state.dots = state.dots.filter((d) => {
      const age = (now - d.born) / DOT_LIFE_MS;
      if (age >= 1) { dotLayer.removeLayer(d); return false; }
      d.setStyle({opacity: 1 - age, fillOpacity: 0.9 * (1 - age)});
      return true;
    });
  }
  function addFeedItem(ev) {
    const li = document.createElement('li');
    if (ev.dropped) {
      li.className = 'dropped';
      li.textContent = ev.dropped + ' events not shown (sampled or slow reader)';
    } else {
      li.dataset.grid = ev.grid || '';
      const t = ev.t ? new Date(ev.t).toLocaleTimeString() : '';
      li.innerHTML = '<span class="t">' + esc(t) + '</span>' +
        '<span class="code">' + esc(ev.grid || 'outside') + '</span> ' + esc(ev.category_name || ev.category || '') +
        (ev.lead ? ' → ' + esc(ev.lead_name || ev.lead) : '') + (ev.case ? ' <span class="code">' + esc(ev.case) + '</span>' : '');
    }
    const list = $('feed');
    list.insertBefore(li, list.firstChild);
    while (list.children.length > FEED_ITEMS) list.removeChild(list.lastChild);
  }
  // Restarts the feed at once (a new token): aborts the stream or the wait.
  function kickFeed() {
    if (state.feedAbort) state.feedAbort.abort();
  }
  function sleep(ms, signal) {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      signal.addEventListener('abort', () => { clearTimeout(t); resolve(); });
    });
  }
  async function runFeed() {
    for (let backoff = 1000; ; backoff = Math.min(backoff * 2, 30000)) {
      const abort = new AbortController();
      state.feedAbort = abort;
      try {
        const res = await fetch('/v1/events:stream', {signal: abort.signal,
          headers: authHeaders({Accept: 'text/event-stream'})});
        if (!res.ok) throw new Error(res.status + ' ' + (await res.text()).slice(0, 200));
        state.feed.connected = true;
        $('feed-state').textContent = 'live';
        backoff = 1000;
        const reader = res.body.getReader();
        const decoder = new TextDecoder();
        let buf = '';
        for (;;) {
          const {value, done} = await reader.read();
          if (done) break;
          buf += decoder.decode(value, {stream: true});
          let cut;
          while ((cut = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, cut);
            buf = buf.slice(cut + 2);
            const data = block.split('\n').filter((l) => l.startsWith('data:'))
              .map((l) => l.slice(5).trim()).join('\n');
            if (!data) continue;  // a keep-alive comment
            const ev = JSON.parse(data);
            if (ev.dropped) state.feed.dropped += ev.dropped; else state.feed.received++;
            addFeedItem(ev);
            addDot(ev);
            if (ev.case) scheduleCases();
          }
        }
      } catch (e) {
        $('feed-state').textContent = 'reconnecting (' + e.message + ')';
      }
      state.feed.connected = false;
      if (abort.signal.aborted) backoff = 500; else await sleep(backoff, abort.signal);
    }
  }

  // ---- cases --------------------------------------------------------------
  // A new case came by in the feed: refresh the list soon (at most every 3 s).
  let casesTimer = null;
  function scheduleCases() {
    if (casesTimer) return;
    casesTimer = setTimeout(() => { casesTimer = null; loadCases(); }, 3000);
  }
  async function loadCases() {
    const body = $('cases').tBodies[0];
    try {
      const resp = await api('/v1/cases?page_size=100');
      const overdueOnly = $('cases-overdue').checked;
      const cases = (resp.cases || []).filter((c) => !overdueOnly || c.overdue);
      cases.sort((a, b) => (b.overdue ? 1 : 0) - (a.overdue ? 1 : 0));
      body.innerHTML = '';
      for (const c of cases) {
        const tr = document.createElement('tr');
        if (c.overdue) tr.className = 'overdue';
        tr.dataset.caseId = c.caseId;
        tr.innerHTML = '<td class="code">' + esc(c.caseId) + '</td><td>' +
          esc(String(c.state || '').replace('CASE_STATE_', '').toLowerCase()) + '</td><td>' + esc(c.category) +
          '</td><td>' + esc(c.lead) + '</td><td>' + esc(c.due ? new Date(c.due).toLocaleString() : '') + '</td>';
        if (c.point && c.point.x != null && (!c.point.crs || /^(wgs84|cgcs2000)$/i.test(c.point.crs))) {
          tr.addEventListener('click', () => map.setView([c.point.y, c.point.x], Math.max(map.getZoom(), 16)));
        }
        body.appendChild(tr);
      }
      if (!cases.length) body.innerHTML = '<tr><td colspan="5">no cases</td></tr>';
    } catch (e) {
      body.innerHTML = '<tr><td colspan="5">' + esc(e.message) + '</td></tr>';
    }
  }

  // ---- stats choropleth --------------------------------------------------
  async function showStats() {
    const h = hierarchy();
    const level = h.length >= 2 ? h[h.length - 2] : (h[0] || 'grid');
    const from = $('stats-from').value, to = $('stats-to').value;
    let q = '/v1/stats?group_by=' + encodeURIComponent(level);
    if (from) q += '&from=' + from + 'T00:00:00Z';
    if (to) q += '&to=' + to + 'T23:59:59Z';
    try {
      const resp = await api(q);
      const byCode = new Map();
      for (const r of resp.rows || []) byCode.set(r.key, r);
      state.stats = {level, metric: $('stats-metric').value, byCode};
      $('stats-box').hidden = false;
      $('stats-range').textContent = level + ' · ' + (from || '…') + ' – ' + (to || '…');
      let legend = '';
      for (let i = 0; i <= 10; i += 2) legend += '<span style="background:' + rateColour(i / 10) + '"></span>';
      $('stats-legend').innerHTML = '0% ' + legend + ' 100% · grey: no cases';
      const t = resp.total || {};
      $('stats-total').textContent = 'city: filed ' + (t.filed || 0) + ', closed ' + (t.closed || 0) +
        ', closure ' + pct(statValue(t, 'closureRate')) + ', on time ' + pct(statValue(t, 'onTimeRate'));
      loadGrids();
    } catch (e) {
      setStatus('stats: ' + e.message);
    }
  }
  function hideStats() {
    state.stats = null;
    $('stats-box').hidden = true;
    loadGrids();
  }

  // ---- start --------------------------------------------------------------
  async function loadCategories() {
    try {
      const dir = await api('/v1/directory?page_size=1');
      state.categories = dir.categories || [];
    } catch (e) {
      setStatus('directory: ' + e.message);
    }
    const sel = $('category');
    sel.innerHTML = '';
    for (const c of state.categories) {
      const o = document.createElement('option');
      o.value = (c.type || 'CATEGORY_TYPE_EVENT') + '|' + c.code;
      o.textContent = c.code + ' ' + c.name + (c.type === 'CATEGORY_TYPE_COMPONENT' ? ' (部件)' : '');
      sel.appendChild(o);
    }
  }
  async function start() {
    $('token').value = state.token;
    let config = {};
    try {
      const r = await fetch('config.json');
      if (r.ok) config = await r.json();
    } catch (e) { /* no config: no basemap */ }
    if (config.basemapUrl) {
      L.tileLayer(config.basemapUrl, {maxZoom: 19, attribution: config.basemapAttribution || ''}).addTo(map);
    }
    let meta;
    try {
      meta = await api('/v1/grids');
    } catch (e) {
      setStatus('grids: ' + e.message + (e.status === 401 ? ' (paste a token)' : ''));
      map.setView([31.3, 120.62], 12);
      return false;
    }
    state.levels = meta.levels || ['grid'];
    state.cityBbox = meta.city_bbox;
    const levelSel = $('level'), colourSel = $('colour-by');
    levelSel.length = 1;
    colourSel.length = 0;
    for (const l of state.levels) levelSel.add(new Option(l, l));
    const h = hierarchy();
    for (const l of h) colourSel.add(new Option(l, l));
    if (h.length >= 2) colourSel.value = h[h.length - 2];
    const b = state.cityBbox;
    map.fitBounds([[b[1], b[0]], [b[3], b[2]]]);
    await loadCategories();
    return true;
  }

  let started = false;
  async function connect() {
    started = await start();
    if (!started) return;
    loadGrids();
    loadCases();
  }
  map.on('moveend', () => { if (started) loadGrids(); });
  map.on('click', (e) => { if (started) routeAt(e.latlng); });
  $('level').addEventListener('change', loadGrids);
  $('colour-by').addEventListener('change', () => state.gridsLayer && state.gridsLayer.setStyle(featureStyle));
  $('stats-show').addEventListener('click', showStats);
  $('stats-hide').addEventListener('click', hideStats);
  $('stats-metric').addEventListener('change', () => { if (state.stats) showStats(); });
  $('cases-refresh').addEventListener('click', loadCases);
  $('cases-overdue').addEventListener('change', loadCases);
  $('token-save').addEventListener('click', () => {
    state.token = $('token').value.trim();
    sessionStorage.setItem(TOKEN_KEY, state.token);
    setStatus('');
    connect();
    kickFeed();
  });
  const today = new Date();
  $('stats-to').value = today.toISOString().slice(0, 10);
  $('stats-from').value = new Date(today.getTime() - 30 * 86400e3).toISOString().slice(0, 10);
  setInterval(fadeDots, 250);
  setInterval(() => { if (started) loadCases(); }, 15000);
  window.gridrouteConsole = {map, state, loadGrids, loadCases, routeAt};
  connect().then(runFeed);
})();
