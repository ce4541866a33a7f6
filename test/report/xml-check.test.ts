// The well-formedness checker the SVG tests rely on catches what it is meant to catch.
import { describe, expect, it } from 'vitest';
import { xmlProblems } from './xml-check.js';

describe('xmlProblems', () => {
  it('accepts a well-formed document', () => {
    expect(xmlProblems('<?xml version="1.0"?>\n<svg a="1" b=\'x &amp; y\'><g><text>a &lt; b &#60;</text><rect/></g></svg>')).toEqual([]);
  });
  it.each([
    ['<svg><g></svg>', 'closes'],
    ['<svg><text>a < b</text></svg>', 'bad tag name'],
    ['<svg><text>a & b</text></svg>', 'bad entity'],
    ['<svg a="1" a="2"></svg>', 'twice'],
    ['<svg a=1></svg>', 'malformed attributes'],
    ['<svg></svg><svg></svg>', '2 root elements'],
    ['<svg>', 'unclosed'],
    ['<svg a="x"y"></svg>', 'malformed attributes'],
  ])('rejects %s', (xml, problem) => {
    expect(xmlProblems(xml).join('\n')).toContain(problem);
  });
});
