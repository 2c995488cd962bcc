/**
 * scripts/structural-schema.ts: JSON Schema (as zod writes it) in, a Kubernetes structural
 * schema out, one construct at a time.
 */
import { describe, expect, it } from "vitest";
import { structuralSchema } from "../../scripts/structural-schema.ts";

type Schema = Record<string, unknown>;

const PRESERVE = { "x-kubernetes-preserve-unknown-fields": true };

describe("structuralSchema", () => {
  it.each<[string, Schema, Schema]>([
    ["a const as a one-value enum", { type: "string", const: "A" }, { type: "string", enum: ["A"] }],
    ["a const without a type", { const: "A" }, { type: "string", enum: ["A"] }],
    ["a nullable type", { type: ["string", "null"] }, { type: "string", nullable: true }],
    [
      "an exclusive bound as OpenAPI 3.0's boolean",
      { type: "number", exclusiveMinimum: 0, maximum: 1 },
      { type: "number", minimum: 0, exclusiveMinimum: true, maximum: 1 },
    ],
    [
      "safe-integer bounds dropped",
      { type: "integer", minimum: -9007199254740991, maximum: 9007199254740991 },
      { type: "integer" },
    ],
    [
      "number or string as int-or-string",
      { type: ["number", "string"], description: "d" },
      { description: "d", "x-kubernetes-int-or-string": true },
    ],
    [
      "an int-or-percent union, keeping each kind's constraint",
      {
        anyOf: [
          { type: "integer", minimum: 0 },
          { type: "string", pattern: "^\\d+%$" },
        ],
        default: "40%",
      },
      { default: "40%", minimum: 0, pattern: "^\\d+%$", "x-kubernetes-int-or-string": true },
    ],
    ["anything as preserve-unknown-fields", { description: "free" }, { description: "free", ...PRESERVE }],
    ["boolean or string as anything", { type: ["boolean", "string"] }, PRESERVE],
    [
      "a map: additionalProperties without propertyNames",
      { type: "object", propertyNames: { type: "string" }, additionalProperties: { type: "number" } },
      { type: "object", additionalProperties: { type: "number" } },
    ],
    [
      "a closed object without additionalProperties: false",
      { type: "object", properties: { a: { type: "string" } }, required: ["a", "gone"], additionalProperties: false },
      { type: "object", properties: { a: { type: "string" } }, required: ["a"] },
    ],
    [
      "an object with extra fields allowed",
      { type: "object", properties: { a: { type: "string" } }, additionalProperties: {} },
      { type: "object", ...PRESERVE, properties: { a: { type: "string" } } },
    ],
    ["an open object", { type: "object" }, { type: "object", ...PRESERVE }],
    [
      "unique scalars as a set",
      { type: "array", items: { type: "string" }, uniqueItems: true, minItems: 1 },
      { type: "array", minItems: 1, "x-kubernetes-list-type": "set", items: { type: "string" } },
    ],
    ["a pattern RE2 reads", { type: "string", pattern: "^[a-z]+$" }, { type: "string", pattern: "^[a-z]+$" }],
    ["a lookahead RE2 cannot read", { type: "string", pattern: "^(?!x)[a-z]+$" }, { type: "string" }],
    ["a backreference", { type: "string", pattern: "^(a)\\1$" }, { type: "string" }],
    [
      "a known format instead of its pattern",
      { type: "string", format: "date-time", pattern: "^\\d{4}-.*$" },
      { type: "string", format: "date-time" },
    ],
    ["an unknown format", { type: "string", format: "cidrv9", maxLength: 4 }, { type: "string", maxLength: 4 }],
    ["title, $schema and $id dropped", { $schema: "x", $id: "y", title: "T", type: "boolean" }, { type: "boolean" }],
    [
      "string enums joined",
      {
        anyOf: [
          { type: "string", enum: ["a"] },
          { type: "string", enum: ["b", "a"] },
        ],
      },
      { type: "string", enum: ["a", "b"] },
    ],
    [
      "a null alternative as nullable",
      { anyOf: [{ type: "integer" }, { type: "null" }] },
      { type: "integer", nullable: true },
    ],
    [
      "integer or number as number",
      { anyOf: [{ type: "integer" }, { type: "number", minimum: 1 }] },
      { type: "number" },
    ],
    ["an object or a string as anything", { anyOf: [{ type: "object" }, { type: "string" }] }, PRESERVE],
  ])("writes %s", (_what, input, expected) => {
    expect(structuralSchema(input)).toEqual(expected);
  });

  it("merges object alternatives, keeping what tells them apart in an anyOf of required fields and constants", () => {
    const input = {
      oneOf: [
        {
          type: "object",
          properties: {
            type: { type: "string", const: "A" },
            a: { type: "string" },
            timeout: { type: "integer", default: 1 },
          },
          required: ["type", "a"],
        },
        {
          type: "object",
          properties: {
            type: { type: "string", const: "B" },
            timeout: { type: "integer", default: 2 },
            b: { type: "integer", default: 5 },
          },
          required: ["type"],
        },
      ],
    };
    expect(structuralSchema(input)).toEqual({
      type: "object",
      properties: {
        type: { type: "string", enum: ["A", "B"] },
        a: { type: "string" },
        // Defaults that differ, or that only one alternative has, would add a field another refuses.
        timeout: { type: "integer" },
        b: { type: "integer" },
      },
      anyOf: [
        { properties: { type: { enum: ["A"] } }, required: ["type", "a"] },
        { properties: { type: { enum: ["B"] } }, required: ["type"] },
      ],
    });
  });

  it("keeps a default every alternative shares", () => {
    const alternative = (extra: string): Schema => ({
      type: "object",
      properties: { mode: { type: "string", default: "x" }, [extra]: { type: "string" } },
    });
    const merged = structuralSchema({ anyOf: [alternative("p"), alternative("q")] });
    expect((merged.properties as Record<string, Schema>).mode).toEqual({ type: "string", default: "x" });
    expect(merged.anyOf).toBeUndefined();
  });

  it("inlines references to $defs", () => {
    const input = {
      type: "object",
      properties: { a: { $ref: "#/$defs/name", description: "the a" }, b: { $ref: "#/$defs/name" } },
      $defs: { name: { type: "string", minLength: 1 } },
    };
    expect(structuralSchema(input)).toEqual({
      type: "object",
      properties: { a: { description: "the a", type: "string", minLength: 1 }, b: { type: "string", minLength: 1 } },
    });
  });

  it("leaves a recursive type open below its first level", () => {
    const input = {
      $ref: "#/$defs/tree",
      $defs: {
        tree: {
          type: "object",
          properties: { name: { type: "string" }, children: { type: "array", items: { $ref: "#/$defs/tree" } } },
        },
      },
    };
    expect(structuralSchema(input)).toEqual({
      type: "object",
      properties: { name: { type: "string" }, children: { type: "array", items: PRESERVE } },
    });
  });

  it("writes keys in reading order: description and type first, nested schemas last", () => {
    const out = structuralSchema({
      required: ["a"],
      properties: { a: { type: "string" } },
      type: "object",
      description: "d",
      default: {},
    });
    expect(Object.keys(out)).toEqual(["description", "type", "default", "properties", "required"]);
  });
});
