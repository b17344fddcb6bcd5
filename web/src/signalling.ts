// The Socket.IO channel to the server: typed requests with acknowledgements, and server events.

import { io, type Socket } from 'socket.io-client';
import type { ErrorCode, ErrorReply, Replies, Requests, ServerEvents } from './protocol';

const REQUEST_TIMEOUT_MS = 15_000;

/** The server refused a request; {@link code} names the refusals the UI has a screen for. */
export class RequestError extends Error {
  constructor(message: string, readonly code?: ErrorCode) {
    super(message);
  }
}

export class Signalling {
  private readonly socket: Socket;

  constructor() {
    // WebSocket only: Parley's server does not offer long-polling.
    this.socket = io({ transports: ['websocket'], reconnectionDelay: 1000, reconnectionDelayMax: 5000 });
  }

  /** Sends a request; waits up to timeoutMs (a join may wait in the lobby much longer). */
  async request<E extends keyof Requests>(event: E, payload: Requests[E], timeoutMs = REQUEST_TIMEOUT_MS): Promise<Replies[E]> {
    const reply = (await this.socket.timeout(timeoutMs).emitWithAck(event, payload)) as
      | ({ ok: true } & Replies[E])
      | ErrorReply;
    if (!reply.ok) throw new RequestError(reply.error, reply.code);
    return reply;
  }

  /** Drops the connection as a network failure would; it reconnects by itself (for tests). */
  simulateDrop(): void {
    this.socket.io.engine?.close();
  }

  on<E extends keyof ServerEvents>(event: E, handler: (payload: ServerEvents[E], ack?: (reply: unknown) => void) => void): void {
    this.socket.on(event as string, handler as (...args: unknown[]) => void);
  }

  /** Connection changes; for a drop, Socket.IO's reason ("ping timeout", "transport close", …). */
  onConnectionChange(handler: (state: 'connected' | 'unreachable' | 'lost', reason?: string) => void): void {
    this.socket.on('connect', () => handler('connected'));
    this.socket.on('connect_error', (e) => handler('unreachable', e.message));
    this.socket.on('disconnect', (reason) => handler('lost', reason));
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  close(): void {
    this.socket.close();
  }
}
