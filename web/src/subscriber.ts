// The subscribe RTCPeerConnection: Parley offers the others' tracks, the browser answers. Offers
// are applied one at a time, in order.

import type { IceServer, ServerEvents, SubscribeAnswer, SubscribeSection } from './protocol';

export type Offer = ServerEvents['subscribe-offer'];

/** Called after each offer with the tracks now received, by section. */
export type TracksListener = (tracks: { section: SubscribeSection; track: MediaStreamTrack }[]) => void;

export class Subscriber {
  readonly pc: RTCPeerConnection;
  private queue: Promise<void> = Promise.resolve();

  constructor(iceServers: IceServer[], private readonly onTracks: TracksListener) {
    this.pc = new RTCPeerConnection({ iceServers, bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
  }

  /** Applies an offer and acknowledges with the answer (or the error). */
  handle(offer: Offer, ack: (reply: SubscribeAnswer) => void): void {
    this.queue = this.queue.then(async () => {
      try {
        await this.pc.setRemoteDescription({ type: 'offer', sdp: offer.sdp });
        const answer = await this.pc.createAnswer();
        await this.pc.setLocalDescription(answer);
        ack({ ok: true, sdp: this.pc.localDescription!.sdp });
        this.report(offer.sections);
      } catch (e) {
        ack({ ok: false, error: e instanceof Error ? e.message : String(e) });
      }
    });
  }

  private report(sections: SubscribeSection[]): void {
    const byMid = new Map(this.pc.getTransceivers().filter((t) => t.mid !== null).map((t) => [t.mid!, t]));
    const tracks = sections.flatMap((section) => {
      const t = byMid.get(section.mid);
      return t ? [{ section, track: t.receiver.track }] : [];
    });
    this.onTracks(tracks);
  }

  close(): void {
    this.pc.close();
  }
}
