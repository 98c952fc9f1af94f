// The console's only way to the server's HTTP API (/api/v1): cookie session,
// the CSRF header on state-changing calls, problem+json errors as ApiError.

import { t } from "./i18n.js";

const BASE = "/api/v1";
const SAFE = new Set(["GET", "HEAD"]);

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || t("api.failed", { status }));
    this.status = status;
    this.problem = problem || {};
  }
  /** Worth retrying: the server was not reached or had a passing problem. */
  get transient() {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

export function cookie(name) {
  for (const part of document.cookie.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return "";
}

function url(path, query) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null) params.set(key, value);
  }
  const qs = params.toString();
  return BASE + path + (qs ? `?${qs}` : "");
}

function headers(method, extra = {}) {
  const all = { Accept: "application/json, application/problem+json", ...extra };
  if (!SAFE.has(method)) all["X-CSRF-Token"] = cookie("caseroom_csrf");
  return all;
}

/** The listener told about a 401 (the session ended): the app shows sign-in. */
let onUnauthenticated = () => {};
export function whenSignedOut(callback) {
  onUnauthenticated = callback;
}

export async function request(method, path, { json, form, query, signal } = {}) {
  const init = { method, headers: headers(method), credentials: "same-origin", signal };
  if (json !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(json);
  } else if (form !== undefined) {
    init.body = form;
  }
  let response;
  try {
    response = await fetch(url(path, query), init);
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(0, { title: t("app.connection.offline"), detail: t("api.unreachable") });
  }
  if (response.status === 204) return null;
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    if (response.status === 401 && !path.startsWith("/auth/")) onUnauthenticated();
    throw new ApiError(response.status, body);
  }
  return body;
}

export const get = (path, query, options = {}) => request("GET", path, { ...options, query });
export const post = (path, json, options = {}) => request("POST", path, { ...options, json });
export const put = (path, json) => request("PUT", path, { json });
export const patch = (path, json) => request("PATCH", path, { json });
export const del = (path) => request("DELETE", path);

/**
 * Multipart upload with progress (fetch cannot report upload progress).
 * Resolves with the parsed body; rejects with ApiError.
 */
export function upload(path, form, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url(path));
    for (const [key, value] of Object.entries(headers("POST"))) xhr.setRequestHeader(key, value);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && onProgress) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      let body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body);
      else reject(new ApiError(xhr.status, body));
    };
    xhr.onerror = () => reject(new ApiError(0, { detail: t("api.unreachable") }));
    xhr.send(form);
  });
}

export const apiUrl = url;
