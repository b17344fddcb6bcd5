// The publish RTCPeerConnection: the browser offers its mic and camera (three simulcast layers),
// and a screen share when there is one; Parley answers. Negotiations run one at a time.

import type { IceServer, Source } from './protocol';
import type { LocalMedia } from './devices';
import type { Signalling } from './signalling';

const SIMULCAST: RTCRtpEncodingParameters[] = [
  { rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { rid: 'f', maxBitrate: 1_500_000 },
];

/** A shared screen is text more often than motion: one layer, detail over frame rate. */
const SCREEN: RTCRtpEncodingParameters[] = [{ maxBitrate: 2_500_000 }];

export class Publisher {
  readonly pc: RTCPeerConnection;
  private readonly sources = new Map<RTCRtpTransceiver, Source>();
  private queue: Promise<void> = Promise.resolve();
  private layerQueue: Promise<void> = Promise.resolve();
  private signalling: Signalling | null = null;

  constructor(iceServers: IceServer[]) {
    this.pc = new RTCPeerConnection({ iceServers, bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
  }

  /** Sends the local tracks; resolves once Parley's answer is applied. */
  async publish(media: LocalMedia, signalling: Signalling): Promise<void> {
    this.signalling = signalling;
    if (media.audio) {
      this.sources.set(this.pc.addTransceiver(media.audio, { direction: 'sendonly', streams: [media.stream] }), 'mic');
    }
    if (media.video) {
      this.sources.set(this.pc.addTransceiver(media.video, { direction: 'sendonly', streams: [media.stream], sendEncodings: SIMULCAST }), 'camera');
    }
    if (this.sources.size === 0) return;
    await this.negotiate();
  }

  /** Sends another device's track in place of the mic's or the camera's (no renegotiation). */
  async replace(source: 'mic' | 'camera', track: MediaStreamTrack): Promise<void> {
    for (const [t, s] of this.sources) if (s === source) await t.sender.replaceTrack(track);
  }

  /**
   * Encodes and sends only these simulcast layers of the camera (the server says which: the ones
   * someone in the room watches); the others stop until a tile needs them again.
   */
  sendLayers(mid: string, rids: string[]): Promise<void> {
    const run = this.layerQueue.then(async () => {
      const t = [...this.sources.keys()].find((x) => x.mid === mid);
      if (!t || this.sources.get(t) !== 'camera' || this.pc.signalingState === 'closed') return;
      const params = t.sender.getParameters();
      if (!params.encodings || params.encodings.length < 2) return;
      let changed = false;
      for (const e of params.encodings) {
        const on = e.rid === undefined || rids.includes(e.rid);
        if (e.active !== on) {
          e.active = on;
          changed = true;
        }
      }
      if (changed) await t.sender.setParameters(params);
    });
    // One change at a time (setParameters refuses one that overlaps another); a failure is logged
    // and the layers stay as they were.
    this.layerQueue = run.catch((e) => console.warn(`cannot change the layers sent: ${e}`));
    return this.layerQueue;
  }

  /** The camera's simulcast layers by rid and whether each is on (packets left at 0 for the caller). */
  layers(): Record<string, { active: boolean; packets: number }> {
    const out: Record<string, { active: boolean; packets: number }> = {};
    for (const [t, source] of this.sources) {
      if (source !== 'camera') continue;
      for (const e of t.sender.getParameters().encodings ?? []) if (e.rid) out[e.rid] = { active: e.active !== false, packets: 0 };
    }
    return out;
  }

  /** Adds a screen share (its video, and its audio when the browser captured some). */
  async share(stream: MediaStream): Promise<void> {
    const video = stream.getVideoTracks()[0];
    if (video) {
      video.contentHint = 'detail';
      this.sources.set(this.pc.addTransceiver(video, { direction: 'sendonly', streams: [stream], sendEncodings: SCREEN }), 'screen');
    }
    const audio = stream.getAudioTracks()[0];
    if (audio) this.sources.set(this.pc.addTransceiver(audio, { direction: 'sendonly', streams: [stream] }), 'screen');
    await this.negotiate();
  }

  /** Stops sending the screen share: its sections go inactive and its producers close. */
  async stopSharing(): Promise<void> {
    for (const [t, source] of [...this.sources]) {
      if (source !== 'screen') continue;
      if (this.pc.signalingState !== 'closed') this.pc.removeTrack(t.sender);
      this.sources.delete(t);
    }
    await this.negotiate();
  }

  private negotiate(): Promise<void> {
    const run = this.queue.then(async () => {
      if (!this.signalling || this.pc.signalingState === 'closed') return;
      const offer = await this.pc.createOffer();
      await this.pc.setLocalDescription(offer);
      const sources: Record<string, Source> = {};
      for (const [t, source] of this.sources) if (t.mid) sources[t.mid] = source;
      const reply = await this.signalling.request('publish', { sdp: this.pc.localDescription!.sdp, sources });
      await this.pc.setRemoteDescription({ type: 'answer', sdp: reply.sdp });
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  close(): void {
    this.pc.close();
  }
}
