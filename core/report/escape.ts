/** HTML escaping for text and attribute values (every user-provided string goes through here). */
const MAP: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: unknown): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => MAP[c]!);
}

/** An href safe to put in an attribute: relative or http(s)/mailto only; anything else (javascript:, data:) → undefined. */
export function safeHref(href: string | undefined): string | undefined {
  if (href === undefined) return undefined;
  // Browsers ignore ASCII whitespace/control characters inside a scheme, so strip them before checking.
  let probe = '';
  for (const ch of href) if (ch.charCodeAt(0) > 0x20 && ch.charCodeAt(0) !== 0x7f) probe += ch;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(probe);
  if (scheme && !['http', 'https', 'mailto'].includes(scheme[1]!.toLowerCase())) return undefined;
  return href;
}
