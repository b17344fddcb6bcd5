// For automated browser tests only: with ?report=<url> (a loopback address), the room page POSTs
// what it receives every second, so a browser that no test driver controls (Firefox) can report.

export interface Report {
  participantId: string | null;
  /** Remote camera videos with a picture whose time advanced since the last report. */
  remoteVideosPlaying: number;
  remoteVideos: number;
  /** Inbound audio RTP packets on the subscribe connection. */
  audioPackets: number;
  /** The decoded inbound audio's energy so far (grows only while sound is decoded). */
  audioEnergy: number;
  videoPackets: number;
  /** Video RTP packets sent on the publish connection (all simulcast layers). */
  sentVideoPackets: number;
  /** The camera's simulcast layers by rid: whether the sender has it on, and its packets sent. */
  sentLayers: Record<string, { active: boolean; packets: number }>;
  /** Inbound video summed over streams (frameHeight: the largest), and audio the decoder made up. */
  videoIn: Record<string, number>;
  /** Tiles that say their video waits for this browser's connection. */
  pausedTiles: number;
  /** The local tracks: kind, readyState, and ':off' when disabled. */
  local: string;
  /** What the page tells the person (status line and banner), to explain a failure. */
  status: string;
}

/** The report URL from the page's parameters, if it is a loopback http URL; else null. */
export function reportUrl(params: URLSearchParams): string | null {
  const raw = params.get('report');
  if (!raw) return null;
  try {
    const url = new URL(raw);
    const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
    return url.protocol === 'http:' && loopback ? url.href : null;
  } catch {
    return null;
  }
}

export function startReporting(url: string, collect: () => Promise<Omit<Report, 'remoteVideosPlaying' | 'remoteVideos' | 'status'>>): void {
  const last = new Map<HTMLVideoElement, number>();
  const tick = async () => {
    const videos = [...document.querySelectorAll<HTMLVideoElement>('video[data-participant]')];
    const playing = videos.filter((v) => v.videoWidth > 0 && v.currentTime > (last.get(v) ?? 0)).length;
    last.clear();
    videos.forEach((v) => last.set(v, v.currentTime));
    const status = ['status', 'banner'].map((id) => document.getElementById(id)?.textContent ?? '').filter(Boolean).join(' | ');
    const report: Report = { ...(await collect()), remoteVideosPlaying: playing, remoteVideos: videos.length, status };
    // A simple cross-origin request (text/plain, no-cors): the test's endpoint needs no CORS headers.
    await fetch(url, { method: 'POST', mode: 'no-cors', body: JSON.stringify(report) }).catch(() => undefined);
  };
  setInterval(() => void tick(), 1000);
}
