// The Socket.IO channel to the server: typed requests with acknowledgements, and server events.

import { io, type Socket } from 'socket.io-client';
import type { ErrorReply, Replies, Requests, ServerEvents } from './protocol';

const REQUEST_TIMEOUT_MS = 15_000;

export class Signalling {
  private readonly socket: Socket;

  constructor() {
    // WebSocket only: Parley's server does not offer long-polling.
    this.socket = io({ transports: ['websocket'], reconnectionDelay: 1000, reconnectionDelayMax: 5000 });
  }

  async request<E extends keyof Requests>(event: E, payload: Requests[E]): Promise<Replies[E]> {
    const reply = (await this.socket.timeout(REQUEST_TIMEOUT_MS).emitWithAck(event, payload)) as
      | ({ ok: true } & Replies[E])
      | ErrorReply;
    if (!reply.ok) throw new Error(reply.error);
    return reply;
  }

  on<E extends keyof ServerEvents>(event: E, handler: (payload: ServerEvents[E], ack?: (reply: unknown) => void) => void): void {
    this.socket.on(event as string, handler as (...args: unknown[]) => void);
  }

  onConnectionChange(handler: (state: 'connected' | 'unreachable' | 'lost') => void): void {
    this.socket.on('connect', () => handler('connected'));
    this.socket.on('connect_error', () => handler('unreachable'));
    this.socket.on('disconnect', () => handler('lost'));
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  close(): void {
    this.socket.close();
  }
}
