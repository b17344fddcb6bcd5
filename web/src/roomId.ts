// Meeting codes look like abc-defg-hij, as the server checks.

const PATTERN = /^[a-z]{3}-[a-z]{4}-[a-z]{3}$/;

export function isRoomId(s: string): boolean {
  return PATTERN.test(s);
}

export function newRoomId(): string {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const random = crypto.getRandomValues(new Uint8Array(10));
  const pick = (from: number, n: number) =>
    Array.from(random.slice(from, from + n), (b) => letters[b % 26]).join('');
  return `${pick(0, 3)}-${pick(3, 4)}-${pick(7, 3)}`;
}

/** A room id from what a person typed: a code or a link to /r/<code>. */
export function parseRoomInput(input: string): string | null {
  const text = input.trim().toLowerCase();
  const fromLink = /\/r\/([a-z-]+)/.exec(text);
  const id = fromLink ? fromLink[1] : text;
  return isRoomId(id) ? id : null;
}
