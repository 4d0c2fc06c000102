import { type PipeTransform } from '@nestjs/common';
import { describeIssues } from '@guichet/contracts';
import type { z } from 'zod';
import { badRequest } from './errors';
import { isUuid } from './uuid';

export function parseOr400<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw badRequest('requête invalide', describeIssues(result.error));
  return result.data;
}

/** `@Body(new ZodPipe(schema))`: 400 with one line per invalid field. */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(private readonly schema: S) {}
  transform(value: unknown): z.infer<S> {
    return parseOr400(this.schema, value);
  }
}

/** Path ids that are not uuids are 404 (the resource cannot exist), never a database error. */
export class IdPipe implements PipeTransform<string, string> {
  constructor(private readonly what = 'ressource') {}
  transform(value: string): string {
    if (!isUuid(value)) throw badRequest(`identifiant de ${this.what} invalide`);
    return value.toLowerCase();
  }
}
