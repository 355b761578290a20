/**
 * SOAP errors: an envelope or operation that Chat.svc or SoPrincipal.svc cannot serve.
 */
import type { ErrorDefinition } from "./definition.ts";

export const SOAP_ERRORS = {
  PRES_ERR_SOAP_VERSION: {
    status: 400,
    type: "VersionMismatchException",
    en: "The envelope namespace {namespace} is neither SOAP 1.1 nor SOAP 1.2",
    nb: "Konvoluttens navnerom {namespace} er verken SOAP 1.1 eller SOAP 1.2",
  },
  PRES_ERR_SOAP_HEADER: {
    status: 400,
    type: "MustUnderstandException",
    en: "The header {header} must be understood, but this server does not process it",
    nb: "Headeren {header} må forstås, men denne serveren behandler den ikke",
  },
  PRES_ERR_SOAP_OPERATION: {
    status: 400,
    type: "ActionNotSupportedException",
    en: "{operation} is not an operation of {service}",
    nb: "{operation} er ikke en operasjon i {service}",
  },
  PRES_ERR_SIGN_IN_METHOD: {
    status: 400,
    type: "NotSupportedException",
    en: "{operation} cannot sign in to this server: {reason}. Use AuthenticateUsernamePassword or AuthenticateWithAccessToken",
    nb: "{operation} kan ikke logge inn på denne serveren: {reason}. Bruk AuthenticateUsernamePassword eller AuthenticateWithAccessToken",
  },
} satisfies Record<string, ErrorDefinition>;
