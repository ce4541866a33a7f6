// Text into XML and HTML: every character that could end an attribute or open markup is
// replaced by its entity. Column names, file paths and lambda sources all go through here.

const XML_ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** `s` safe inside XML/HTML text and inside single- or double-quoted attributes. */
export function escapeXml(s: string): string {
  // Control characters other than tab and newline are not allowed in XML 1.0 at all.
  return s.replace(/[&<>"']/g, (c) => XML_ENTITIES[c]!).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '\uFFFD');
}
