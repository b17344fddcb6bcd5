// The signalling messages, mirroring the Java records in io.parley.signalling.protocol.

export type Kind = 'audio' | 'video';
export type Source = 'mic' | 'camera' | 'screen';

export interface TrackInfo { producerId: string; participantId: string; kind: Kind; source: Source }
export interface ParticipantInfo {
  participantId: string; name: string; audioMuted: boolean; videoMuted: boolean; tracks: TrackInfo[];
}
export interface RoomState { roomId: string; participants: ParticipantInfo[] }
export interface IceServer { urls: string[]; username?: string; credential?: string }

/** Client → server requests (event name → payload). */
export interface Requests {
  join: { roomId: string; name: string };
  leave: Record<string, never>;
  publish: { sdp: string; sources: Record<string, Source> };
  'set-media-state': { audioMuted: boolean; videoMuted: boolean };
}

/** Replies carried by acknowledgements. */
export interface Replies {
  join: { participantId: string; room: RoomState; iceServers: IceServer[] };
  leave: Record<string, never>;
  publish: { sdp: string; tracks: TrackInfo[] };
  'set-media-state': Record<string, never>;
}
export type ErrorReply = { ok: false; error: string };

export interface SubscribeSection { mid: string; producerId: string; participantId: string; kind: Kind; source: Source }

/** Server → client events. */
export interface ServerEvents {
  'participant-joined': { participant: ParticipantInfo };
  'participant-left': { participantId: string };
  'participant-updated': { participantId: string; audioMuted: boolean; videoMuted: boolean };
  'track-added': { track: TrackInfo };
  'track-removed': { producerId: string; participantId: string };
  'subscribe-offer': { version: number; sdp: string; sections: SubscribeSection[] };
  removed: { reason: string };
  'request-failed': { event: string; error: string };
}

/** The browser's acknowledgement of a subscribe offer. */
export type SubscribeAnswer = { ok: true; sdp: string } | { ok: false; error: string };
