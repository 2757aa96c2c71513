/**
 * Finding a function by the app that owns it and the id a script names it by.
 * @module
 */
import { findFunction, type StoredFunction } from "../sync/store";

/**
 * The function `functionId` of app `appId`, or null. The SDK syncs functions as `<app id>-<function
 * id>`; scripts usually name the latter alone, so both spellings are accepted.
 */
export async function findAppFunction(db: D1Database, appId: string, functionId: string): Promise<StoredFunction | null> {
  const candidates = await Promise.all([findFunction(db, `${appId}-${functionId}`), findFunction(db, functionId)]);
  return candidates.find((f) => f?.appId === appId) ?? null;
}
