/** A uuid as PostgreSQL prints it (8-4-4-4-12 hex digits); any case is accepted on input. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a uuid in any case (what PostgreSQL accepts as input). */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** True only for a uuid in lower case, the form the database returns (ids clients echo back). */
export function isCanonicalUuid(value: unknown): value is string {
  return isUuid(value) && value === value.toLowerCase();
}
