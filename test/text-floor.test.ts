import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { compareFunctionKeys, compareText } from '../src/text/compare.js';
import { titleFromPath } from '../src/text/paths.js';
import { isGzip, looksLikeJson } from '../src/text/sniff.js';
import { formatDuration, formatSignedDuration } from '../src/text/units.js';
import { htmlText, markdownText, scriptJson, terminalText, visibleText, xmlText } from '../src/text/untrusted.js';

// The ground floor: one policy for untrusted text, one formatter for units. Each view escapes for
// where its text lands, after the same visibleText, so a hostile name reads the same everywhere.

const HOSTILE = 'evil\x1b]0;pwned\x07\u202e<script>alert("x")</script>\ud800\t&name';

describe('untrusted text: one policy, four escapers', () => {
  it('every view shows the same visible escapes for invisible characters', () => {
    const visible = visibleText(HOSTILE);
    assert.equal(visible, 'evil\\x1b]0;pwned\\x07\\u202e<script>alert("x")</script>\\ud800\\x09&name');
    assert.equal(terminalText(HOSTILE), visible);
    for (const escaped of [htmlText(HOSTILE), xmlText(HOSTILE), markdownText(HOSTILE)]) {
      assert.ok(
        escaped.includes('\\x1b') &&
          escaped.includes('\\u202e') &&
          escaped.includes('\\ud800') &&
          escaped.includes('\\x09'),
        escaped,
      );
      assert.ok(!escaped.includes('<') && !/[\x00-\x1f\u202e]/.test(escaped), escaped);
    }
  });

  it('property: no escaper lets a control, bidi or markup character through', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        assert.ok(!/[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/.test(terminalText(text)));
        for (const escaped of [htmlText(text), xmlText(text), markdownText(text)]) {
          assert.ok(!/[<>"\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/.test(escaped), JSON.stringify(escaped));
        }
        assert.ok(!/[<>&\u2028\u2029]/.test(scriptJson(text)));
        assert.equal(JSON.parse(scriptJson(text)), text);
      }),
    );
  });
});

describe('units: one duration form', () => {
  it('three significant digits in every unit', () => {
    assert.equal(formatDuration(33_200_000), '33.2 ms');
    assert.equal(formatDuration(1_500_000_000), '1.50 s');
    assert.equal(formatDuration(999_700), '1.00 ms');
    assert.equal(formatDuration(123), '123 ns');
    assert.equal(formatSignedDuration(-310_000), '-310 µs');
  });
});

describe('comparators, sniffing, titles', () => {
  it('orders text by code unit and functions by file, name, line', () => {
    assert.deepEqual(['b', 'a', 'B', 'é'].sort(compareText), ['B', 'a', 'b', 'é']);
    const rows = [
      { file: 'b.py', name: 'f', line: 1 },
      { file: 'a.py', name: 'g', line: 2 },
      { file: 'a.py', name: 'g', line: 1 },
      { file: 'a.py', name: 'f', line: 9 },
    ];
    assert.deepEqual(
      rows.sort(compareFunctionKeys).map((r) => `${r.file}:${r.name}:${r.line}`),
      ['a.py:f:9', 'a.py:g:1', 'a.py:g:2', 'b.py:f:1'],
    );
  });

  it('tells gzip and JSON from their first bytes', () => {
    assert.equal(isGzip(Uint8Array.of(0x1f, 0x8b, 8)), true);
    assert.equal(isGzip(Uint8Array.of(0x1f)), false);
    assert.equal(looksLikeJson('\uFEFF  \n{"a":1}'), true);
    assert.equal(looksLikeJson('[1]'), true);
    assert.equal(looksLikeJson('# comment\n{'), false);
  });

  it('titles a graph by the input path with either separator', () => {
    assert.equal(titleFromPath('/tmp/runs/a.txt'), 'a.txt');
    assert.equal(titleFromPath('C:\\runs\\b.txt'), 'b.txt');
    assert.equal(titleFromPath('dir/', 'folded'), 'folded');
  });
});
