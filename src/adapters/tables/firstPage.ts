// One page of a filtered table query, with the continuation token the caller passes back for the next one.
import type { TableClient, TableEntityResult } from '@azure/data-tables';
import type { Page } from '../../domain/ports';
import { checkContinuationToken } from './continuationToken';

export async function firstPage<E extends object, T>(table: TableClient, filter: string, options: { pageSize: number; continuationToken?: string },
  map: (entity: TableEntityResult<E>) => T): Promise<Page<T>> {
  if (options.continuationToken !== undefined) checkContinuationToken(options.continuationToken);
  const pages = table.listEntities<E>({ queryOptions: { filter } })
    .byPage({ maxPageSize: options.pageSize, continuationToken: options.continuationToken });
  const first = await pages.next();
  if (first.done === true || first.value === undefined) return { items: [], continuationToken: null };
  return { items: first.value.map(map), continuationToken: first.value.continuationToken ?? null };
}
