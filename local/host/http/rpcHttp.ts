// Converts between node:http and the RpcHttp shape the host sends to the Node worker under the
// capabilities it advertises (RawHttpBodyBytes, UseNullableValueDictionaryForHttp,
// IgnoreEmptyValuedRpcHttpHeaders; research §1.4): lower-cased headers, nullable maps, body as bytes.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RpcHttpCookie, RpcHttpData, RpcNullableString, RpcTypedData } from '../rpc/types';

export function toRpcHttpRequest(req: IncomingMessage, url: URL, body: Buffer, params: Record<string, string>): RpcHttpData {
  const nullableHeaders: Record<string, RpcNullableString> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : value;
    if (text === '') continue;
    nullableHeaders[name.toLowerCase()] = { value: text };
  }
  // ASP.NET's query collection joins repeated keys with ",".
  const nullableQuery: Record<string, RpcNullableString> = {};
  for (const key of new Set(url.searchParams.keys())) {
    nullableQuery[key] = { value: url.searchParams.getAll(key).join(',') };
  }
  const nullableParams: Record<string, RpcNullableString> = {};
  for (const [key, value] of Object.entries(params)) nullableParams[key] = { value };
  return {
    method: req.method ?? 'GET',
    url: url.href,
    nullableHeaders,
    nullableQuery,
    nullableParams,
    body: { bytes: new Uint8Array(body.buffer, body.byteOffset, body.byteLength) },
  };
}

export function typedDataToBuffer(data: RpcTypedData | null | undefined): Buffer {
  if (!data) return Buffer.alloc(0);
  if (data.bytes) return Buffer.from(data.bytes);
  if (data.stream) return Buffer.from(data.stream);
  if (typeof data.string === 'string') return Buffer.from(data.string, 'utf8');
  if (typeof data.json === 'string') return Buffer.from(data.json, 'utf8');
  if (typeof data.int === 'number') return Buffer.from(String(data.int));
  if (typeof data.double === 'number') return Buffer.from(String(data.double));
  return Buffer.alloc(0);
}

export function serializeCookie(cookie: RpcHttpCookie): string {
  let text = `${cookie.name ?? ''}=${cookie.value ?? ''}`;
  if (cookie.domain?.value) text += `; Domain=${cookie.domain.value}`;
  if (cookie.path?.value) text += `; Path=${cookie.path.value}`;
  const seconds = cookie.expires?.value?.seconds;
  if (typeof seconds === 'number') text += `; Expires=${new Date(seconds * 1000).toUTCString()}`;
  if (typeof cookie.maxAge?.value === 'number') text += `; Max-Age=${Math.trunc(cookie.maxAge.value)}`;
  if (cookie.secure?.value) text += '; Secure';
  if (cookie.httpOnly?.value) text += '; HttpOnly';
  if (cookie.sameSite === 'lax') text += '; SameSite=Lax';
  else if (cookie.sameSite === 'strict') text += '; SameSite=Strict';
  else if (cookie.sameSite === 'explicitNone') text += '; SameSite=None';
  return text;
}

export function writeRpcHttpResponse(res: ServerResponse, http: RpcHttpData | null | undefined, method: string): void {
  if (!http) {
    // FunctionInvocationMiddleware answers OkResult when the function produced no response.
    res.writeHead(200, { 'content-length': '0' });
    res.end();
    return;
  }
  const status = Number(http.statusCode ?? 200) || 200;
  const body = typedDataToBuffer(http.body);
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(http.headers ?? {})) {
    if (name.toLowerCase() === 'content-length' || name.toLowerCase() === 'transfer-encoding') continue;
    headers[name] = value;
  }
  const cookies = (http.cookies ?? []).map(serializeCookie);
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  const noBody = status === 204 || status === 304 || method === 'HEAD';
  if (!noBody) headers['content-length'] = String(body.length);
  res.writeHead(status, headers);
  res.end(noBody ? undefined : body);
}
