import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { goJsonString, jsonErrorBody, xmlContentTypeOf, xmlErrorBody } from '../../gateway/errors/index.js';

describe('Tyk error bodies', () => {
  it('renders templates/error.json byte for byte', () => {
    assert.equal(jsonErrorBody('Not Found'), '{\n    "error": "Not Found"\n}');
  });
  it('escapes like Go encoding/json (<, >, & as \\u00XX)', () => {
    assert.equal(goJsonString('<a href="x">&</a>'), '"\\u003ca href=\\"x\\"\\u003e\\u0026\\u003c/a\\u003e"');
  });
  it('renders templates/error.xml with HTML escaping for XML requests', () => {
    assert.equal(xmlErrorBody(`a<b>&'"`), '<?xml version = "1.0" encoding = "UTF-8"?>\n<error>a&lt;b&gt;&amp;&#39;&#34;</error>\n');
    assert.equal(xmlContentTypeOf('text/xml; charset=utf-8'), 'text/xml');
    assert.equal(xmlContentTypeOf('application/json'), undefined);
  });
});
