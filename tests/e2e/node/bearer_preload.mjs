// Adds `Authorization: Bearer $MCP_BEARER` to every HTTP request a Node tool
// sends to the origin of $MCP_BEARER_ORIGIN (e.g. http://127.0.0.1:8069), and
// to no other origin. Load it with `node --import <this file> <tool>`: the MCP
// conformance suite has no header option.
//
// Two paths are covered:
//   * globalThis.fetch (the MCP TypeScript SDK transports use it);
//   * undici's global dispatcher (the conformance suite also calls
//     `undici.request` directly), through a dispatcher interceptor. undici is
//     resolved from $MCP_PRELOAD_RESOLVE_FROM or from the main script, so the
//     tool's own copy is the one patched.
// A request that already carries an Authorization header is left alone.
import { createRequire } from "node:module";
import path from "node:path";

const token = process.env.MCP_BEARER;
const target = process.env.MCP_BEARER_ORIGIN;

function originOf(value) {
  try {
    return new URL(String(value)).origin;
  } catch {
    return null;
  }
}

const origin = token && target ? originOf(target) : null;
const auth = `Bearer ${token}`;

function hasAuthorization(headers) {
  if (!headers) return false;
  if (Array.isArray(headers)) {
    // undici: flat [name, value, ...] or [[name, value], ...]
    if (headers.length && Array.isArray(headers[0])) {
      return headers.some(([k]) => String(k).toLowerCase() === "authorization");
    }
    for (let i = 0; i < headers.length; i += 2) {
      if (String(headers[i]).toLowerCase() === "authorization") return true;
    }
    return false;
  }
  if (typeof headers.has === "function") return headers.has("authorization");
  return Object.keys(headers).some((k) => k.toLowerCase() === "authorization");
}

function withAuthorization(headers) {
  if (hasAuthorization(headers)) return headers;
  if (!headers) return { authorization: auth };
  if (Array.isArray(headers)) {
    if (headers.length && Array.isArray(headers[0])) return [...headers, ["authorization", auth]];
    return [...headers, "authorization", auth];
  }
  if (typeof headers.entries === "function" && typeof headers.has === "function") {
    const copy = new Headers(headers);
    copy.set("authorization", auth);
    return copy;
  }
  return { ...headers, authorization: auth };
}

if (origin) {
  const originalFetch = globalThis.fetch;
  globalThis.fetch = function fetchWithBearer(input, init) {
    const url = input instanceof Request ? input.url : input instanceof URL ? input.href : String(input);
    if (originOf(url) === origin) {
      const base = init?.headers ?? (input instanceof Request ? input.headers : undefined);
      const headers = new Headers(base);
      if (!headers.has("authorization")) headers.set("authorization", auth);
      init = { ...init, headers };
    }
    return originalFetch.call(this, input, init);
  };

  const from = process.env.MCP_PRELOAD_RESOLVE_FROM || process.argv[1];
  let undici = null;
  if (from) {
    try {
      undici = createRequire(path.resolve(from))("undici");
    } catch {
      undici = null; // the tool does not use undici directly: fetch is enough
    }
  }
  if (undici && typeof undici.getGlobalDispatcher === "function") {
    const interceptor = (dispatch) => (opts, handler) => {
      if (originOf(opts.origin) === origin) {
        opts = { ...opts, headers: withAuthorization(opts.headers) };
      }
      return dispatch(opts, handler);
    };
    undici.setGlobalDispatcher(undici.getGlobalDispatcher().compose(interceptor));
  }
}
