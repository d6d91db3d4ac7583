/**
 * A tool's zod schema as Baton publishes it in `tools/list`: JSON Schema 2020-12 (MCP's default dialect, so no
 * `$schema` key is needed, and some clients reject one inside a tool), in the spelling that clients mapping tool
 * schemas onto narrower dialects handle (the MCP Inspector's `--strict` portability check):
 * - a nullable field is `anyOf: [{type: T}, {type: "null"}]`, never a `type` array;
 * - a field that holds any JSON value (payload, progress data, results) names the JSON types instead of `{}`;
 * - integers lose zod's ±2^53 bounds, strings and lists the length limits no model reaches by accident (100
 *   and more, "not empty" and "positive": the server still checks them, with an error naming the field); output
 *   objects lose `additionalProperties: false` and `required` (Baton writes them; a field that may be empty says so
 *   with null, and every answer still matches the published schema). Each costs tokens in
 *   every host's context window (SPEC §11: the whole tools/list ≤ 4,000 tokens).
 */
import { z } from 'zod';

export type JsonSchema = { [key: string]: unknown };

/** Any JSON value, typed: what `{}` means, in words every client reads. */
export const ANY_JSON: JsonSchema = {
  anyOf: ['string', 'number', 'boolean', 'object', 'array', 'null'].map((type) => ({ type })),
};

/** Keywords that only annotate: a schema with nothing else accepts any value. */
const ANNOTATIONS = new Set(['description', 'title', 'default', 'examples', 'deprecated', 'readOnly', 'writeOnly']);
/** Keywords whose value is a schema, or a map or list of schemas. */
const SCHEMA_KEYS = new Set(['items', 'additionalProperties', 'not', 'contains', 'propertyNames']);
const SCHEMA_LISTS = new Set(['anyOf', 'oneOf', 'allOf', 'prefixItems']);
const SCHEMA_MAPS = new Set(['properties', '$defs', 'patternProperties']);

/** String length limits from this many characters on are left out of the published schema. */
const UNPUBLISHED_LENGTH = 100;

/** The published JSON Schema of a tool's input (`io: 'input'`) or output schema. */
export function publishedSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
  delete json.$schema;
  const published = portable(json, io);
  return io === 'output' ? briefRecords(published, true) : published;
}

/**
 * An output schema's nested records (a task inside get_task, the items of list_tasks, inbox items, agents) as
 * `{type: "object"}` with their field names in the description (`name?` when it may be absent): what a model
 * reads an answer by, at a fraction of the tokens. A record with the same fields as an earlier sibling names it
 * instead (`usage_total`: "Fields as usage."). The top level keeps every field's type; tools' structuredContent
 * still matches, and the text content carries the whole answer.
 */
function briefRecords(node: JsonSchema, root = false, siblings = new Map<string, string>(), name = ''): JsonSchema {
  const props = isSchema(node.properties) ? node.properties : null;
  if (props && !root) {
    const required = new Set(Array.isArray(node.required) ? (node.required as string[]) : []);
    const fields = Object.keys(props)
      .map((k) => (required.has(k) ? k : `${k}?`))
      .join(', ');
    const about = typeof node.description === 'string' ? `${node.description} ` : '';
    const same = siblings.get(fields);
    if (same === undefined) siblings.set(fields, name);
    return { type: 'object', description: `${about}Fields${same !== undefined ? ` as ${same}` : `: ${fields}`}.` };
  }
  const out: JsonSchema = { ...node };
  const seen = new Map<string, string>();
  if (props)
    out.properties = Object.fromEntries(
      Object.entries(props).map(([k, v]) => [k, isSchema(v) ? briefRecords(v, false, seen, k) : v]),
    );
  if (isSchema(node.items)) out.items = briefRecords(node.items);
  if (Array.isArray(node.anyOf)) out.anyOf = node.anyOf.map((v) => (isSchema(v) ? briefRecords(v) : v));
  if (root) delete out.required;
  return out;
}

/** One schema node made portable, its subschemas first. */
export function portable(node: JsonSchema, io: 'input' | 'output' = 'input'): JsonSchema {
  const sub = (v: unknown) => (isSchema(v) ? portable(v, io) : v);
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    // An output record of any values (merge's results by task id) is an object: its values need no schema.
    if (key === 'additionalProperties' && io === 'output' && isSchema(value) && isAnnotationOnly(value)) continue;
    if (SCHEMA_KEYS.has(key) && isSchema(value)) out[key] = portable(value, io);
    else if (SCHEMA_LISTS.has(key) && Array.isArray(value)) out[key] = value.map(sub);
    else if (SCHEMA_MAPS.has(key) && isSchema(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sub(v)]));
    } else out[key] = value;
  }
  // An array that says what it holds needs no description on its items too ("The tasks, by id." / "The task id…").
  if (typeof out.description === 'string' && isSchema(out.items) && 'description' in out.items) {
    const { description: _said, ...items } = out.items;
    out.items = items;
  }
  if (out.type === 'integer') {
    if (out.minimum === Number.MIN_SAFE_INTEGER) delete out.minimum;
    if (out.maximum === Number.MAX_SAFE_INTEGER) delete out.maximum;
  }
  if (typeof out.maxLength === 'number' && out.maxLength >= UNPUBLISHED_LENGTH) delete out.maxLength;
  if (typeof out.maxItems === 'number' && out.maxItems >= UNPUBLISHED_LENGTH) delete out.maxItems;
  // JSON object keys are strings: saying so adds nothing.
  if (
    isSchema(out.propertyNames) &&
    Object.keys(out.propertyNames).join() === 'type' &&
    out.propertyNames.type === 'string'
  ) {
    delete out.propertyNames;
  }
  if (out.minLength === 1) delete out.minLength;
  if (out.minItems === 1) delete out.minItems;
  // "Positive" (timeouts, budgets) goes without saying; a 0 is refused with an error naming the field.
  if (out.exclusiveMinimum === 0) delete out.exclusiveMinimum;
  // Id patterns are checked by the server; a model copies ids, it does not make them up.
  if (typeof out.pattern === 'string' && io === 'input') delete out.pattern;
  if (io === 'output') {
    if (out.additionalProperties === false) delete out.additionalProperties;
    // A model reads the status it is given; the statuses a call can ask for are in list_tasks' input.
    if (out.type === 'string' && Array.isArray(out.enum)) delete out.enum;
  }
  if (Array.isArray(out.type)) return splitTypes(out, out.type as string[]);
  if (isAnnotationOnly(out)) return { ...out, ...ANY_JSON };
  return out;
}

/** A schema with no validation keyword: it accepts any value. */
function isAnnotationOnly(node: JsonSchema): boolean {
  return Object.keys(node).every((key) => ANNOTATIONS.has(key));
}

/** `{type: [T, "null"], …}` → `{anyOf: [{type: T, …}, {type: "null"}]}`; annotations stay outside. */
function splitTypes(node: JsonSchema, types: string[]): JsonSchema {
  const outer: JsonSchema = {};
  const inner: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'type') continue;
    (ANNOTATIONS.has(key) ? outer : inner)[key] = value;
  }
  const branches = types.map((type) => (type === 'null' ? { type } : { type, ...inner }));
  return branches.length === 1 ? { ...outer, ...branches[0] } : { ...outer, anyOf: branches };
}

function isSchema(value: unknown): value is JsonSchema {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
