// The callback sender against a real loopback server: with loopback refused (as on Azure) nothing reaches the
// server, whether the URL names the address or a host name resolving to it; with it allowed, the POST arrives.
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CallbackBlockedError, createCallbackSender } from '../../../src/adapters/callbacks/httpCallbackSender';

let server: http.Server;
let port = 0;
const received: Array<{ method: string; body: string }> = [];

before(async () => {
  server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      received.push({ method: request.method ?? '', body });
      response.writeHead(request.url?.startsWith('/redirect') ? 302 : 202, { location: 'http://127.0.0.1/elsewhere' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

test('loopback refused: blocked before anything is sent, by literal and by resolved name', async (t) => {
  const send = createCallbackSender({ allowLoopback: false });
  for (const host of ['127.0.0.1', 'localhost']) {
    await t.test(host, async () => {
      const before = received.length;
      await assert.rejects(send(`http://${host}:${port}/cb?sig=s3cret`, { status: 'Succeeded' }), CallbackBlockedError);
      assert.equal(received.length, before);
    });
  }
});

test('loopback allowed: the JSON body is POSTed and the status returned; a redirect is returned, not followed', async () => {
  const send = createCallbackSender({ allowLoopback: true });
  const before = received.length;
  assert.equal(await send(`http://localhost:${port}/cb?sig=s3cret`, { status: 'Succeeded' }), 202);
  assert.deepEqual(received.slice(before), [{ method: 'POST', body: '{"status":"Succeeded"}' }]);
  assert.equal(await send(`http://127.0.0.1:${port}/redirect`, {}), 302);
  assert.equal(received.length, before + 2, 'the redirect target was not requested');
});
