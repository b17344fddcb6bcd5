// The chat panel: messages to everyone through the server, the recent history on joining, links
// made clickable. Everything a participant typed is put on the page as text nodes, never as HTML.

import type { ChatMessage } from './protocol';
import { el } from './ui';

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"']+/gi;

/** A message's text as nodes: plain text, with http(s) links as anchors that open a new tab. */
export function linkify(text: string): Node[] {
  const nodes: Node[] = [];
  let last = 0;
  for (const m of text.matchAll(URL_PATTERN)) {
    const start = m.index ?? 0;
    // A trailing full stop or bracket is punctuation, not part of the link.
    const url = m[0].replace(/[.,;:!?)\]]+$/, '');
    if (start > last) nodes.push(document.createTextNode(text.slice(last, start)));
    const a = el('a', { href: url, target: '_blank', rel: 'noopener noreferrer' });
    a.textContent = url;
    nodes.push(a);
    last = start + url.length;
  }
  if (last < text.length) nodes.push(document.createTextNode(text.slice(last)));
  return nodes;
}

export class ChatPanel {
  readonly root: HTMLElement;
  private readonly list = el('ol', { className: 'messages', id: 'chat-messages' });
  private readonly input = el('textarea', { id: 'chat-input', rows: 2, maxLength: 2000, placeholder: 'Send a message to everyone' });
  private readonly error = el('p', { className: 'error', id: 'chat-error', hidden: true });
  private readonly seen = new Set<number>();

  constructor(private readonly send: (text: string) => Promise<void>, close: () => void) {
    this.input.setAttribute('aria-label', 'Message to everyone');
    this.list.setAttribute('aria-live', 'polite');
    this.list.setAttribute('aria-label', 'Chat messages');
    const sendButton = el('button', { className: 'primary', id: 'chat-send', textContent: 'Send', type: 'submit' });
    const form = el('form', { className: 'chat-form' }, this.input, sendButton);
    form.onsubmit = (e) => {
      e.preventDefault();
      void this.submit();
    };
    this.input.onkeydown = (e) => {
      if (e.key === 'Enter' && !e.shiftKey) {
        e.preventDefault();
        void this.submit();
      }
    };
    this.root = panel('chat-panel', 'In-call messages', close, this.list, this.error, form);
  }

  /** Adds a message (from the history or live); a message already shown is ignored. */
  add(m: ChatMessage, mine: boolean): void {
    if (this.seen.has(m.id)) return;
    this.seen.add(m.id);
    const time = new Date(m.sentAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    const item = el(
      'li',
      { className: mine ? 'mine' : '' },
      el('div', { className: 'meta' }, el('b', { textContent: mine ? 'You' : m.name }), ` ${time}`),
      el('div', { className: 'text' }, ...linkify(m.text)),
    );
    item.dataset.messageId = String(m.id);
    this.list.append(item);
    this.list.scrollTop = this.list.scrollHeight;
  }

  focus(): void {
    this.input.focus();
  }

  private async submit(): Promise<void> {
    const text = this.input.value.trim();
    if (!text) return;
    this.error.hidden = true;
    try {
      await this.send(text);
      this.input.value = '';
    } catch (e) {
      this.error.textContent = `Not sent: ${(e as Error).message}`;
      this.error.hidden = false;
    }
  }
}

/** A side panel with a title and a close button. */
export function panel(id: string, title: string, close: () => void, ...body: Node[]): HTMLElement {
  const closeButton = el('button', { className: 'round close', textContent: '×', onclick: close });
  closeButton.setAttribute('aria-label', `Close ${title.toLowerCase()}`);
  const aside = el('aside', { className: 'panel', id, hidden: true },
    el('header', {}, el('h2', { textContent: title }), closeButton), ...body);
  aside.setAttribute('aria-label', title);
  return aside;
}
