/**
 * `POST /v0/gql`: the GraphQL endpoint of Inngest's dev server, for the queries scripts and the
 * SDK repository's tests send (see graphql-schema.ts), executed by graphql-js. A request that does
 * not parse, validate or stay within the cost limits (graphql-limits.ts) is refused with 400 and
 * both GraphQL's `errors` list and stepflare's `error`; errors while resolving come back with
 * status 200 next to the data that did resolve, as GraphQL specifies.
 * @module
 */
import { Hono, type Context } from "hono";
import { execute, GraphQLError, parse, specifiedRules, validate, type DocumentNode } from "graphql";
import { z } from "zod";
import type { Env } from "../env";
import { GQL_MAX_TOKENS } from "../constants";
import { isJsonObject } from "../ingest/event";
import { costLimitRule } from "./graphql-limits";
import { gqlContext } from "./graphql-objects";
import { gqlRoot } from "./graphql-root";
import { gqlSchema } from "./graphql-schema";
import { describeIssues, jsonBody } from "./respond";

/** The GraphQL route; mount at the root of the Worker's Hono app. */
export const graphqlRoutes = new Hono<{ Bindings: Env }>();

const requestBody = z.object({
  query: z.string().min(1, "must be a GraphQL document"),
  variables: z.custom<Record<string, unknown>>(isJsonObject, { error: "must be an object" }).nullish(),
  operationName: z.string().nullish(),
});

/** A refused request, readable by GraphQL clients (`errors`) and by stepflare's (`error`). */
function refuse(c: Context, messages: string[]) {
  return c.json({ errors: messages.map((message) => ({ message })), error: messages.join("; "), status: 400 }, 400);
}

graphqlRoutes.post("/v0/gql", async (c) => {
  const raw = await jsonBody(c);
  if (!raw.ok) return c.json({ errors: [{ message: raw.error }], error: raw.error, status: raw.status }, raw.status);
  const parsed = requestBody.safeParse(raw.value);
  if (!parsed.success) return refuse(c, [describeIssues(parsed.error)]);
  const { query, variables, operationName } = parsed.data;

  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens: GQL_MAX_TOKENS });
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    return refuse(c, [error.message]);
  }
  const schema = gqlSchema();
  const problems = validate(schema, document, [...specifiedRules, costLimitRule]);
  if (problems.length > 0)
    return refuse(
      c,
      problems.map((p) => p.message),
    );

  const result = await execute({
    schema,
    document,
    rootValue: gqlRoot,
    contextValue: gqlContext(c.env),
    variableValues: variables ?? undefined,
    operationName: operationName ?? undefined,
  });
  // Variables that do not fit their types, or a missing operation, leave no data at all.
  if (!("data" in result) || result.data === undefined)
    return refuse(
      c,
      (result.errors ?? []).map((e) => e.message),
    );
  return c.json({ ...result, ...(result.errors ? { errors: result.errors.map(masked) } : {}) });
});

/**
 * An error as the client sees it: GraphQL errors raised on purpose keep their message; anything
 * else (a storage failure) is logged here and named only by the field it stopped.
 */
function masked(error: GraphQLError) {
  if (error.originalError === undefined || error.originalError instanceof GraphQLError) return error.toJSON();
  console.error(`stepflare: /v0/gql: resolving ${error.path?.join(".")} failed:`, error.originalError);
  return { message: "this field could not be read; the server log says why", path: error.path, locations: error.locations };
}
