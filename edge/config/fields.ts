// Schema building blocks whose error messages read well in a one-line config error:
// `cameras[1].fps: must be a number between 0.1 and 60, got "ten"`.
import { z } from 'zod';

export function numberBetween(min: number, max: number) {
  const msg = `must be a number between ${min} and ${max}`;
  return z.number({ error: msg }).min(min, { error: msg }).max(max, { error: msg });
}

export function intBetween(min: number, max: number) {
  const msg = `must be a whole number between ${min} and ${max}`;
  return z.number({ error: msg }).int({ error: msg }).min(min, { error: msg }).max(max, { error: msg });
}

export function nonEmptyString(what = 'a non-empty string') {
  return z.string({ error: `must be ${what}` }).min(1, { error: `must be ${what}` });
}

/** A name used in topics, metrics and SQL keys: letters, digits, `-`, `_`, `.`. */
export function identifier() {
  const msg = 'must be 1-64 characters of letters, digits, "-", "_" or "."';
  return z.string({ error: msg }).regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, { error: msg });
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `must be one of ${values.map((v) => JSON.stringify(v)).join(', ')}` });
}

export function bool() {
  return z.boolean({ error: 'must be true or false' });
}

/** An image point [x, y] in source pixels. */
export function point() {
  const msg = 'must be a point [x, y] of two numbers >= 0';
  return z.tuple([z.number({ error: msg }).min(0, { error: msg }), z.number({ error: msg }).min(0, { error: msg })], {
    error: msg,
  });
}

/**
 * Refinement for a list of named items: a repeated name is an error at the later item,
 * naming the earlier one too (`duplicate camera name "door", also cameras[0].name`).
 */
export function uniqueNames<T extends { name: string }>(what: string, listName: string) {
  return (items: T[], ctx: z.core.$RefinementCtx<T[]>) => {
    const first = new Map<string, number>();
    items.forEach((item, i) => {
      const earlier = first.get(item.name);
      if (earlier !== undefined) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate ${what} name "${item.name}", also ${listName}[${earlier}].name` });
      else first.set(item.name, i);
    });
  };
}
