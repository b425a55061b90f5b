// Copyright 2026 gridroute authors.
//
// Drives the console in headless chromium (puppeteer-core); run by
// tests/tools/console_browser_test.sh, which starts the server, chooses the
// points and checks the answers against the offline CLI.
//
//   node console_browser_test.mjs <config.json> <result.json>
//
// config: {url, token, chromium, screenshot, click: {lon, lat}, category,
//          reports: [{lon, lat}], reportedAt, overdueReportedAt}
// result: {clicked: {lon, lat}, panel: {grid, lead, text}, reports: [grid codes],
//          feedGrids: [grid codes seen in the feed list], caseRows: [case ids listed]}
//
// Nothing here waits for a fixed time: every step polls the page for the
// state it needs, with a generous hang guard (WAIT_MS).
import fs from 'node:fs';
import puppeteer from 'puppeteer-core';

const WAIT_MS = 120000;
const [configPath, resultPath] = process.argv.slice(2);
const config = JSON.parse(fs.readFileSync(configPath, 'utf8'));
const result = {};

function log(msg) { console.log('console_browser_test: ' + msg); }

const browser = await puppeteer.launch({
  executablePath: config.chromium,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
    '--disable-background-networking', '--lang=zh-CN'],
});
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(WAIT_MS);
  page.on('console', (m) => log('page: ' + m.text()));
  page.on('pageerror', (e) => log('page error: ' + e.message));
  await page.setViewport({width: 1280, height: 900});
  // The token as a user would have pasted it (kept in sessionStorage).
  await page.evaluateOnNewDocument((t) => sessionStorage.setItem('gridroute.token', t), config.token);
  await page.goto(config.url, {waitUntil: 'load'});

  // 1. The city's grids are drawn.
  await page.waitForFunction(() => window.gridrouteConsole && window.gridrouteConsole.state.lastGrids &&
    window.gridrouteConsole.state.lastGrids.features > 0);
  log('map drawn: ' + JSON.stringify(await page.evaluate(() => window.gridrouteConsole.state.lastGrids)));

  // 2. Zoom onto the known point until its grids are drawn at grid level.
  await page.evaluate((c) => window.gridrouteConsole.map.setView([c.lat, c.lon], 17, {animate: false}),
    config.click);
  await page.waitForFunction(() => {
    const g = window.gridrouteConsole.state.lastGrids;
    return g && g.level === 'grid' && g.features > 0 && window.gridrouteConsole.map.getZoom() === 17;
  });
  await page.waitForFunction(() => document.querySelector('#category option') !== null);
  await page.select('#category', 'CATEGORY_TYPE_EVENT|' + config.category);

  // 3. Click the point; the panel shows the decision.
  const xy = await page.evaluate((c) => {
    const m = window.gridrouteConsole.map;
    const p = m.latLngToContainerPoint([c.lat, c.lon]);
    const r = m.getContainer().getBoundingClientRect();
    return {x: r.left + p.x, y: r.top + p.y};
  }, config.click);
  await page.mouse.click(xy.x, xy.y);
  await page.waitForFunction(() => {
    const d = document.getElementById('decision');
    return d.dataset.grid || /route:/.test(d.textContent);
  });
  const panel = await page.evaluate(() => {
    const d = document.getElementById('decision');
    return {grid: d.dataset.grid, lead: d.dataset.lead, text: d.innerText};
  });
  const clicked = await page.evaluate(() => window.gridrouteConsole.state.lastClick);
  result.clicked = {lon: clicked.lng, lat: clicked.lat};
  result.panel = panel;
  log('panel: grid ' + panel.grid + ', lead ' + panel.lead);

  // 4. Reports sent by another client appear in the live feed.
  await page.waitForFunction(() => window.gridrouteConsole.state.feed.connected);
  result.reports = [];
  for (const [i, p] of config.reports.entries()) {
    // The first report is a month old: its case is overdue.
    const at = i === 0 ? config.overdueReportedAt : config.reportedAt;
    const res = await fetch(new URL('/v1/route', config.url), {
      method: 'POST',
      headers: {'Content-Type': 'application/json', Authorization: 'Bearer ' + config.token},
      body: JSON.stringify({point: {x: p.lon, y: p.lat, crs: 'wgs84'}, category: config.category,
        reportedAt: at}),
    });
    const body = await res.json();
    if (!res.ok) throw new Error('POST /v1/route: ' + res.status + ' ' + JSON.stringify(body));
    result.reports.push(body.decision.location.gridCode);
  }
  log('sent reports in grids ' + result.reports.join(' '));
  await page.waitForFunction((want) => {
    const seen = new Set([...document.querySelectorAll('#feed li')].map((li) => li.dataset.grid));
    return want.every((g) => seen.has(g));
  }, {}, result.reports);
  result.feedGrids = await page.evaluate(() =>
    [...document.querySelectorAll('#feed li')].map((li) => li.dataset.grid));
  log('feed shows ' + result.feedGrids.length + ' reports');

  // 4b. The case list shows the filed cases (it refreshes when the feed
  // brings a case), the month-old one highlighted as overdue.
  await page.waitForFunction(() => document.querySelectorAll('#cases tbody tr.overdue[data-case-id]').length > 0);
  result.overdueRows = await page.evaluate(() =>
    [...document.querySelectorAll('#cases tbody tr.overdue')].map((tr) => tr.dataset.caseId));
  result.caseRows = await page.evaluate(() =>
    [...document.querySelectorAll('#cases tbody tr[data-case-id]')].map((tr) => tr.dataset.caseId));
  log('case list shows ' + result.caseRows.length + ' cases');

  // 4c. The stats choropleth: closure rate per street since 2000.
  const before = await page.evaluate(() => window.gridrouteConsole.state.gridsSeq);
  await page.evaluate(() => {
    document.getElementById('stats-from').value = '2000-01-01';
    document.getElementById('stats-metric').value = 'closureRate';
  });
  await page.click('#stats-show');
  await page.waitForFunction((s) => window.gridrouteConsole.state.stats &&
    window.gridrouteConsole.state.gridsSeq > s, {}, before);
  result.statsStreets = await page.evaluate(() => [...window.gridrouteConsole.state.stats.byCode.keys()]);
  result.statsTotal = await page.evaluate(() => document.getElementById('stats-total').textContent);
  log('stats: ' + result.statsTotal);
  await page.click('#stats-hide');

  // 5. A screenshot at a zoom where the streets' colours show.
  const seq = await page.evaluate(() => window.gridrouteConsole.state.gridsSeq);
  await page.evaluate((c) => window.gridrouteConsole.map.setView([c.lat, c.lon], 15.5, {animate: false}),
    config.click);
  await page.waitForFunction((before) => {
    const g = window.gridrouteConsole.state.lastGrids;
    return g && g.seq > before && window.gridrouteConsole.map.getZoom() === 15.5;
  }, {}, seq);
  await page.screenshot({path: config.screenshot});
  log('screenshot ' + config.screenshot);
} finally {
  fs.writeFileSync(resultPath, JSON.stringify(result, null, 1));
  await browser.close();
}
