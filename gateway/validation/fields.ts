import * as z from 'zod';

/**
 * Schema builders whose error text is the expectation shown to the user ("Expected `x` to be
 * <expectation>, got ..."). Every check on a field carries the same expectation, so a wrong type
 * and a wrong value read the same way.
 */

export function str(expect = 'a string') {
  return z.string({ error: expect });
}

export function nonEmptyStr(expect = 'a non-empty string') {
  return z.string({ error: expect }).min(1, { error: expect });
}

export function bool() {
  return z.boolean({ error: 'true or false' });
}

export function int(min: number, max: number, expect = `an integer from ${min} to ${max}`) {
  return z.number({ error: expect }).int({ error: expect }).min(min, { error: expect }).max(max, { error: expect });
}

export function num(min: number, expect = `a number of at least ${min}`) {
  return z.number({ error: expect }).min(min, { error: expect });
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  const expect = `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`;
  return z.enum(values, { error: expect });
}

export function obj<S extends z.ZodRawShape>(shape: S) {
  return z.object(shape, { error: 'an object' });
}

export function list<T extends z.ZodType>(element: T, expect = 'an array') {
  return z.array(element, { error: expect });
}

export function dict<T extends z.ZodType>(value: T) {
  return z.record(z.string(), value, { error: 'an object' });
}

/** An http(s) URL with a host. */
export function httpUrl(expect = 'an http:// or https:// URL') {
  return z.string({ error: expect }).refine(
    (value) => {
      try {
        const url = new URL(value);
        return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
      } catch {
        return false;
      }
    },
    { error: expect },
  );
}

/** Marks a refinement message as a full sentence rather than an expectation. */
export const STATEMENT = { statement: true } as const;
