import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { REDACTED, redactSecrets } from '../../../src/telemetry/redact';

describe('redactSecrets', () => {
  const cases: Array<[string, string, string]> = [
    ['function key in a query', 'https://app/api/operations/x?code=abc123==&top=1', `https://app/api/operations/x?code=${REDACTED}&top=1`],
    ['SAS signature', 'https://st.blob.core.windows.net/c?sv=2024&sig=Zm9v%3D', `https://st.blob.core.windows.net/c?sv=2024&sig=${REDACTED}`],
    ['storage account key', 'AccountName=st;AccountKey=Zm9vYmFy==;EndpointSuffix=core', `AccountName=st;AccountKey=${REDACTED};EndpointSuffix=core`],
    ['IoT Hub policy key', 'HostName=h;SharedAccessKeyName=iothubowner;SharedAccessKey=Zm9v', `HostName=h;SharedAccessKeyName=iothubowner;SharedAccessKey=${REDACTED}`],
    ['bearer token', 'Authorization: Bearer eyJhbGciOi.x.y', `Authorization: Bearer ${REDACTED}`],
    ['a header-style key', 'x?x-functions-key=k1', `x?x-functions-key=${REDACTED}`],
  ];
  for (const [name, input, expected] of cases) {
    test(name, () => assert.equal(redactSecrets(input), expected));
  }

  test('leaves ordinary text alone', () => {
    const text = 'https://hub.azure-devices.net/twins/sim-001?api-version=2021-04-12 SharedAccessKeyName=iothubowner';
    assert.equal(redactSecrets(text), text);
  });
});
