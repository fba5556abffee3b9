// Authorization of service REST calls: `Authorization: SharedAccessSignature …` signed with a shared access policy
// whose permissions cover the operation, scoped (by path segment) to the resource, not expired. Every failure is
// 401 / 401002 IotHubUnauthorizedAccess; the reason is named but the token never appears.
import { hubErrors } from '../errors';
import type { IotHub } from '../hub';
import type { Permission } from '../sas/policies';
import { parseSasToken } from '../sas/token';
import { verifySasToken } from '../sas/verify';

export function authorizeServiceRequest(
  hub: IotHub,
  authorization: string | undefined,
  resourcePath: string,
  permissions: readonly Permission[],
): void {
  const token = parseSasToken(authorization);
  if (!token) throw hubErrors.unauthorized('Unauthorized: the Authorization header must carry a SharedAccessSignature token.');
  if (token.keyName === undefined) {
    throw hubErrors.unauthorized('Unauthorized: service operations need a token signed with a shared access policy (skn).');
  }
  const policy = hub.policies.get(token.keyName);
  if (!policy) {
    throw hubErrors.unauthorized(`Unauthorized: unknown shared access policy ${JSON.stringify(token.keyName)}.`);
  }
  const resources = hub.hostNames.map((host) => `${host}/${resourcePath}`);
  const failure = verifySasToken(token, policy.key, resources);
  if (failure === 'signature') throw hubErrors.unauthorized('Unauthorized: the SAS signature does not match.');
  if (failure === 'expired') throw hubErrors.unauthorized('Unauthorized: the SAS token has expired.');
  if (failure === 'scope') throw hubErrors.unauthorized('Unauthorized: the SAS token is not scoped to this resource.');
  if (!permissions.some((permission) => policy.permissions.has(permission))) {
    throw hubErrors.unauthorized(`Unauthorized: policy ${policy.name} lacks the ${permissions.join(' or ')} permission.`);
  }
}
