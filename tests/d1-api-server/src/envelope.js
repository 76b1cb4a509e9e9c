// The Cloudflare API v4 envelope: every answer is {success, errors, messages, result[, result_info]}.
// Error objects carry Cloudflare's numeric codes (see README.md for where each code comes from).

export function ok(result, { status = 200, resultInfo, messages = [], headers = {} } = {}) {
  const body = { result, success: true, errors: [], messages };
  if (resultInfo !== undefined) body.result_info = resultInfo;
  return json(body, status, headers);
}

export function fail(status, code, message, { headers = {}, result = null } = {}) {
  return json({ result, success: false, errors: [{ code, message }], messages: [] }, status, headers);
}

export function json(body, status = 200, headers = {}) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

// Codes used by the real API (sources in README.md).
export const Codes = {
  authentication: 10000, // 401/403 "Authentication error"
  missingAuth: 9106, // 400 "Missing X-Auth-Key, X-Auth-Email or Authorization headers"
  accountNotAuthorized: 7403, // 403 "The given account is not valid or is not authorized to access this service"
  noRoute: 7000, // 404 "No route for that URI"
  methodNotAllowed: 10405, // 405 "Method not allowed"
  rateLimited: 971, // 429 "Please wait and consider throttling your request speed"
  d1Malformed: 7400, // 400 "The request is malformed: ..."
  d1Sql: 7500, // 400 SQL error, 500 internal error
  d1NotFound: 7404, // 404 "The database {id} could not be found"
  d1ImportTimeout: 7009, // 504 gateway timeout on /import
  kvKeyNotFound: 10009, // 404 "get: 'key not found'"
  kvNamespaceNotFound: 10013, // 404 "namespace not found"
  kvBadRequest: 10001, // 400 invalid KV request (assumed code)
};
