// The twin query that resolves a rollout's query target. Built like the fleet report's (fleetReport.ts): caller
// text never reaches the query as syntax — tag names must match a strict identifier pattern, values are escaped
// string literals, connection states are constants.
import { stringLiteral, tagPath } from '../fleetReport';

export interface RolloutTargetQuery {
  tags: Array<{ name: string; value: string }>;
  connectionState?: 'Connected' | 'Disconnected';
  deviceIdPrefix?: string;
}

export function buildTargetQuery(query: RolloutTargetQuery): string {
  const conditions: string[] = [];
  for (const tag of query.tags) conditions.push(`${tagPath(tag.name)} = ${stringLiteral(tag.value)}`);
  if (query.connectionState !== undefined) conditions.push(`connectionState = ${stringLiteral(query.connectionState)}`);
  if (query.deviceIdPrefix !== undefined) conditions.push(`STARTSWITH(deviceId, ${stringLiteral(query.deviceIdPrefix)})`);
  if (conditions.length === 0) throw new RangeError('a target query needs at least one condition');
  return `SELECT deviceId FROM devices WHERE ${conditions.join(' AND ')}`;
}
