import assert from 'node:assert/strict';

/**
 * A small XML 1.0 well-formedness check: one root element, tags nested and closed, attributes
 * quoted and unique, only the five predefined or numeric entities, no raw `<` or `&` in text, no
 * characters XML forbids. CDATA, comments and the declaration are skipped whole.
 */
export function assertWellFormed(xml: string): void {
  assert.doesNotMatch(xml, /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/, 'a character XML 1.0 forbids');
  const stack: string[] = [];
  let roots = 0;
  let i = 0;
  const entity = /^&(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/;
  const checkText = (text: string, where: number) => {
    for (let j = text.indexOf('&'); j >= 0; j = text.indexOf('&', j + 1))
      assert.match(text.slice(j, j + 12), entity, `a bare & at ${where + j}`);
    assert.ok(!text.includes('<'), `a raw < at ${where}`);
  };
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt < 0 ? xml.length : lt);
    if (stack.length === 0) assert.match(text, /^\s*$/, `text outside the root at ${i}`);
    else checkText(text, i);
    if (lt < 0) break;
    if (xml.startsWith('<?', lt)) {
      i = xml.indexOf('?>', lt) + 2;
    } else if (xml.startsWith('<!--', lt)) {
      i = xml.indexOf('-->', lt) + 3;
    } else if (xml.startsWith('<![CDATA[', lt)) {
      assert.ok(stack.length > 0, 'CDATA outside the root');
      i = xml.indexOf(']]>', lt) + 3;
    } else {
      const gt = xml.indexOf('>', lt);
      assert.ok(gt > 0, `an unclosed tag at ${lt}`);
      const tag = xml.slice(lt + 1, gt);
      const close = /^\/([A-Za-z_][\w.-]*)\s*$/.exec(tag);
      if (close !== null) {
        assert.equal(stack.pop(), close[1], `</${close[1]}> at ${lt} closes the wrong element`);
      } else {
        const open = /^([A-Za-z_][\w.:-]*)((?:\s+[A-Za-z_][\w.:-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)$/.exec(tag);
        assert.ok(open !== null, `a malformed tag at ${lt}: <${tag.slice(0, 80)}>`);
        const names = new Set<string>();
        for (const attr of open[2].matchAll(/([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
          assert.ok(!names.has(attr[1]), `attribute ${attr[1]} twice at ${lt}`);
          names.add(attr[1]);
          checkText(attr[2] ?? attr[3] ?? '', lt);
        }
        if (stack.length === 0) roots++;
        if (open[3] !== '/') stack.push(open[1]);
      }
      i = gt + 1;
    }
  }
  assert.deepEqual(stack, [], 'unclosed elements');
  assert.equal(roots, 1, 'one root element');
}
