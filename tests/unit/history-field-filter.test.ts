import { describe, expect, it } from "vitest";
import { fieldCondition, FieldFilterError, parseFieldFilter } from "../../src/history/field-filter";

describe("parseFieldFilter", () => {
  it("turns a dotted path into a quoted SQLite JSON path and parses the value as JSON", () => {
    expect(parseFieldFilter("data.userId=42")).toEqual({ path: "data.userId", jsonPath: '$."data"."userId"', value: 42 });
    expect(parseFieldFilter(' data.items[2].sku = "A-1" ')).toEqual({
      path: "data.items[2].sku",
      jsonPath: '$."data"."items"[2]."sku"',
      value: "A-1",
    });
    expect(parseFieldFilter("user.email-address=a@b.c").jsonPath).toBe('$."user"."email-address"');
  });

  it("keeps a value that is not JSON as text, and an empty value as the empty string", () => {
    expect(parseFieldFilter("data.city=Oslo").value).toBe("Oslo");
    expect(parseFieldFilter("data.note=").value).toBe("");
    expect(parseFieldFilter("data.a=b=c").value).toBe("b=c");
  });

  it("rejects what is not a path, saying how to write one", () => {
    for (const text of ["userId", "=1", "data..x=1", "[0]=1", 'data."x"=1', "data x=1"]) {
      expect(() => parseFieldFilter(text), text).toThrow(FieldFilterError);
    }
  });
});

describe("fieldCondition", () => {
  it("matches numbers and their digits as text, booleans and null by JSON type, objects minified", () => {
    const at = (text: string) => fieldCondition("data", parseFieldFilter(text));
    expect(at("data.n=7")).toEqual({ sql: "json_extract(data, ?) IN (?, ?)", values: ['$."data"."n"', 7, "7"] });
    expect(at("data.ok=false")).toEqual({ sql: "json_type(data, ?) = ?", values: ['$."data"."ok"', "false"] });
    expect(at("data.x=null")).toEqual({ sql: "json_type(data, ?) = 'null'", values: ['$."data"."x"'] });
    expect(at('data.o={"a": [1, 2]}').values[1]).toBe('{"a":[1,2]}');
  });
});
