// Renders the Grafana dashboard's queries against a live Prometheus in headless Chromium and takes a
// screenshot: dashboard.html draws every panel from query_range results (no Grafana involved).
// Usage: node dashboard.mjs <prometheus-url> <dashboard.json> <screenshot.png> <start> <end> [step] [rate]
// Prints one line per query (series and finite points); exits non-zero if a query returned no
// data or failed, so a panel that names a series Parley does not export fails the run.

import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [prometheus, dashboardPath, screenshot, start, end, step = '2', rate = '10s'] = process.argv.slice(2);
const here = dirname(fileURLToPath(import.meta.url));
const page = readFileSync(join(here, 'dashboard.html'));
const dashboard = readFileSync(dashboardPath);
const upstream = new URL(prometheus);

// The page, the dashboard JSON, and Prometheus' API on one origin.
const server = createServer((req, res) => {
  if (req.url.startsWith('/api/v1/')) {
    const out = request(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: 'GET' },
      (r) => { res.writeHead(r.statusCode, r.headers); r.pipe(res); },
    );
    out.on('error', (e) => { res.writeHead(502); res.end(String(e)); });
    out.end();
  } else if (req.url === '/dashboard.json') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(dashboard);
  } else if (req.url.startsWith('/dashboard.html')) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page);
  } else {
    res.writeHead(404);
    res.end();
  }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
  ],
});
let failures = 0;
try {
  const tab = await browser.newPage({ viewport: { width: 1560, height: 900 } });
  tab.on('console', (m) => m.type() === 'error' && console.log(`[page] ${m.text()}`));
  await tab.goto(`${base}/dashboard.html?${new URLSearchParams({ start, end, step, rate })}`);
  await tab.waitForFunction(() => document.body.dataset.done === '1', null, { timeout: 120_000 });
  const error = await tab.evaluate(() => window.renderError);
  if (error) {
    console.log(`FAIL rendering: ${error}`);
    failures++;
  }
  for (const r of await tab.evaluate(() => window.panelResults)) {
    const ok = !r.error && r.points > 0;
    if (!ok) failures++;
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${r.panel} [${r.refId}] ${r.series} series, ${r.points} points` +
      `${r.error ? `, error: ${r.error}` : ''}: ${r.expr}`);
  }
  await tab.screenshot({ path: screenshot, fullPage: true });
  console.log(`screenshot: ${screenshot}`);
} finally {
  await browser.close();
  server.close();
}
console.log(failures === 0 ? 'every query returned data' : `${failures} queries returned no data`);
process.exit(failures === 0 ? 0 : 1);
