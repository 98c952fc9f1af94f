// The HTTP calls the chat makes. Errors are RFC 9457 problems; `ApiError.retryable`
// tells a lost connection or a server hiccup from a request the server refused.

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && problem.detail) || `request failed (${status})`);
    this.status = status;
    this.problem = problem || {};
  }

  get retryable() {
    return this.status === 0 || this.status >= 500 || this.status === 429;
  }
}

async function call(method, path, { token, body } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
    });
  } catch (error) {
    throw new ApiError(0, { detail: "cannot reach the server" });
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch (error) {
    data = null;
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

/** POST multipart with upload progress (fetch cannot report it). */
function upload(path, token, form, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", path);
    xhr.setRequestHeader("Authorization", `Bearer ${token}`);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && onProgress) onProgress(event.loaded / event.total);
    };
    xhr.onerror = () => reject(new ApiError(0, { detail: "cannot reach the server" }));
    xhr.onload = () => {
      let data = null;
      try {
        data = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch (error) {
        data = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(data);
      else reject(new ApiError(xhr.status, data));
    };
    xhr.send(form);
  });
}

const org = (slug) => `/api/v1/organizations/${encodeURIComponent(slug)}`;

export const api = {
  widget: (slug) => call("GET", `${org(slug)}/widget`),
  start: (slug, body) => call("POST", `${org(slug)}/conversations`, { body }),
  verify: (slug, identityToken) =>
    call("POST", `${org(slug)}/identity`, { body: { identity_token: identityToken } }),
  openAnother: (token, body) => call("POST", "/api/v1/conversations", { token, body }),
  issues: (token) => call("GET", "/api/v1/issues", { token }),
  limits: () => call("GET", "/api/v1/limits"),
  availability: (slug) => call("GET", `${org(slug)}/availability`),
  rate: (token, issueId, body) => call("PUT", `/api/v1/issues/${issueId}/rating`, { token, body }),
  sendFiles: (token, issueId, { files, body, key }, onProgress) => {
    const form = new FormData();
    form.append("idempotency_key", key);
    if (body) form.append("body", body);
    for (const file of files) form.append("files", file, file.name);
    return upload(`/api/v1/issues/${issueId}/rooms/public/attachments`, token, form, onProgress);
  },
  /** A file the Customer may see, as a blob (downloads need the bearer token). */
  fileBlob: async (token, path) => {
    let response;
    try {
      response = await fetch(path, { headers: { Authorization: `Bearer ${token}` }, credentials: "omit" });
    } catch (error) {
      throw new ApiError(0, { detail: "cannot reach the server" });
    }
    if (!response.ok) throw new ApiError(response.status, null);
    return response.blob();
  },
  receipt: (token, issueId, body) =>
    call("POST", `/api/v1/issues/${issueId}/rooms/public/receipts`, { token, body }),
  messages: (token, issueId, { before, limit } = {}) => {
    const query = new URLSearchParams();
    if (before) query.set("before", before);
    if (limit) query.set("limit", limit);
    const suffix = query.toString() ? `?${query}` : "";
    return call("GET", `/api/v1/issues/${issueId}/rooms/public/messages${suffix}`, { token });
  },
};

/** Run `attempt` until it succeeds or fails for a reason a retry cannot fix. */
export async function withRetry(attempt, { onRetry, maxDelay = 10000 } = {}) {
  for (let tries = 0; ; tries += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof ApiError) || !error.retryable) throw error;
      if (onRetry) onRetry(error, tries);
      const delay = Math.min(maxDelay, 500 * 2 ** tries) * (0.75 + Math.random() / 2);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
