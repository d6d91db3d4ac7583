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
      timeout: z.number().positive().max(60),
      ref: z.string().regex(/^t_[a-z0-9]+$/),
    });
    const { properties } = publishedSchema(schema, 'input') as { properties: Record<string, unknown> };
    expect(properties).toEqual({
      n: { type: 'integer' },
      limit: { type: 'integer', minimum: 1, maximum: 500 },
      id: { type: 'string' },
      code: { type: 'string', maxLength: 8 },
      ids: { type: 'array', items: { type: 'string' } },
      timeout: { type: 'number', maximum: 60 },
      ref: { type: 'string' },
    });
    // The server still checks them all.
    expect(
      schema.safeParse({ n: 1, limit: 1, id: 'x', code: 'c', ids: [], timeout: 0, ref: 'x' }).error?.issues,
    ).toHaveLength(3);
  });

  it("leaves out of outputs what a model needs not be told: statuses it is given, an any-value map's values", () => {
    const schema = z.object({
      status: z.enum(['done', 'failed']),
      results: z.record(z.string(), z.unknown()),
      usage: z.object({ tokens: z.number() }).describe('Own.'),
      usage_total: z.object({ tokens: z.number() }).describe('Subtree.'),
    });
    expect(publishedSchema(schema, 'output')).toEqual({
      type: 'object',
      properties: {
        status: { type: 'string' },
        results: { type: 'object' },
        usage: { type: 'object', description: 'Own. Fields: tokens.' },
        usage_total: { type: 'object', description: 'Subtree. Fields as usage.' },
      },
    });
    // Inputs keep the enum: a model chooses from it.
    const input = publishedSchema(z.object({ status: z.enum(['done', 'failed']) }), 'input');
    expect(input.properties).toEqual({ status: { type: 'string', enum: ['done', 'failed'] } });
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
