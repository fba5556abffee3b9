// The twin engine as a pure library: merge patch, versions, $metadata, and the size/depth/key/value limits.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IotHubError } from '../../../local/iothub/errors';
import { jsonSize } from '../../../local/iothub/twin/limits';
import { mergePatch } from '../../../local/iothub/twin/mergePatch';
import { TwinDocument, twinEtagOf } from '../../../local/iothub/twin/twinDocument';

// Twin JSON is navigated freely in assertions; a wrong path fails the assertion.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = Record<string, any>;

const T0 = '2024-01-01T00:00:00.000Z';
const T1 = '2024-01-01T00:00:01.000Z';
const T2 = '2024-01-01T00:00:02.000Z';

function argumentInvalid(error: unknown): boolean {
  return error instanceof IotHubError && error.code === 400004;
}

describe('merge patch', () => {
  it('merges objects, deletes nulls, replaces arrays and primitives, and leaves the target untouched', () => {
    const target = { a: { b: 1, c: [1, 2] }, d: 'x' };
    const result = mergePatch(target, { a: { b: null, c: [3], e: { f: true } }, d: { now: 'object' }, g: null });
    assert.deepEqual(result, { a: { c: [3], e: { f: true } }, d: { now: 'object' } });
    assert.deepEqual(target, { a: { b: 1, c: [1, 2] }, d: 'x' });
  });
});

describe('twin document', () => {
  it('versions sections independently and the twin on every accepted change', () => {
    const twin = new TwinDocument(T0);
    assert.equal(twin.version, 1);
    assert.equal(twin.etag, 'AAAAAAAAAAE=');
    twin.applyServiceUpdate({ tags: { a: 1 } }, 'merge', T1);
    assert.deepEqual([twin.version, twin.desiredVersion, twin.reportedVersion], [2, 1, 1]);
    const { desiredNotification } = twin.applyServiceUpdate({ desired: { x: { y: 1 } } }, 'merge', T1);
    assert.deepEqual(desiredNotification, { x: { y: 1 }, $version: 2 });
    assert.equal(twin.applyReportedPatch({ r: 1 }, T2), 2);
    assert.deepEqual([twin.version, twin.desiredVersion, twin.reportedVersion], [4, 2, 2]);
    assert.equal(twin.etag, twinEtagOf(4));
    assert.equal(twinEtagOf(7), 'AAAAAAAAAAc=', 'the form of the documented example etag');
  });

  it('stamps $metadata at every level and keeps older stamps of untouched members', () => {
    const twin = new TwinDocument(T0);
    twin.applyServiceUpdate({ desired: { a: { b: 1, c: 2 }, d: 3 } }, 'merge', T1);
    twin.applyServiceUpdate({ desired: { a: { b: null, e: 5 } } }, 'merge', T2);
    const meta = twin.servicePropertiesView().desired.$metadata as Loose;
    assert.deepEqual(meta, {
      $lastUpdated: T2,
      $lastUpdatedVersion: 3,
      a: { $lastUpdated: T2, $lastUpdatedVersion: 3, c: { $lastUpdated: T1, $lastUpdatedVersion: 2 }, e: { $lastUpdated: T2, $lastUpdatedVersion: 3 } },
      d: { $lastUpdated: T1, $lastUpdatedVersion: 2 },
    });
    twin.applyReportedPatch({ r: { s: 1 } }, T2);
    assert.deepEqual(twin.servicePropertiesView().reported.$metadata, { $lastUpdated: T2, r: { $lastUpdated: T2, s: { $lastUpdated: T2 } } });
  });

  it('replaces desired and tags wholesale, notifying the whole desired document', () => {
    const twin = new TwinDocument(T0, { old: true });
    twin.applyServiceUpdate({ desired: { a: 1, b: 2 } }, 'merge', T1);
    const { desiredNotification } = twin.applyServiceUpdate({ tags: { fresh: 1 }, desired: { b: 3 } }, 'replace', T2);
    assert.deepEqual(twin.tags, { fresh: 1 });
    assert.deepEqual(twin.desired, { b: 3 });
    assert.deepEqual(desiredNotification, { b: 3, $version: 3 });
    twin.applyServiceUpdate({}, 'replace', T2);
    assert.deepEqual([twin.tags, twin.desired], [{}, {}], 'a replacement without a section empties it');
  });

  it('ignores read-only $metadata/$version sent back in desired, and hides $metadata from devices', () => {
    const twin = new TwinDocument(T0);
    twin.applyServiceUpdate({ desired: { a: 1, $version: 99, $metadata: {} } }, 'merge', T1);
    assert.deepEqual(twin.deviceView(), { desired: { a: 1, $version: 2 }, reported: { $version: 1 } });
  });

  it('rejects limit violations with 400004 and changes nothing', () => {
    const twin = new TwinDocument(T0);
    const depth = (n: number): Record<string, unknown> => (n === 1 ? { leaf: {} } : { n: depth(n - 1) });
    assert.doesNotThrow(() => twin.applyServiceUpdate({ desired: depth(10) }, 'merge', T1));
    const versionBefore = twin.version;
    const bad: [string, () => unknown][] = [
      ['depth 11', () => twin.applyServiceUpdate({ desired: depth(11) }, 'merge', T1)],
      ['$ in key', () => twin.applyReportedPatch({ 'a$': 1 }, T1)],
      ['empty key', () => twin.applyReportedPatch({ '': 1 }, T1)],
      ['C1 control', () => twin.applyReportedPatch({ 'a\u0085': 1 }, T1)],
      ['key over 1 KB', () => twin.applyReportedPatch({ ['k'.repeat(1025)]: 1 }, T1)],
      ['integer below range', () => twin.applyReportedPatch({ n: -4503599627370497 }, T1)],
      ['not an object', () => twin.applyReportedPatch([1, 2], T1)],
      ['null in a replacement array is fine but a non-object section is not', () => twin.applyServiceUpdate({ tags: 'x' }, 'merge', T1)],
      ['reported over 32 KB', () => twin.applyReportedPatch(Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, 'x'.repeat(4000)])), T1)],
    ];
    for (const [name, attempt] of bad) assert.throws(attempt, argumentInvalid, name);
    assert.equal(twin.version, versionBefore);
    assert.doesNotThrow(() => twin.applyReportedPatch({ max: 4503599627370495, min: -4503599627370496, f: 1.5, arr: [null, { a: 1 }] }, T1));
  });

  it('counts size as IoT Hub does: UTF-8 keys and strings, numbers 8, booleans 4', () => {
    assert.equal(jsonSize({ ab: 'cd', n: 1, t: true, é: 'é', o: { k: null }, a: [1, 'x'] }), 2 + 2 + 1 + 8 + 1 + 4 + 2 + 2 + 1 + 1 + 1 + 8 + 1);
  });
});
