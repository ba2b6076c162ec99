// Talking to /api: JSON requests, the upload with progress, and the optional API key.

import { $, input, pct } from './util.js';

const KEY_STORAGE = 'karaoke.apiKey';

let apiKey = localStorage.getItem(KEY_STORAGE) ?? '';

export class ApiError extends Error {
  /** @param {number} status @param {string} code @param {string} message */
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** The API key header, for requests made without api(). */
export function authHeaders() {
  /** @type {Record<string, string>} */
  const h = {};
  if (apiKey) h['x-api-key'] = apiKey;
  return h;
}

/**
 * A JSON request to the API; an error answer throws ApiError with the server's code and message.
 * @param {string} path
 * @param {RequestInit} [init]
 * @returns {Promise<any>} the parsed body (server JSON, checked where it is used)
 */
export async function api(path, init = {}) {
  const headers = new Headers(init.headers);
  if (apiKey) headers.set('x-api-key', apiKey);
  const res = await fetch(path, { ...init, headers });
  const body = await res.json().catch(() => null);
  if (!res.ok)
    throw new ApiError(
      res.status,
      body?.error?.code ?? `HTTP_${res.status}`,
      body?.error?.message ?? res.statusText,
    );
  return body;
}

/** fetch() cannot report upload progress; XHR can, which matters for big files on slow links. */
/**
 * @param {string} url
 * @param {FormData} body
 * @param {(percent: number) => void} onProgress
 * @returns {Promise<any>}
 */
export function postWithProgress(url, body, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    if (apiKey) xhr.setRequestHeader('x-api-key', apiKey);
    xhr.responseType = 'json';
    xhr.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable) onProgress(pct((100 * e.loaded) / e.total));
    });
    xhr.addEventListener('load', () => {
      const r = xhr.response;
      if (xhr.status >= 200 && xhr.status < 300 && r) resolve(r);
      else
        reject(
          new ApiError(
            xhr.status,
            r?.error?.code ?? `HTTP_${xhr.status}`,
            r?.error?.message ?? `the server answered ${xhr.status}`,
          ),
        );
    });
    xhr.addEventListener('error', () => reject(new Error('network error')));
    xhr.send(body);
  });
}

/** The "API key" form; the key is kept in localStorage, so it is entered once per browser. */
/** @param {() => void} onSaved */
export function initApiKey(onSaved) {
  input('api-key').value = apiKey;
  $('key-form').addEventListener('submit', (e) => {
    e.preventDefault();
    apiKey = input('api-key').value.trim();
    if (apiKey) localStorage.setItem(KEY_STORAGE, apiKey);
    else localStorage.removeItem(KEY_STORAGE);
    const box = $('key-form').closest('details');
    if (box) box.open = false;
    onSaved();
  });
}
