import type * as z from 'zod';
import type { DocPath } from './paths.js';

/** The parts of zod's internal definition the walker reads. */
interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  valueType?: z.ZodType;
  element?: z.ZodType;
  in?: z.ZodType;
}

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** Removes wrappers (default, optional, ...) that do not change which keys are allowed. */
export function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const def = defOf(current);
    const next = def.innerType ?? (def.type === 'pipe' ? def.in : undefined);
    if (next === undefined) return current;
    current = next;
  }
}

/** The keys an object schema declares, or undefined when the schema is not an object. */
export function knownKeys(schema: z.ZodType): readonly string[] | undefined {
  const shape = defOf(unwrap(schema)).shape;
  return shape === undefined ? undefined : Object.keys(shape);
}

export interface UnknownKey {
  /** Path of the object that holds the key. */
  readonly parent: DocPath;
  /** The same path with map keys as `*` and array indices as `[]`: `version_data.versions.*`. */
  readonly schemaPath: string;
  readonly key: string;
  readonly value: unknown;
  /** Keys the schema declares at that place, for suggestions. */
  readonly known: readonly string[];
}

/** Every key in `input` that `schema` does not declare, found by walking both together. */
export function findUnknownKeys(schema: z.ZodType, input: unknown): UnknownKey[] {
  const found: UnknownKey[] = [];
  walk(schema, input, [], '', found);
  return found;
}

const join = (base: string, part: string) => (base === '' ? part : part.startsWith('[') ? base + part : `${base}.${part}`);

function walk(schema: z.ZodType, input: unknown, path: DocPath, schemaPath: string, found: UnknownKey[]): void {
  if (input === null || typeof input !== 'object') return;
  const def = defOf(unwrap(schema));
  if (def.shape !== undefined && !Array.isArray(input)) {
    const known = Object.keys(def.shape);
    for (const [key, value] of Object.entries(input)) {
      const child = def.shape[key];
      if (child === undefined) found.push({ parent: path, schemaPath, key, value, known });
      else walk(child, value, [...path, key], join(schemaPath, key), found);
    }
  } else if (def.type === 'record' && def.valueType !== undefined && !Array.isArray(input)) {
    for (const [key, value] of Object.entries(input)) {
      walk(def.valueType, value, [...path, key], join(schemaPath, '*'), found);
    }
  } else if (def.type === 'array' && def.element !== undefined && Array.isArray(input)) {
    const element = def.element;
    input.forEach((value: unknown, index) => walk(element, value, [...path, index], join(schemaPath, '[]'), found));
  }
}
