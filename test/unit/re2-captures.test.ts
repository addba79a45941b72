import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findSubmatch, translateRe2 } from '../../coprocess/id-extractor/index.js';

describe('Go regexps with capture groups (FindSubmatch)', () => {
  const submatch = (pattern: string, input: string) => {
    const translated = translateRe2(pattern, { captures: true });
    if (!translated.ok) assert.fail(translated.reason);
    const found = findSubmatch(translated.regexp, input);
    assert.ok(found.ok);
    return { groups: translated.groups, match: found.groups };
  };

  it('numbers plain and named groups as Go does; flag groups do not capture', () => {
    assert.deepEqual(submatch('(?s:.)(a)(?P<n>b)(?:c)(d)', '\nabcd'), { groups: 3, match: ['\nabcd', 'a', 'b', 'd'] });
    assert.deepEqual(submatch('(a)|(b)', 'b'), { groups: 2, match: ['b', '', 'b'] });
    assert.deepEqual(submatch('(z)', 'abc'), { groups: 1, match: undefined });
    assert.deepEqual(submatch('a(b)?', 'a'), { groups: 1, match: ['a', ''] });
  });

  it('keeps whole-match translation unchanged: groups do not capture without the option', () => {
    const translated = translateRe2('(a)(b)');
    assert.ok(translated.ok);
    assert.equal(translated.groups, 0);
    assert.equal(translated.regexp.source, '(?:a)(?:b)');
  });

  it('refuses a capture group inside a repeat that may run twice (Go keeps the last capture, JavaScript clears it)', () => {
    for (const pattern of ['(?:(a)|b)+', '((a)b)*', '(a){2}', '(?:x(y))*']) {
      const translated = translateRe2(pattern, { captures: true });
      assert.equal(translated.ok, false, pattern);
      assert.match(translated.ok ? '' : translated.reason, /capture group/, pattern);
    }
    for (const pattern of ['(a)?', '(a+)', '(?:(a))?', '(?:a|b)+(c)']) assert.ok(translateRe2(pattern, { captures: true }).ok, pattern);
    assert.ok(translateRe2('(?:(a)|b)+').ok, 'without captures the same expression is fine');
  });
});
