// HTTP as the portal's browser and CI use it: Backstage tokens, timed requests, percentiles.
import { PEOPLE } from './setup';

export interface Timed<T = any> {
  status: number;
  body: T;
  text: string;
  ms: number;
}

export async function call<T = any>(
  url: string,
  init: {
    method?: string;
    token?: string;
    body?: string | Buffer;
    contentType?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<Timed<T>> {
  const started = performance.now();
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.token ? { Authorization: `Bearer ${init.token}` } : {}),
      ...(init.body !== undefined
        ? { 'Content-Type': init.contentType ?? 'application/json' }
        : {}),
      ...init.headers,
    },
    body: init.body,
  });
  const text = await res.text();
  const ms = performance.now() - started;
  let body: any;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.status, body, text, ms };
}

/** Like call, but a status other than `expect` is an error naming the request. */
export async function ok<T = any>(
  url: string,
  init: Parameters<typeof call>[1] = {},
  expect: number | number[] = 200,
): Promise<Timed<T>> {
  const res = await call<T>(url, init);
  const wanted = Array.isArray(expect) ? expect : [expect];
  if (!wanted.includes(res.status)) {
    throw new Error(
      `${init.method ?? 'GET'} ${url}: ${res.status} ${res.text.slice(0, 500)}`,
    );
  }
  return res;
}

/** A user token of the guest provider, as the portal's frontend gets it. */
export async function guestToken(baseUrl: string): Promise<string> {
  const res = await ok(`${baseUrl}/api/auth/guest/refresh`, {
    method: 'POST',
    headers: { 'X-Requested-With': 'XMLHttpRequest' },
  });
  return res.body.backstageIdentity.token;
}

/** A user token of one of the bench's sign-off people (the demo-users provider). */
export async function personToken(
  baseUrl: string,
  person: (typeof PEOPLE)[keyof typeof PEOPLE],
): Promise<string> {
  const res = await ok(`${baseUrl}/api/auth/demoUsers/refresh`, {
    method: 'POST',
    headers: {
      'X-Requested-With': 'XMLHttpRequest',
      'x-rco-demo-user': person,
    },
  });
  return res.body.backstageIdentity.token;
}

export const pct = (values: number[], p: number) => {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[
    Math.min(
      sorted.length - 1,
      Math.max(0, Math.ceil((p / 100) * sorted.length) - 1),
    )
  ];
};
export const median = (values: number[]) => pct(values, 50);
export const fmt = (v: number) =>
  Number.isFinite(v) ? `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ms` : 'n/a';
