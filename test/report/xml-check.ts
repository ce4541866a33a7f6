// A small XML well-formedness check for the SVG we write: one root element, tags nested and
// closed in order, attributes quoted and unique, only XML's predefined or numeric entities, no
// raw '<' or '&' in text. Returns the problems found (empty when well-formed).
export function xmlProblems(xml: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  let roots = 0;
  let i = 0;
  const checkText = (text: string, where: number): void => {
    for (const m of text.matchAll(/&([^;\s]*);?/g)) {
      if (!/^&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);$/.test(m[0])) problems.push(`bad entity '${m[0]}' at ${where + m.index!}`);
    }
  };
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt < 0 ? xml.length : lt);
    if (stack.length === 0 && text.trim() !== '') problems.push(`text outside the root element at ${i}`);
    checkText(text, i);
    if (lt < 0) break;
    if (xml.startsWith('<?', lt)) { i = xml.indexOf('?>', lt) + 2; continue; }
    if (xml.startsWith('<!--', lt)) { i = xml.indexOf('-->', lt) + 3; continue; }
    const gt = xml.indexOf('>', lt);
    if (gt < 0) { problems.push(`unterminated tag at ${lt}`); break; }
    const tag = xml.slice(lt + 1, gt);
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim();
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> at ${lt} closes <${open ?? 'nothing'}>`);
    } else {
      const selfClosing = tag.endsWith('/');
      const body = selfClosing ? tag.slice(0, -1) : tag;
      const m = /^([A-Za-z_][\w:.-]*)/.exec(body);
      if (!m) { problems.push(`bad tag name at ${lt}: <${tag.slice(0, 20)}`); i = gt + 1; continue; }
      const name = m[1]!;
      const rest = body.slice(name.length);
      const seen = new Set<string>();
      const attrRe = /\s+([A-Za-z_][\w:.-]*)\s*=\s*("([^"<]*)"|'([^'<]*)')/gy;
      let at = 0;
      for (let a = attrRe.exec(rest); a; a = attrRe.exec(rest)) {
        if (seen.has(a[1]!)) problems.push(`attribute ${a[1]} twice on <${name}> at ${lt}`);
        seen.add(a[1]!);
        checkText(a[3] ?? a[4] ?? '', lt);
        at = attrRe.lastIndex;
      }
      if (rest.slice(at).trim() !== '') problems.push(`malformed attributes on <${name}> at ${lt}: '${rest.slice(at, at + 30)}'`);
      if (stack.length === 0) roots++;
      if (!selfClosing) stack.push(name);
    }
    i = gt + 1;
  }
  if (stack.length > 0) problems.push(`unclosed elements: ${stack.join(' > ')}`);
  if (roots !== 1) problems.push(`${roots} root elements`);
  return problems;
}
