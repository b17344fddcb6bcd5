// The people panel: who is here with their mic, camera and hand; the raised hands in the order they
// went up; and, for the host, the lobby, the room's lock and password, and each person's controls.

import type { ParticipantInfo, RoomSettings, Waiting } from './protocol';
import { panel } from './chat';
import { el } from './ui';

export interface PeopleModel {
  selfId: string | null;
  selfName: string;
  self: { audioMuted: boolean; videoMuted: boolean; handRaisedAt?: number };
  participants: ParticipantInfo[];
  settings: RoomSettings | null;
  waiting: Waiting[];
}

export interface HostActions {
  mute(id: string): void;
  muteAll(): void;
  endMeeting(): void;
  remove(id: string, name: string): void;
  makeHost(id: string, name: string): void;
  admit(id: string, allow: boolean): void;
  update(change: { locked?: boolean; lobby?: boolean; password?: string }): void;
}

export class PeoplePanel {
  readonly root: HTMLElement;
  private readonly body = el('div', { className: 'people panel-body' });
  // The host's controls are built once and updated in place: a re-render (someone raises a hand,
  // a setting changes) must not wipe a password being typed or move the keyboard focus.
  private readonly lock = checkbox('setting-lock', 'Lock the meeting (nobody new can join)', (on) => this.actions.update({ locked: on }));
  private readonly lobby = checkbox('setting-lobby', 'Ask to join: I admit each newcomer', (on) => this.actions.update({ lobby: on }));
  private readonly password = el('input', { id: 'setting-password', type: 'text', maxLength: 64, autocomplete: 'off' });
  private readonly clearPassword = button('Remove', 'Remove the meeting password', () => this.actions.update({ password: '' }), 'clear-password');
  private readonly hostControls: HTMLElement;
  private readonly rest = el('div');

  constructor(private readonly actions: HostActions, close: () => void) {
    this.root = panel('people-panel', 'People', close, this.body);
    this.password.setAttribute('aria-label', 'Meeting password');
    const set = button('Set', 'Set the meeting password', () => {
      if (!this.password.value) return;
      this.actions.update({ password: this.password.value });
      this.password.value = '';
    }, 'set-password');
    this.hostControls = el('section', { className: 'host-settings', hidden: true },
      el('h3', { textContent: 'Host controls' }), this.lock.label, this.lobby.label,
      el('div', { className: 'row' }, this.password, set, this.clearPassword),
      el('div', { className: 'row' },
        button('Mute everyone', 'Mute everyone else', () => this.actions.muteAll(), 'mute-all'),
        button('End meeting', 'End the meeting for everyone', () => this.actions.endMeeting(), 'end-meeting')));
    this.body.append(this.hostControls, this.rest);
  }

  render(m: PeopleModel): void {
    const host = m.settings?.hostId ?? null;
    const iAmHost = host !== null && host === m.selfId;
    this.showHostControls(iAmHost ? m.settings : null);
    const sections: Node[] = [];
    if (iAmHost && m.waiting.length > 0) {
      sections.push(
        el('h3', { textContent: `Waiting to join (${m.waiting.length})` }),
        el('ul', { className: 'waiting', id: 'lobby-list' }, ...m.waiting.map((w) => this.waitingRow(w))),
      );
    }

    const everyone = [
      { participantId: m.selfId ?? 'self', name: `${m.selfName} (you)`, ...m.self, tracks: [], me: true },
      ...m.participants.map((p) => ({ ...p, me: false })),
    ];
    const hands = everyone.filter((p) => p.handRaisedAt !== undefined).sort((a, b) => a.handRaisedAt! - b.handRaisedAt!);
    if (hands.length > 0) {
      sections.push(
        el('h3', { textContent: `Raised hands (${hands.length})` }),
        el('ol', { className: 'hands', id: 'hand-queue' }, ...hands.map((p) => el('li', { textContent: p.name }))),
      );
    }
    sections.push(
      el('h3', { textContent: `In the meeting (${everyone.length})` }),
      el('ul', { className: 'people-list', id: 'people-list' }, ...everyone.map((p) => this.row(p, p.participantId === host, iAmHost && !p.me))),
    );
    this.rest.replaceChildren(...sections);
  }

  /** Shows the host's controls with the room's settings as the server last told them, or hides them. */
  private showHostControls(s: RoomSettings | null): void {
    this.hostControls.hidden = s === null;
    // Hidden controls leave the page, so a person who is no longer host finds none of them.
    if (s === null) {
      this.hostControls.remove();
      return;
    }
    if (!this.hostControls.isConnected) this.body.prepend(this.hostControls);
    this.lock.input.checked = s.locked;
    this.lobby.input.checked = s.lobby;
    this.password.placeholder = s.passwordSet ? 'Password is set' : 'No password';
    this.clearPassword.disabled = !s.passwordSet;
  }

  private row(p: ParticipantInfo & { me: boolean }, isHost: boolean, canControl: boolean): HTMLLIElement {
    const state = [p.audioMuted ? 'mic off' : 'mic on', p.videoMuted ? 'camera off' : 'camera on'];
    if (p.handRaisedAt !== undefined) state.unshift('hand raised');
    const li = el('li', {},
      el('span', { className: 'who' }, el('b', { textContent: p.name }), isHost ? el('span', { className: 'badge', textContent: 'Host' }) : ''),
      el('span', { className: 'state', textContent: state.join(' · ') }));
    li.dataset.participant = p.participantId;
    if (canControl) {
      const actions = el('span', { className: 'row actions' });
      if (!p.audioMuted) actions.append(button('Mute', `Mute ${p.name}`, () => this.actions.mute(p.participantId), 'mute'));
      actions.append(
        button('Make host', `Make ${p.name} the host`, () => this.actions.makeHost(p.participantId, p.name), 'make-host'),
        button('Remove', `Remove ${p.name} from the meeting`, () => this.actions.remove(p.participantId, p.name), 'remove'),
      );
      li.append(actions);
    }
    return li;
  }

  private waitingRow(w: Waiting): HTMLLIElement {
    const li = el('li', {}, el('b', { textContent: w.name }),
      el('span', { className: 'row actions' },
        button('Admit', `Admit ${w.name}`, () => this.actions.admit(w.participantId, true), 'admit'),
        button('Deny', `Deny ${w.name}`, () => this.actions.admit(w.participantId, false), 'deny')));
    li.dataset.waiting = w.participantId;
    return li;
  }
}

function button(text: string, label: string, onclick: () => void, action: string): HTMLButtonElement {
  const b = el('button', { className: 'small', textContent: text, onclick });
  b.setAttribute('aria-label', label);
  b.dataset.action = action;
  return b;
}

function checkbox(id: string, label: string, onchange: (on: boolean) => void): { label: HTMLLabelElement; input: HTMLInputElement } {
  const input = el('input', { type: 'checkbox', id });
  input.onchange = () => onchange(input.checked);
  return { label: el('label', { className: 'check' }, input, ` ${label}`), input };
}
