// Who is signed in, and the one way the page calls the API. The session cookie is HttpOnly and
// travels by itself; writes also carry the XSRF token, read from its cookie (or, should the
// cookie be unreadable, from the sign-in answer).

/** The signed-in user: { UserId, Username, Role, XsrfToken }, or null. */
let me = null;

export function signedInUser() {
  return me;
}

export function isSignedInUser(userId) {
  return me !== null && me.UserId === userId;
}

/** The server decides; this only keeps the page from offering a switch it would refuse. */
export function mayChange(userId) {
  return me?.Role === "admin" || isSignedInUser(userId);
}

export function readCookie(name) {
  for (const part of document.cookie.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1));
  }
  return "";
}

function requestHeaders(method, hasBody, extra) {
  // X-Requested-With keeps a 401 from carrying a Basic challenge (the browser's own dialog).
  const headers = { Accept: "application/json", "X-Requested-With": "XMLHttpRequest", ...extra };
  if (hasBody) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["X-XSRF-TOKEN"] = readCookie("XSRF-TOKEN") || me?.XsrfToken || "";
  return headers;
}

/** The server's Message (else the status line) and ErrorCode (else "") from an error answer. */
async function responseError(response) {
  let message = `${response.status} ${response.statusText}`.trim();
  let code = "";
  try {
    const error = await response.json();
    if (typeof error?.Message === "string" && error.Message) message = error.Message;
    if (typeof error?.ErrorCode === "string") code = error.ErrorCode;
  } catch {
    // Not a JSON error body: keep the status line.
  }
  return Object.assign(new Error(message), { status: response.status, code });
}

/** How far the server's clock is ahead of the browser's, ms; 0 while they agree. */
let clockOffset = 0;
/** The Date header counts whole seconds: only a larger gap says the clocks disagree. */
const TRUSTED_SKEW_MS = 2000;

function noteServerClock(response) {
  const date = Date.parse(response.headers.get("date") ?? "");
  if (Number.isNaN(date)) return;
  const offset = date - Date.now();
  clockOffset = Math.abs(offset) > TRUSTED_SKEW_MS ? offset : 0;
}

/** Now on the server's clock, as near as the page can tell: for countdowns to server times. */
export function serverNow() {
  return Date.now() + clockOffset;
}

/**
 * JSON API call; a failure throws an Error with the server's Message, its ErrorCode and the
 * HTTP status.
 */
export async function api(path, { method = "GET", body, headers = {}, cache = "default" } = {}) {
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: requestHeaders(method, body !== undefined, headers),
      credentials: "same-origin",
      cache,
      // The page sends no Referer elsewhere; to its own API it names its origin (Origin and
      // Referer), which the sign-in requires, in every browser.
      referrerPolicy: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw Object.assign(new Error("The server cannot be reached."), { status: 0 });
  }
  noteServerClock(response);
  if (response.ok) return response.status === 204 ? null : response.json();
  throw await responseError(response);
}

/** Signs in; an Online installation also needs the application token (SO-AppToken). */
export async function signIn(Username, Password, appToken = "") {
  me = await api("api/v1/Auth/Login", {
    method: "POST",
    body: { Username, Password },
    headers: appToken ? { "SO-AppToken": appToken } : {},
  });
  return me;
}

/** The session still open from an earlier visit, or null. */
export async function resumeSession() {
  // The readable XSRF cookie lives as long as the HttpOnly session: without it, do not even ask.
  if (!readCookie("XSRF-TOKEN")) return null;
  try {
    me = await api("api/v1/Auth/Me");
  } catch {
    me = null;
  }
  return me;
}

export async function signOut() {
  try {
    await api("api/v1/Auth/Logout", { method: "POST" });
  } catch {
    // Signed out either way: the cookies go with the session.
  }
  forgetSession();
}

/** The page's view of the session ends (the server's may have ended already). */
export function forgetSession() {
  me = null;
}
