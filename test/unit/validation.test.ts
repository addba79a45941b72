import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as z from 'zod';
import { closestMatch, deepFreeze, describeValue, formatPath, parseJsonText, validateDocument, type ForeignField } from '../../gateway/validation/index.js';

describe('closestMatch', () => {
  it('suggests the known key a typo meant', () => {
    assert.equal(closestMatch('listen_prot', ['listen_port', 'listen_address', 'secret']), 'listen_port');
    assert.equal(closestMatch('ListenPort', ['listen_port', 'secret']), 'listen_port');
    assert.equal(closestMatch('storgae', ['storage', 'secret']), 'storage');
  });
  it('suggests nothing when nothing is close', () => {
    assert.equal(closestMatch('completely_different', ['listen_port', 'secret']), undefined);
  });
});

describe('formatPath and describeValue', () => {
  it('formats nested paths, array indices and odd keys', () => {
    assert.equal(formatPath(['proxy', 'listen_path']), 'proxy.listen_path');
    assert.equal(formatPath(['custom_middleware', 'pre', 0, 'name']), 'custom_middleware.pre[0].name');
    assert.equal(formatPath(['auth_configs', 'odd key']), 'auth_configs["odd key"]');
    assert.equal(formatPath([]), '(top level)');
  });
  it('shows values with their type', () => {
    assert.equal(describeValue(42), '42 (number)');
    assert.equal(describeValue('abc'), '"abc" (string)');
    assert.equal(describeValue([1, 2]), 'an array of 2 items');
    assert.equal(describeValue(null), 'null');
  });
});

describe('parseJsonText', () => {
  it('names the line and column of a syntax error', () => {
    const result = parseJsonText('{\n  "a": 1,\n  "b": }\n');
    assert.equal(result.ok, false);
    assert.match(result.ok ? '' : result.problem, /line 3, column 8/);
  });
  it('accepts a byte order mark', () => {
    assert.deepEqual(parseJsonText('\uFEFF{"a":1}'), { ok: true, value: { a: 1 } });
  });
  it('says so when the file is empty', () => {
    const result = parseJsonText('  ');
    assert.match(result.ok ? '' : result.problem, /empty/);
  });
});

describe('validateDocument', () => {
  const schema = z.object({
    name: z.string({ error: 'a string' }),
    port: z.number({ error: 'a port' }).default(1),
    nested: z.object({ flag: z.boolean({ error: 'true or false' }).default(false) }).prefault({}),
  });
  const foreign = new Map<string, ForeignField>([
    ['danger', { effect: 'refuse', feature: 'a dangerous thing' }],
    ['cosmetic', { effect: 'warn', feature: 'a cosmetic thing' }],
  ]);

  it('reports every problem at once, with path, expectation and value', () => {
    const result = validateDocument(schema, { name: 3, port: 'x', nested: { flag: 'yes' } }, foreign);
    assert.equal(result.value, undefined);
    assert.deepEqual(
      result.errors.map((e) => e.message),
      [
        'Expected `name` to be a string, got 3 (number)',
        'Expected `port` to be a port, got "x" (string)',
        'Expected `nested.flag` to be true or false, got "yes" (string)',
      ],
    );
  });

  it('warns about unknown keys with the closest known key, and keeps going', () => {
    const result = validateDocument(schema, { name: 'a', prot: 2, nested: { flga: true } }, foreign);
    assert.ok(result.value);
    assert.deepEqual(
      result.warnings.map((w) => w.message),
      ['Unknown key `prot` is ignored; did you mean `port`?', 'Unknown key `nested.flga` is ignored; did you mean `flag`?'],
    );
  });

  it('refuses a foreign field that is switched on, warns about one that is harmless, and ignores zero values', () => {
    const on = validateDocument(schema, { name: 'a', danger: true, cosmetic: { x: 1 } }, foreign);
    assert.equal(on.value, undefined);
    assert.match(on.errors[0]?.message ?? '', /`danger` turns on a dangerous thing/);
    assert.match(on.warnings[0]?.message ?? '', /`cosmetic` \(a cosmetic thing\) is not supported/);
    const off = validateDocument(schema, { name: 'a', danger: false, cosmetic: { x: 0, y: [] } }, foreign);
    assert.ok(off.value);
    assert.equal(off.warnings.length, 0);
  });

  it('returns a deeply frozen value with defaults filled in', () => {
    const result = validateDocument(schema, { name: 'a' }, foreign);
    assert.deepEqual(result.value, { name: 'a', port: 1, nested: { flag: false } });
    assert.ok(Object.isFrozen(result.value) && Object.isFrozen(result.value?.nested));
  });

  it('refuses a document that is not an object', () => {
    assert.match(validateDocument(schema, [1], foreign).errors[0]?.message ?? '', /JSON object, got an array/);
  });

  it('deepFreeze freezes nested arrays', () => {
    const value = deepFreeze({ a: [{ b: 1 }] });
    assert.throws(() => {
      (value.a as { b: number }[]).push({ b: 2 });
    });
  });
});

describe('JSON syntax errors', () => {
  const problem = (text: string) => {
    const result = parseJsonText(text);
    return result.ok ? '' : result.problem;
  };
  it('points at trailing commas, missing commas, single quotes and truncation', () => {
    assert.equal(problem('{"a": 1,}'), 'invalid JSON at line 1, column 9: trailing comma before "}"');
    assert.equal(problem('{\n "a": 1\n "b": 2\n}'), 'invalid JSON at line 3, column 2: unexpected "\\"", expected "," or "}" after a property value');
    assert.equal(problem("{'a': 1}"), `invalid JSON at line 1, column 2: unexpected "'", expected a property name in double quotes`);
    assert.equal(problem('{"a": [1, 2'), 'invalid JSON at line 1, column 12: unexpected end of file, expected "," or "]" after an array element');
    assert.equal(problem('{"a": tru}'), 'invalid JSON at line 1, column 7: unexpected "t", expected a value');
  });
});
