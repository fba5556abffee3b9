// Symmetric keys of device identities: generated when the request leaves them empty (as the service does), and
// otherwise required to be base64 of 16 to 64 bytes.
import { hubErrors } from '../errors';
import { generateSymmetricKey } from '../sas/policies';

export { generateSymmetricKey };

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export function normaliseSymmetricKey(key: unknown, which: 'primaryKey' | 'secondaryKey'): string {
  if (key === undefined || key === null || key === '') return generateSymmetricKey();
  if (typeof key !== 'string' || !BASE64.test(key) || key.length % 4 !== 0) {
    throw hubErrors.argumentInvalid(`authentication.symmetricKey.${which} must be a base64 string.`);
  }
  const length = Buffer.from(key, 'base64').length;
  if (length < 16 || length > 64) {
    throw hubErrors.argumentInvalid(`authentication.symmetricKey.${which} must decode to between 16 and 64 bytes.`);
  }
  return key;
}
