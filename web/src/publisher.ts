// The publish RTCPeerConnection: the browser offers its mic and camera (three simulcast layers),
// Parley answers.

import type { IceServer, Source } from './protocol';
import type { LocalMedia } from './devices';
import type { Signalling } from './signalling';

const SIMULCAST: RTCRtpEncodingParameters[] = [
  { rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { rid: 'f', maxBitrate: 1_500_000 },
];

export class Publisher {
  readonly pc: RTCPeerConnection;

  constructor(iceServers: IceServer[]) {
    this.pc = new RTCPeerConnection({ iceServers, bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
  }

  /** Sends the local tracks; resolves once Parley's answer is applied. */
  async publish(media: LocalMedia, signalling: Signalling): Promise<void> {
    const sources: Record<string, Source> = {};
    const transceivers: [RTCRtpTransceiver, Source][] = [];
    if (media.audio) {
      transceivers.push([this.pc.addTransceiver(media.audio, { direction: 'sendonly', streams: [media.stream] }), 'mic']);
    }
    if (media.video) {
      const t = this.pc.addTransceiver(media.video, { direction: 'sendonly', streams: [media.stream], sendEncodings: SIMULCAST });
      transceivers.push([t, 'camera']);
    }
    if (transceivers.length === 0) return;
    const offer = await this.pc.createOffer();
    await this.pc.setLocalDescription(offer);
    for (const [t, source] of transceivers) if (t.mid) sources[t.mid] = source;
    const reply = await signalling.request('publish', { sdp: this.pc.localDescription!.sdp, sources });
    await this.pc.setRemoteDescription({ type: 'answer', sdp: reply.sdp });
  }

  close(): void {
    this.pc.close();
  }
}
