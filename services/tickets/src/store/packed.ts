/**
 * Values a ticket document holds as one JSON string each (its timeline events, its applied
 * commands). FerretDB v1 stores every field of a document with its type beside it and converts the
 * whole document on each read and each update; a ticket is read and rewritten several times per
 * step, and these lists are most of its fields. Dates survive the round trip as `{ $date: iso }`.
 */
export type Packed<T> = string | T;

const DATE = '$date';

export function pack(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, v: unknown) {
    const raw = this[key];
    return raw instanceof Date ? { [DATE]: raw.toISOString() } : v;
  });
}

/** A packed value, or (in a document written before packing) the value itself. */
export function unpack<T>(stored: Packed<T>): T {
  if (typeof stored !== 'string') return stored;
  return JSON.parse(stored, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object') return v;
    const date = (v as Record<string, unknown>)[DATE];
    return typeof date === 'string' && Object.keys(v).length === 1 ? new Date(date) : v;
  }) as T;
}
