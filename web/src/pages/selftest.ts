// The connectivity self-test page (/selftest): from this browser, can you reach Parley's signalling,
// and can media flow to its SFU over UDP, over TCP (ICE-TCP, when the server offers it) and through
// its TURN server? Each check is a real peer connection to a throwaway SFU endpoint
// (POST /api/selftest/probe) that must complete ICE and DTLS; nothing is published.

import type { IceServer } from '../protocol';
import { Signalling } from '../signalling';
import { el, mount } from '../ui';

const CHECK_TIMEOUT_MS = 10_000;

export type Outcome = 'pass' | 'fail' | 'skip';

export interface CheckResult {
  name: string;
  outcome: Outcome;
  /** What happened, in plain words. */
  detail: string;
  /** What to do about a failure, or null. */
  hint: string | null;
}

interface Row {
  status: HTMLElement;
  detail: HTMLElement;
  hint: HTMLElement;
}

export function showSelfTest(): void {
  const rows = new Map<string, Row>();
  const list = el('ul', { className: 'selftest-list', id: 'selftest-results' });
  const checks: [string, string][] = [
    ['signalling', 'Signalling (Socket.IO)'],
    ['udp', 'Media over UDP'],
    ['tcp', 'Media over TCP'],
    ['turn', 'Media through TURN'],
  ];
  for (const [key, title] of checks) {
    const status = el('span', { className: 'selftest-status', textContent: 'waiting' });
    const detail = el('span', { className: 'selftest-detail' });
    const hint = el('p', { className: 'selftest-hint', hidden: true });
    const li = el('li', {}, el('strong', { textContent: title }), ' ', status, el('br'), detail, hint);
    li.dataset.check = key;
    list.append(li);
    rows.set(key, { status, detail, hint });
  }
  const again = el('button', { textContent: 'Run again', disabled: true });
  mount(
    el(
      'section',
      { className: 'home selftest' },
      el('h1', { textContent: 'Test your connection' }),
      el('p', {
        textContent:
          'Checks, from this browser, that Parley can reach you: its signalling, and media over UDP, TCP and TURN. ' +
          'Nothing is recorded and no camera is used.',
      }),
      list,
      el('div', { className: 'row' }, again, el('a', { href: '/', textContent: 'Back to Parley' })),
    ),
  );

  const show = (r: CheckResult) => {
    const row = rows.get(r.name)!;
    row.status.textContent = r.outcome === 'pass' ? 'passed' : r.outcome === 'fail' ? 'failed' : 'not available';
    row.status.className = `selftest-status ${r.outcome}`;
    row.status.parentElement!.dataset.outcome = r.outcome;
    row.detail.textContent = r.detail;
    row.hint.textContent = r.hint ?? '';
    row.hint.hidden = !r.hint;
  };

  const run = async () => {
    again.disabled = true;
    document.body.dataset.selftest = 'running';
    for (const row of rows.values()) {
      row.status.textContent = 'testing…';
      row.status.className = 'selftest-status';
      row.detail.textContent = '';
      row.hint.hidden = true;
    }
    const results = await runChecks(show);
    (window as unknown as { selfTestResults: CheckResult[] }).selfTestResults = results;
    document.body.dataset.selftest = 'done';
    again.disabled = false;
  };
  again.onclick = () => void run();
  void run();
}

/** Runs every check in turn, reporting each as it finishes. */
async function runChecks(report: (r: CheckResult) => void): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const done = (r: CheckResult) => {
    results.push(r);
    report(r);
  };
  done(await checkSignalling());
  let iceServers: IceServer[] = [];
  try {
    const r = await fetch('/api/selftest/ice-servers', { cache: 'no-store' });
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    iceServers = ((await r.json()) as { iceServers: IceServer[] }).iceServers;
  } catch (e) {
    const detail = `The server's self-test API did not answer (${errorText(e)}).`;
    const hint = 'Check that this page is served by Parley itself, not a proxy that blocks /api/.';
    for (const name of ['udp', 'tcp', 'turn']) done({ name, outcome: 'fail', detail, hint });
    return results;
  }
  done(await checkMedia('udp', []));
  done(await checkMedia('tcp', []));
  const turn = iceServers.filter((s) => s.urls.some((u) => u.startsWith('turn:') || u.startsWith('turns:')));
  if (turn.length === 0) {
    done({
      name: 'turn',
      outcome: 'skip',
      detail: 'Not configured: this server hands out no TURN server.',
      hint: 'Without TURN, people behind firewalls that block UDP and TCP to the media port cannot join. ' +
        'See PARLEY_TURN_URIS and PARLEY_TURN_SECRET in the README.',
    });
  } else {
    done(await checkMedia('turn', turn));
  }
  return results;
}

async function checkSignalling(): Promise<CheckResult> {
  const signalling = new Signalling();
  try {
    const state = await new Promise<string>((resolve) => {
      const timer = setTimeout(() => resolve('timeout'), CHECK_TIMEOUT_MS);
      signalling.onConnectionChange((s) => {
        if (s === 'connected' || s === 'unreachable') {
          clearTimeout(timer);
          resolve(s);
        }
      });
    });
    if (state === 'connected') {
      return { name: 'signalling', outcome: 'pass', detail: `Connected to ${location.host} over a WebSocket.`, hint: null };
    }
    return {
      name: 'signalling',
      outcome: 'fail',
      detail: `Could not open a WebSocket to ${location.host}${state === 'timeout' ? ' within 10 s' : ''}.`,
      hint: 'A proxy or firewall between you and the server may block WebSockets: a reverse proxy must pass ' +
        'the Upgrade and Connection headers on /socket.io/.',
    };
  } finally {
    signalling.close();
  }
}

