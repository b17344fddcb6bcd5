// Firefox ESR for browser scripts: Playwright drives only Chromium here, so Firefox runs on its own
// (headless, a fresh profile with fake devices) and its page POSTs what it receives to a small
// HTTP endpoint (`?report=<url>`, web/src/report.ts).

import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';

const FIREFOX = '/usr/bin/firefox-esr';
const timeout = (ms) => new Promise((r) => setTimeout(() => r('timeout'), ms).unref());

/** A tiny HTTP endpoint the Firefox page POSTs its reports to. */
export async function reportEndpoint(host = '127.0.0.1') {
  const reports = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      try {
        reports.push({ ...JSON.parse(body), receivedAt: Date.now() });
      } catch {
        // not a report
      }
      res.writeHead(204).end();
    });
  });
  await new Promise((r) => server.listen(0, host, r));
  return { url: `http://${host}:${server.address().port}/report`, reports, close: () => server.close() };
}

/**
 * Starts Firefox ESR headless on a fresh profile whose user.js allows the fake camera and mic.
 * `command` runs Firefox (e.g. a wrapper that starts it in a network namespace).
 */
export function startFirefox(url, command = FIREFOX) {
  const profile = mkdtempSync(joinPath(tmpdir(), 'parley-firefox-'));
  const prefs = {
    'media.navigator.streams.fake': true,
    'media.navigator.permission.disabled': true,
    'media.peerconnection.ice.loopback': true,
    'media.peerconnection.ice.obfuscate_host_addresses': false,
    'media.autoplay.default': 0,
    'media.autoplay.blocking_policy': 0,
    'browser.shell.checkDefaultBrowser': false,
    'browser.startup.homepage_override.mstone': 'ignore',
    'browser.aboutwelcome.enabled': false,
    'datareporting.policy.dataSubmissionEnabled': false,
    'datareporting.healthreport.uploadEnabled': false,
    'toolkit.telemetry.enabled': false,
    'toolkit.telemetry.reportingpolicy.firstRun': false,
    'app.update.disabledForTesting': true,
    'app.normandy.enabled': false,
    'extensions.update.enabled': false,
    'extensions.getAddons.cache.enabled': false,
    'network.captive-portal-service.enabled': false,
    'network.connectivity-service.enabled': false,
    'network.dns.disablePrefetch': true,
    'network.prefetch-next': false,
    'browser.safebrowsing.malware.enabled': false,
    'browser.safebrowsing.phishing.enabled': false,
    'browser.safebrowsing.downloads.enabled': false,
    'browser.region.network.url': '',
    'media.gmp-manager.url': '',
    'media.gmp-gmpopenh264.enabled': false,
    'services.settings.server': 'http://127.0.0.1:9/',
  };
  writeFileSync(
    joinPath(profile, 'user.js'),
    Object.entries(prefs).map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});\n`).join(''),
  );
  const child = spawn(command, ['--headless', '--no-remote', '--profile', profile, url], {
    stdio: process.env.FIREFOX_OUTPUT ? 'inherit' : 'ignore',
    env: { ...process.env, MOZ_CRASHREPORTER_DISABLE: '1' },
  });
  const exited = new Promise((r) => child.on('exit', (code, signal) => r({ code, signal })));
  return { child, profile, exited };
}

/** Stops Firefox by its PID, awaits its exit, and checks that none of its processes is left. */
export async function stopFirefox(fx) {
  if (fx.child.exitCode === null && fx.child.signalCode === null) process.kill(fx.child.pid, 'SIGTERM');
  let result = await Promise.race([fx.exited, timeout(10_000)]);
  if (result === 'timeout') {
    process.kill(fx.child.pid, 'SIGKILL');
    result = await Promise.race([fx.exited, timeout(5_000)]);
  }
  // Its content processes carry the profile path on their command lines.
  const left = processesWith(fx.profile);
  left.forEach((pid) => process.kill(pid, 'SIGKILL'));
  rmSync(fx.profile, { recursive: true, force: true });
  if (result === 'timeout') throw new Error(`Firefox (pid ${fx.child.pid}) did not exit`);
  if (left.length > 0) throw new Error(`Firefox left processes ${left} running`);
  return result;
}

function processesWith(text) {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text);
      } catch {
        return false;
      }
    })
    .map(Number);
}
