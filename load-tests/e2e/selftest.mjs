// The connectivity self-test page (/selftest) in real Chromium against running Parley servers.
// Usage: node selftest.mjs <good-url> <bad-url> <screenshot-dir> [turn=expected|none]
//  - good: a server whose media port is reachable (and, with turn=expected, a TURN server): signalling
//    and UDP pass, TCP passes or reports "not offered", TURN passes (or "not configured" with turn=none);
//  - bad: a server advertising an address nobody can reach: UDP fails with its fix hint.
// Prints one line per check and "N passed, N failed"; exits non-zero on any failure.

import { chromium } from 'playwright-core';

const [good, bad, shots, turn = 'expected'] = process.argv.slice(2);
const FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
  '--disable-features=WebRtcHideLocalIpsWithMdns', '--allow-loopback-in-peer-connection',
];

let passed = 0;
let failed = 0;
function check(name, ok, detail) {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? `: ${detail}` : ''}`);
}

/** Opens the page, waits for every check, returns { name: {outcome, detail, hint} }. */
async function selfTest(browser, base, screenshot) {
  const page = await browser.newPage({ viewport: { width: 900, height: 900 } });
  page.on('console', (m) => m.type() === 'error' && console.log(`[page] ${m.text()}`));
  await page.goto(`${base}/selftest`);
  await page.waitForFunction(() => document.body.dataset.selftest === 'done', null, { timeout: 90_000 });
  const results = await page.evaluate(() => window.selfTestResults);
  await page.screenshot({ path: screenshot, fullPage: true });
  await page.close();
  const byName = Object.fromEntries(results.map((r) => [r.name, r]));
  for (const r of results) console.log(`     ${base} ${r.name}: ${r.outcome}: ${r.detail}${r.hint ? ` [${r.hint}]` : ''}`);
  return byName;
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: FLAGS });
try {
  const home = await browser.newPage();
  await home.goto(good);
  const link = await home.getAttribute('#selftest-link', 'href');
  check('the home page links to the self-test', link === '/selftest', link);
  await home.close();

  const ok = await selfTest(browser, good, `${shots}/selftest-pass.png`);
  check('signalling passes', ok.signalling?.outcome === 'pass', ok.signalling?.detail);
  check('UDP passes', ok.udp?.outcome === 'pass' && /udp/.test(ok.udp.detail), ok.udp?.detail);
  check(
    'TCP passes or is reported as not offered',
    ok.tcp?.outcome === 'pass' || (ok.tcp?.outcome === 'skip' && /not offered/i.test(ok.tcp.detail)),
    ok.tcp?.detail,
  );
  if (turn === 'expected') {
    check('TURN passes through a relay candidate', ok.turn?.outcome === 'pass' && /relay/.test(ok.turn.detail), ok.turn?.detail);
  } else {
    check('TURN is reported as not configured', ok.turn?.outcome === 'skip' && /not configured/i.test(ok.turn.detail), ok.turn?.detail);
  }

  const no = await selfTest(browser, bad, `${shots}/selftest-udp-blocked.png`);
  check('signalling still passes on the unreachable-media server', no.signalling?.outcome === 'pass', no.signalling?.detail);
  check(
    'UDP fails with a fix hint',
    no.udp?.outcome === 'fail' && /UDP port \d+ is blocked/.test(no.udp.hint ?? '') && /TURN/.test(no.udp.hint ?? ''),
    `${no.udp?.detail} / ${no.udp?.hint}`,
  );
  check('TURN is not configured there', no.turn?.outcome === 'skip', no.turn?.detail);
} finally {
  await browser.close();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