type Path = 'udp' | 'tcp' | 'turn';

/**
 * One peer connection to a fresh SFU endpoint: UDP and TCP keep only the server's candidates of
 * that protocol; TURN allows relay candidates only. Passes when ICE and DTLS complete.
 */
async function checkMedia(path: Path, turnServers: IceServer[]): Promise<CheckResult> {
  const pc = new RTCPeerConnection({
    iceServers: turnServers,
    iceTransportPolicy: path === 'turn' ? 'relay' : 'all',
    bundlePolicy: 'max-bundle',
    rtcpMuxPolicy: 'require',
  });
  let relayGathered = false;
  pc.onicecandidate = (e) => {
    if (e.candidate?.type === 'relay') relayGathered = true;
  };
  try {
    pc.addTransceiver('audio', { direction: 'sendonly' });
    await pc.setLocalDescription(await pc.createOffer());
    const r = await fetch('/api/selftest/probe', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sdp: pc.localDescription!.sdp }),
    });
    const body = (await r.json()) as { sdp?: string; error?: string };
    if (!r.ok || !body.sdp) throw new Error(body.error ?? `HTTP ${r.status}`);
    const wanted = path === 'tcp' ? 'tcp' : 'udp';
    const { sdp, kept } = keepCandidates(body.sdp, wanted);
    if (kept.length === 0) {
      if (path === 'tcp') {
        return {
          name: path,
          outcome: 'skip',
          detail: 'Not offered by this server: it gives no TCP candidate (ICE-TCP is off or not supported).',
          hint: null,
        };
      }
      return { name: path, outcome: 'fail', detail: 'The server offered no UDP candidate.', hint: 'Check PARLEY_ADVERTISED_ADDRESSES.' };
    }
    await pc.setRemoteDescription({ type: 'answer', sdp });
    const state = await connected(pc);
    const target = kept.join(', ');
    if (state === 'connected') {
      const via = await selectedPath(pc);
      return { name: path, outcome: 'pass', detail: `Connected to ${target}${via ? ` (${via})` : ''}; ICE and DTLS completed.`, hint: null };
    }
    return failure(path, target, state, turnServers, relayGathered);
  } catch (e) {
    return { name: path, outcome: 'fail', detail: `The test could not start: ${errorText(e)}.`, hint: null };
  } finally {
    pc.close();
  }
}

function failure(path: Path, target: string, state: string, turnServers: IceServer[], relay: boolean): CheckResult {
  const why = state === 'timeout' ? 'no connection within 10 s' : `the connection ${state}`;
  const port = /:(\d+)$/.exec(target)?.[1] ?? '10000';
  if (path === 'udp') {
    return {
      name: path,
      outcome: 'fail',
      detail: `Media over UDP to ${target} failed: ${why}.`,
      hint: `UDP port ${port} is blocked or unreachable: open it in your firewall (and forward it to the server ` +
        'if it is behind NAT, with its public address first in PARLEY_ADVERTISED_ADDRESSES), or set up TURN.',
    };
  }
  if (path === 'tcp') {
    return {
      name: path,
      outcome: 'fail',
      detail: `Media over TCP to ${target} failed: ${why}.`,
      hint: `TCP port ${port} is blocked or unreachable: open it in your firewall, or set up TURN.`,
    };
  }
  const urls = turnServers.flatMap((s) => s.urls).join(', ');
  return {
    name: path,
    outcome: 'fail',
    detail: relay
      ? `The TURN server (${urls}) gave a relay address, but media through it to ${target} failed: ${why}.`
      : `The TURN server (${urls}) gave no relay address: ${why}.`,
    hint: relay
      ? 'The TURN server cannot reach the SFU: allow it to relay to the SFU\'s address and port (coturn: check ' +
        'denied-peer-ip and allowed-peer-ip).'
      : 'The TURN server is unreachable from here or refused the credentials: check that its port is open and ' +
        'that its static-auth-secret matches PARLEY_TURN_SECRET.',
  };
}

/** The answer with only the candidates of one transport protocol, and the kept ones' address:port. */
export function keepCandidates(sdp: string, protocol: 'udp' | 'tcp'): { sdp: string; kept: string[] } {
  const kept: string[] = [];
  const lines = sdp.split('\r\n').filter((line) => {
    const m = /^a=candidate:\S+ \d+ (\S+) \d+ (\S+) (\d+)/i.exec(line);
    if (!m) return true;
    if (m[1].toLowerCase() !== protocol) return false;
    kept.push(`${m[2]}:${m[3]}`);
    return true;
  });
  return { sdp: lines.join('\r\n'), kept: [...new Set(kept)] };
}

/** Waits for the connection to be up (ICE and DTLS), to fail, or for the time limit. */
function connected(pc: RTCPeerConnection): Promise<string> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), CHECK_TIMEOUT_MS);
    const check = () => {
      if (pc.connectionState === 'connected' || pc.connectionState === 'failed') {
        clearTimeout(timer);
        resolve(pc.connectionState);
      }
    };
    pc.onconnectionstatechange = check;
    check();
  });
}

/** How the selected candidate pair goes, e.g. "udp from host" or "tcp from relay", or null. */
async function selectedPath(pc: RTCPeerConnection): Promise<string | null> {
  const stats = await pc.getStats();
  for (const s of stats.values()) {
    if (s.type === 'transport' && s.selectedCandidatePairId) {
      const pair = stats.get(s.selectedCandidatePairId);
      const local = pair && stats.get(pair.localCandidateId);
      if (local) {
        const relayed = local.candidateType === 'relay' ? `, relayed over ${local.relayProtocol ?? 'udp'}` : '';
        return `${local.protocol} from a ${local.candidateType} candidate${relayed}`;
      }
    }
  }
  return null;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
