import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ANY_JSON, portable, publishedSchema } from '../../src/mcp/tool-schema.js';

describe('publishedSchema', () => {
  it('splits a nullable type into anyOf branches, keeping constraints in the typed branch and notes outside', () => {
    expect(portable({ type: ['string', 'null'], maxLength: 20, description: 'A note.' })).toEqual({
      description: 'A note.',
      anyOf: [{ type: 'string', maxLength: 20 }, { type: 'null' }],
    });
  });

  it('types a field that takes any JSON value, wherever it sits', () => {
    const schema = z.object({ payload: z.unknown().describe('Any input.'), map: z.record(z.string(), z.unknown()) });
    const json = publishedSchema(schema, 'input') as { properties: Record<string, Record<string, unknown>> };
    expect(json).not.toHaveProperty('$schema');
    expect(json.properties.payload).toEqual({ description: 'Any input.', ...ANY_JSON });
    expect(json.properties.map).toEqual({ type: 'object', additionalProperties: ANY_JSON });
  });

  it('drops bounds that say nothing to a model, and keeps the ones that do', () => {
    const schema = z.object({
      n: z.number().int(),
      limit: z.number().int().min(1).max(500),
      id: z.string().min(1).max(128),
      code: z.string().max(8),
      ids: z.array(z.string()).min(1).max(500),
    });
    const { properties } = publishedSchema(schema, 'input') as { properties: Record<string, unknown> };
    expect(properties).toEqual({
      n: { type: 'integer' },
      limit: { type: 'integer', minimum: 1, maximum: 500 },
      id: { type: 'string' },
      code: { type: 'string', maxLength: 8 },
      ids: { type: 'array', minItems: 1, items: { type: 'string' } },
    });
  });

  it('names the fields of records inside an output, keeping the top level typed', () => {
    const schema = z.object({
      total: z.number().int(),
      items: z.array(z.object({ id: z.string(), note: z.string().optional() })),
    });
    expect(publishedSchema(schema, 'output')).toEqual({
      type: 'object',
      properties: {
        total: { type: 'integer' },
        items: { type: 'array', items: { type: 'object', description: 'Fields: id, note?.' } },
      },
    });
  });
});
