/**
 * HTTP and request errors: a request the server cannot read or route (its HTTP, body, path
 * or query), before any operation runs.
 */
import type { ErrorDefinition } from "./definition.ts";

export const REQUEST_ERRORS = {
  PRES_ERR_BAD_HTTP: {
    status: 400,
    type: "ArgumentException",
    en: "The request is not valid HTTP: {detail}",
    nb: "Forespørselen er ikke gyldig HTTP: {detail}",
  },
  PRES_ERR_TIMEOUT: {
    status: 408,
    type: "TimeoutException",
    en: "The request was not received in time (limit {limit} ms)",
    nb: "Forespørselen ble ikke mottatt i tide (grense {limit} ms)",
  },
  PRES_ERR_HEADERS_TOO_LARGE: {
    status: 431,
    type: "RequestTooLargeException",
    en: "The request headers are larger than the limit of {limit} bytes",
    nb: "Forespørselens headere er større enn grensen på {limit} byte",
  },
  PRES_ERR_TOO_LARGE: {
    status: 413,
    type: "RequestTooLargeException",
    en: "The request body is larger than the limit of {limit} bytes",
    nb: "Forespørselen er større enn grensen på {limit} byte",
  },
  PRES_ERR_MEDIA_TYPE: {
    status: 415,
    type: "UnsupportedMediaTypeException",
    en: "Content-Type {contentType} is not supported; use one of {supported}",
    nb: "Content-Type {contentType} støttes ikke; bruk en av {supported}",
  },
  PRES_ERR_ENCODING: {
    status: 415,
    type: "UnsupportedMediaTypeException",
    en: "Content-Encoding {encoding} is not supported; send the body as one of {supported}",
    nb: "Content-Encoding {encoding} støttes ikke; send innholdet som en av {supported}",
  },
  PRES_ERR_BAD_BODY: {
    status: 400,
    type: "ArgumentException",
    en: "The request body is not valid: {detail}",
    nb: "Forespørselen er ugyldig: {detail}",
  },
  PRES_ERR_BAD_PATH: {
    status: 400,
    type: "ArgumentException",
    en: "The path parameter {name} is not valid: {detail}",
    nb: "Stiparameteren {name} er ugyldig: {detail}",
  },
  PRES_ERR_BAD_QUERY: {
    status: 400,
    type: "ArgumentException",
    en: "The query parameter {name} is not valid: {detail}",
    nb: "Spørringsparameteren {name} er ugyldig: {detail}",
  },
  PRES_ERR_NOT_FOUND: {
    status: 404,
    type: "NotFoundException",
    en: "Not found: {detail}",
    nb: "Ikke funnet: {detail}",
  },
  PRES_ERR_METHOD: {
    status: 405,
    type: "MethodNotAllowedException",
    en: "{method} is not allowed here; use {allow}",
    nb: "{method} er ikke tillatt her; bruk {allow}",
  },
  PRES_ERR_XML_ELEMENT: {
    status: 400,
    type: "SerializationException",
    en: "The XML body has <{found}> where <{expected}> is expected",
    nb: "XML-innholdet har <{found}> der <{expected}> er forventet",
  },
} satisfies Record<string, ErrorDefinition>;
