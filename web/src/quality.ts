// Connection quality from WebRTC statistics: per received track on the subscribe connection
// (loss over the last interval, jitter, freezes, round-trip time) and for what this browser sends
// (the loss and round-trip time its receivers report back). Pure: it reads stats reports and keeps
// the previous sample of each track; the caller polls getStats() every few seconds.

export type Quality = 'good' | 'fair' | 'poor' | 'unknown';

/** Thresholds: above `fair` is fair, above `poor` is poor. */
export const THRESHOLDS = {
  /** Fraction of packets lost in the interval. */
  loss: { fair: 0.03, poor: 0.1 },
  /** Round-trip time, seconds. */
  rtt: { fair: 0.2, poor: 0.4 },
  /** Interarrival jitter, seconds. */
  jitter: { fair: 0.03, poor: 0.1 },
} as const;

/** Fewer packets than this in an interval says nothing about loss. */
const MIN_PACKETS = 20;

const RANK: Record<Quality, number> = { unknown: 0, good: 1, fair: 2, poor: 3 };

/** The worse of some verdicts; 'unknown' only when none is known. */
export function worst(...qs: Quality[]): Quality {
  return qs.reduce<Quality>((a, b) => (RANK[b] > RANK[a] ? b : a), 'unknown');
}

function level(value: number | undefined, t: { fair: number; poor: number }): Quality {
  if (value === undefined || !Number.isFinite(value)) return 'unknown';
  return value > t.poor ? 'poor' : value > t.fair ? 'fair' : 'good';
}

/** Grades one interval's measurements; any missing measurement is left out. */
export function grade(m: { loss?: number; rtt?: number; jitter?: number; froze?: boolean }): Quality {
  return worst(level(m.loss, THRESHOLDS.loss), level(m.rtt, THRESHOLDS.rtt), level(m.jitter, THRESHOLDS.jitter), m.froze ? 'fair' : 'unknown');
}

/** The fields read from a stats report (the browser's objects have more). */
interface Stat {
  type: string;
  id: string;
  kind?: string;
  mid?: string;
  trackIdentifier?: string;
  packetsLost?: number;
  packetsReceived?: number;
  jitter?: number;
  freezeCount?: number;
  currentRoundTripTime?: number;
  roundTripTime?: number;
  fractionLost?: number;
  nominated?: boolean;
  state?: string;
}

/** An RTCStatsReport, or a Map of stats objects in tests. */
export type StatsLike = Pick<ReadonlyMap<string, unknown>, 'forEach'>;

function each(report: StatsLike, cb: (s: Stat) => void): void {
  report.forEach((s) => cb(s as Stat));
}

/** The selected candidate pair's round-trip time, seconds, if known. */
export function roundTripTime(report: StatsLike): number | undefined {
  let rtt: number | undefined;
  each(report, (s) => {
    if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded' && s.currentRoundTripTime !== undefined) {
      rtt = s.currentRoundTripTime;
    }
  });
  return rtt;
}

interface Sample { lost: number; received: number; freezes: number }

/**
 * Per received track, by its transceiver mid (the subscribe offer's section.mid). Call update()
 * with each new report of the subscribe connection; tracks that received too few packets in the
 * interval (paused, off screen, not forwarded) are 'unknown'.
 */
export class ReceiveQuality {
  private previous = new Map<string, Sample>();

  update(report: StatsLike): Map<string, Quality> {
    const rtt = roundTripTime(report);
    const out = new Map<string, Quality>();
    const seen = new Map<string, Sample>();
    each(report, (s) => {
      if (s.type !== 'inbound-rtp' || (s.kind !== 'audio' && s.kind !== 'video')) return;
      const key = s.mid ?? s.trackIdentifier ?? s.id;
      const now: Sample = { lost: s.packetsLost ?? 0, received: s.packetsReceived ?? 0, freezes: s.freezeCount ?? 0 };
      seen.set(key, now);
      const before = this.previous.get(key);
      const received = before ? now.received - before.received : 0;
      if (!before || received < MIN_PACKETS) {
        out.set(key, 'unknown');
        return;
      }
      const lost = Math.max(0, now.lost - before.lost);
      // Video's jitter grows with frame size and pacing; audio's is the one that is heard.
      const jitter = s.kind === 'audio' ? s.jitter : undefined;
      out.set(key, grade({ loss: lost / (lost + received), rtt, jitter, froze: now.freezes > before.freezes }));
    });
    this.previous = seen;
    return out;
  }
}

/** The worst verdict of each participant's tracks, given which participant each mid belongs to. */
export function byParticipant(perMid: Map<string, Quality>, sections: { mid: string; participantId: string }[]): Map<string, Quality> {
  const out = new Map<string, Quality>();
  for (const { mid, participantId } of sections) {
    const q = perMid.get(mid);
    if (q) out.set(participantId, worst(out.get(participantId) ?? 'unknown', q));
  }
  return out;
}

/**
 * What this browser sends, from the publish connection's report: remote-inbound-rtp carries the
 * SFU's receiver reports (fractionLost, roundTripTime) for each sent stream and layer.
 */
export function sendQuality(report: StatsLike): Quality {
  let q: Quality = 'unknown';
  let any = false;
  each(report, (s) => {
    if (s.type !== 'remote-inbound-rtp') return;
    any = true;
    q = worst(q, grade({ loss: s.fractionLost, rtt: s.roundTripTime }));
  });
  if (!any) {
    const rtt = roundTripTime(report);
    if (rtt !== undefined) q = grade({ rtt });
  }
  return q;
}

/**
 * Steadies a stream of verdicts per key: a new verdict shows once it held for two samples in a row
 * (one bad interval on a busy network is not a bad connection). 'unknown' shows at once.
 */
export class Steady {
  private shown = new Map<string, Quality>();
  private pending = new Map<string, Quality>();

  update(key: string, q: Quality): Quality {
    const current = this.shown.get(key);
    if (current === undefined || q === 'unknown' || current === 'unknown' || q === current) {
      this.shown.set(key, q);
      this.pending.delete(key);
      return q;
    }
    if (this.pending.get(key) === q) {
      this.shown.set(key, q);
      this.pending.delete(key);
      return q;
    }
    this.pending.set(key, q);
    return current;
  }
}
