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
  remove(id: string, name: string): void;
  makeHost(id: string, name: string): void;
  admit(id: string, allow: boolean): void;
  update(change: { locked?: boolean; lobby?: boolean; password?: string }): void;
}

export class PeoplePanel {
  readonly root: HTMLElement;
  private readonly body = el('div', { className: 'people panel-body' });

  constructor(private readonly actions: HostActions, close: () => void) {
    this.root = panel('people-panel', 'People', close, this.body);
  }

  render(m: PeopleModel): void {
    const host = m.settings?.hostId ?? null;
    const iAmHost = host !== null && host === m.selfId;
    const sections: Node[] = [];

    if (iAmHost) sections.push(this.hostSettings(m.settings!));
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
    this.body.replaceChildren(...sections);
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

  private hostSettings(s: RoomSettings): HTMLElement {
    const lock = checkbox('setting-lock', 'Lock the meeting (nobody new can join)', s.locked, (on) => this.actions.update({ locked: on }));
    const lobby = checkbox('setting-lobby', 'Ask to join: I admit each newcomer', s.lobby, (on) => this.actions.update({ lobby: on }));
    const password = el('input', { id: 'setting-password', type: 'text', maxLength: 64, placeholder: s.passwordSet ? 'Password is set' : 'No password', autocomplete: 'off' });
    password.setAttribute('aria-label', 'Meeting password');
    const set = button('Set', 'Set the meeting password', () => {
      if (password.value) this.actions.update({ password: password.value });
    }, 'set-password');
    const clear = button('Remove', 'Remove the meeting password', () => this.actions.update({ password: '' }), 'clear-password');
    clear.disabled = !s.passwordSet;
    return el('section', { className: 'host-settings' },
      el('h3', { textContent: 'Host controls' }), lock, lobby,
      el('div', { className: 'row' }, password, set, clear));
  }
}

function button(text: string, label: string, onclick: () => void, action: string): HTMLButtonElement {
  const b = el('button', { className: 'small', textContent: text, onclick });
  b.setAttribute('aria-label', label);
  b.dataset.action = action;
  return b;
}

function checkbox(id: string, label: string, checked: boolean, onchange: (on: boolean) => void): HTMLLabelElement {
  const input = el('input', { type: 'checkbox', id, checked });
  input.onchange = () => onchange(input.checked);
  return el('label', { className: 'check' }, input, ` ${label}`);
}
