// The signalling messages, mirroring the Java records in io.parley.signalling.protocol.

export type Kind = 'audio' | 'video';
export type Source = 'mic' | 'camera' | 'screen';

export interface TrackInfo { producerId: string; participantId: string; kind: Kind; source: Source }
export interface ParticipantInfo {
  participantId: string; name: string; audioMuted: boolean; videoMuted: boolean;
  /** When the hand went up (server clock, ms); absent when it is down. */
  handRaisedAt?: number;
  tracks: TrackInfo[];
}
export interface RoomSettings { hostId: string; locked: boolean; lobby: boolean; passwordSet: boolean }
export interface ChatMessage { id: number; participantId: string; name: string; text: string; sentAt: number }
export interface RoomState { roomId: string; participants: ParticipantInfo[]; settings: RoomSettings; chat: ChatMessage[]; dominantSpeaker?: string | null }
export interface IceServer { urls: string[]; username?: string; credential?: string }
export interface Waiting { participantId: string; name: string }

/** The reactions the server accepts. */
export const REACTIONS = ['👍', '👏', '😂', '❤️', '🎉', '😮'] as const;

/** Client → server requests (event name → payload). */
export interface Requests {
  join: { roomId: string; name: string; password?: string; rejoinToken?: string; red?: boolean };
  leave: Record<string, never>;
  publish: { sdp: string; sources: Record<string, Source> };
  'set-media-state': { audioMuted: boolean; videoMuted: boolean };
  chat: { text: string };
  'raise-hand': { raised: boolean };
  react: { emoji: string };
  'set-view': { videos: { producerId: string; width: number; height: number }[] };
  mute: { participantId: string };
  'mute-all': Record<string, never>;
  remove: { participantId: string };
  'end-meeting': Record<string, never>;
  'make-host': { participantId: string };
  admit: { participantId: string; allow: boolean };
  'update-room': { locked?: boolean; lobby?: boolean; password?: string };
}

type Done = Record<string, never>;

/** Replies carried by acknowledgements. */
export interface Replies {
  join: { participantId: string; room: RoomState; iceServers: IceServer[]; rejoinToken: string };
  leave: Done;
  publish: { sdp: string; tracks: TrackInfo[] };
  'set-media-state': Done;
  chat: Done;
  'raise-hand': Done;
  react: Done;
  'set-view': Done;
  mute: Done;
  'mute-all': Done;
  remove: Done;
  'end-meeting': Done;
  'make-host': Done;
  admit: Done;
  'update-room': Done;
}

/** Refusals the client shows a screen for. */
export type ErrorCode = 'password-required' | 'wrong-password' | 'room-locked' | 'room-full' | 'lobby-denied' | 'meeting-ended';
export type ErrorReply = { ok: false; error: string; code?: ErrorCode };

export interface SubscribeSection { mid: string; producerId: string; participantId: string; kind: Kind; source: Source }

/** Server → client events. */
export interface ServerEvents {
  'participant-joined': { participant: ParticipantInfo };
  'participant-left': { participantId: string };
  'participant-updated': { participantId: string; audioMuted: boolean; videoMuted: boolean; handRaisedAt?: number };
  'track-added': { track: TrackInfo };
  'track-removed': { producerId: string; participantId: string };
  'subscribe-offer': { version: number; sdp: string; sections: SubscribeSection[] };
  removed: { reason: string; byHost: boolean };
  'request-failed': { event: string; error: string };
  'room-updated': { settings: RoomSettings };
  chat: ChatMessage;
  reaction: { participantId: string; emoji: string };
  'dominant-speaker': { participantId: string };
  'muted-by-host': { hostName: string };
  /** The server stopped (or resumed) a video because this browser's connection has no room for it. */
  'video-paused': { producerId: string; paused: boolean };
  /** Send only these simulcast layers of the track in section `mid`: nobody watches the others. */
  'publish-layers': { mid: string; producerId: string; rids: string[] };
  'meeting-ended': { hostName: string };
  lobby: { waiting: Waiting[] };
  'lobby-waiting': { roomId: string };
}

/** The browser's acknowledgement of a subscribe offer. */
export type SubscribeAnswer = { ok: true; sdp: string } | { ok: false; error: string };
