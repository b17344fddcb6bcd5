// Small DOM helpers and the connection banner.

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<HTMLElementTagNameMap[K]> & { className?: string } = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  Object.assign(e, props);
  e.append(...children);
  return e;
}

export function banner(message: string | null): void {
  const b = document.getElementById('banner')!;
  b.hidden = message === null;
  b.textContent = message ?? '';
}

export function mount(...nodes: Node[]): void {
  document.getElementById('app')!.replaceChildren(...nodes);
}
