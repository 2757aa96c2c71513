/** The part of Node's `AsyncLocalStorage` stepflare uses (the D1 meter, the tests' subrequest meter); workerd provides it under `nodejs_compat`. */
declare module "node:async_hooks" {
  export class AsyncLocalStorage<T> {
    getStore(): T | undefined;
    run<R>(store: T, fn: () => R): R;
  }
}
