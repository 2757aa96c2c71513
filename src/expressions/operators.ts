/**
 * Operator overloads that forgive the type mismatches JSON data causes in strict CEL.
 *
 * JSON numbers reach CEL as doubles while literals like `1` are ints, and strict CEL has no
 * `double + int`, so `event.data.n + 1` would fail. Comparisons (`==`, `<`, ...) across int and
 * double already work in the library; only arithmetic needs help. Strict CEL also has no `%` on
 * doubles, so `event.data.n % 2` would fail for every JSON number. Like Inngest's evaluator,
 * a string plus a number concatenates (`"user-" + event.data.id`), which keys rely on.
 * @module
 */
import type { Environment } from "@marcbachmann/cel-js";

type Arithmetic = "+" | "-" | "*" | "/" | "%";

const ARITHMETIC: Readonly<Record<Arithmetic, (a: number, b: number) => number>> = {
  "+": (a, b) => a + b,
  "-": (a, b) => a - b,
  "*": (a, b) => a * b,
  "/": (a, b) => a / b,
  "%": (a, b) => a % b,
};

/**
 * Registers mixed int/double arithmetic and double `%` (result: double), plus string/number
 * concatenation.
 */
export function registerLenientOperators(env: Environment): Environment {
  env.registerOperator("double % double: double", ARITHMETIC["%"]);
  for (const [op, apply] of Object.entries(ARITHMETIC)) {
    env
      .registerOperator(`double ${op} int: double`, (a: number, b: bigint) => apply(a, Number(b)))
      .registerOperator(`int ${op} double: double`, (a: bigint, b: number) => apply(Number(a), b));
  }
  const concat = (a: unknown, b: unknown) => String(a) + String(b);
  for (const numeric of ["int", "double"]) {
    env.registerOperator(`string + ${numeric}: string`, concat).registerOperator(`${numeric} + string: string`, concat);
  }
  return env;
}
