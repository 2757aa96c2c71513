/**
 * The cost bound of `/v0/gql`: a validation rule that refuses an operation nesting deeper than
 * GQL_MAX_DEPTH or selecting more than GQL_MAX_FIELDS fields and fragment spreads, counting a
 * fragment's selections each time it is spread. Together with the parser's token limit and the clamped list sizes, this
 * keeps one request's work bounded however the query is written.
 * @module
 */
import { GraphQLError, Kind, type FragmentDefinitionNode, type SelectionSetNode, type ValidationContext, type ASTVisitor } from "graphql";
import { GQL_MAX_DEPTH, GQL_MAX_FIELDS } from "../constants";

interface Cost {
  depth: number;
  fields: number;
}

/** Depth and field count of `set`, stopping early once either limit is passed. */
function costOf(set: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, depth: number, seen: Set<string>): Cost {
  let cost: Cost = { depth, fields: 0 };
  for (const selection of set.selections) {
    // Spreads count too, so that fragments spreading fragments cannot multiply the work unseen.
    cost.fields += 1;
    let inner: Cost;
    if (selection.kind === Kind.FIELD) {
      inner = selection.selectionSet ? costOf(selection.selectionSet, fragments, depth + 1, seen) : { depth: depth + 1, fields: 0 };
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      inner = costOf(selection.selectionSet, fragments, depth, seen);
    } else {
      const fragment = fragments.get(selection.name.value);
      // A fragment that spreads itself is reported by graphql's own NoFragmentCycles rule.
      if (!fragment || seen.has(fragment.name.value)) continue;
      inner = costOf(fragment.selectionSet, fragments, depth, new Set(seen).add(fragment.name.value));
    }
    cost = { depth: Math.max(cost.depth, inner.depth), fields: cost.fields + inner.fields };
    if (cost.depth > GQL_MAX_DEPTH || cost.fields > GQL_MAX_FIELDS) return cost;
  }
  return cost;
}

/** The validation rule; add it to graphql's specified rules. */
export function costLimitRule(context: ValidationContext): ASTVisitor {
  const fragments = new Map(context.getDocument().definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
  return {
    OperationDefinition(operation) {
      const cost = costOf(operation.selectionSet, fragments, 0, new Set());
      if (cost.depth > GQL_MAX_DEPTH) {
        context.reportError(new GraphQLError(`query is nested ${cost.depth} levels deep; at most ${GQL_MAX_DEPTH} are allowed`, { nodes: operation }));
      } else if (cost.fields > GQL_MAX_FIELDS) {
        context.reportError(new GraphQLError(`query selects more than ${GQL_MAX_FIELDS} fields`, { nodes: operation }));
      }
    },
  };
}
