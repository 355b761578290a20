/**
 * SoPrincipal.svc: AuthenticateUsernamePassword issues the same `7T:` tickets as REST, so a
 * ticket from here works as `Authorization: SoTicket` and the other way round, and
 * AuthenticateWithAccessToken exchanges a bearer token (`8A:`) for one. AuthenticateImplicit
 * and AuthenticateGeneric rely on what this server does not have (a Windows identity, an
 * authentication plug-in): they answer AuthenticationSucceeded false with ExceptionInfo
 * saying so. GetSystemInfo needs no ticket, as in NetServer.
 */
import { localized, PresenceError } from "../../domain/errors.ts";
import type { ChatUser } from "../../domain/model.ts";
import type { Services } from "../../service/services.ts";
import { bindOrThrow } from "../codecs/body.ts";
import type { ObjectSchema } from "../codecs/schema.ts";
import type { Operation, Operations } from "./call.ts";
import { readArgument } from "./fault.ts";
import type { Vocabulary } from "./writer.ts";
import { MIN_DATE_TIME } from "./wsdl-types.ts";

const CREDENTIALS_ARGS: ObjectSchema = {
  type: "object",
  properties: { UserName: { type: "string" }, Password: { type: "string" } },
};

/** The carrier's ids of things a chat directory does not have (person, company, role, …). */
const UNKNOWN_IDS = [
  "PersonId",
  "CountryId",
  "HomeCountryId",
  "ContactId",
  "GroupId",
  "BusinessId",
  "CategoryId",
  "ContactOwner",
  "RoleId",
];
const ROLE_DESCRIPTION = { admin: "Chat administrator", agent: "Chat agent" } as const;

/** SoPrincipalCarrier in contract order; what a chat directory does not know stays 0 or empty. */
function principalXml(out: Vocabulary, user: ChatUser): string {
  const credential = out.element(
    "ProvidedCredential",
    out.string("Type", "Password") +
      out.string("SearchName", user.username) +
      out.string("DisplayName", user.displayName) +
      out.int("CredentialId", 0),
  );
  return out.element(
    "Response",
    out.element("UserType", "InternalAssociate") +
      out.string("Associate", user.username) +
      out.int("AssociateId", user.id) +
      out.bool("IsPerson", false) +
      UNKNOWN_IDS.map((name) => out.int(name, 0)).join("") +
      out.string("RoleName", user.role) +
      out.string("RoleDescription", ROLE_DESCRIPTION[user.role]) +
      out.element("RoleType", "Employee") +
      out.element("Licenses", "") +
      out.string("FullName", user.displayName) +
      out.nil("EMailAddress") +
      out.array("FunctionRights", "string", []) +
      out.int("EjUserId", 0) +
      out.int("EjAccessLevel", 0) +
      out.element("EjUserStatus", "StatusNone") +
      out.element("ProvidedCredentials", credential) +
      out.array("SecondaryGroups", "int", []) +
      out.nil("DatabaseContextIdentifier"),
  );
}

const ACCESS_TOKEN_ARGS: ObjectSchema = {
  type: "object",
  properties: { AccessToken: { type: "string" } },
};

/** AuthenticateResponse of a sign-in that did not succeed. */
function notAuthenticated(out: Vocabulary): string {
  return out.nil("Response") + out.nil("Credentials") + out.bool("AuthenticationSucceeded", false);
}

/** AuthenticateResponse of a sign-in that did: the principal and a new ticket. */
async function authenticated(auth: Services["auth"], out: Vocabulary, user: ChatUser) {
  const ticket = await auth.issue("ticket", user.id);
  return (
    principalXml(out, user) +
    out.element("Credentials", out.string("Ticket", ticket)) +
    out.bool("AuthenticationSucceeded", true)
  );
}

/** A sign-in method that cannot apply here: refused with the reason, in both languages. */
function unsupported(operation: string, reason: { en: string; nb: string }): Operation {
  return {
    response: "AuthenticateResponse",
    run: () =>
      Promise.reject(
        new PresenceError("PRES_ERR_SIGN_IN_METHOD", {
          operation,
          reason: localized(reason.en, reason.nb),
        }),
      ),
    refused: notAuthenticated,
  };
}

/** SoSystemInfoCarrier: this server's name and version; no SuperOffice licence or database. */
function systemInfoXml(out: Vocabulary, version: string): string {
  return out.element(
    "SystemInfo",
    out.nil("License") +
      out.string("WarningEnglish", "") +
      out.string("WarningResource", "") +
      out.string("BranchName", "") +
      out.string("BuildLabel", `chat-presence ${version}`) +
      out.string("AssemblyVersion", version) +
      out.element("AccumulatedNextCheckDate", MIN_DATE_TIME) +
      out.string("FileVersion", version) +
      out.string("Description", "chat-presence: SuperOffice chat presence server") +
      out.int("DaysUntilNetServerExpiry", 0) +
      out.element("BuildType", "Release") +
      out.int("DatabaseVersion", 0) +
      out.bool("IsUnicode", true) +
      out.string("CompanyName", "") +
      out.int("CompanyId", 0) +
      out.string("DatabaseType", "") +
      out.string("DatabaseMinor", "") +
      out.string("DatabaseName", "") +
      out.bool("IsOnTravel", false) +
      out.bool("IsSatellite", false),
  );
}

export function principalOperations({ auth }: Services, version: string): Operations {
  return {
    AuthenticateUsernamePassword: {
      response: "AuthenticateResponse",
      async run({ input, out, address }) {
        const { UserName, Password } = readArgument(() => bindOrThrow(input, CREDENTIALS_ARGS)) as {
          UserName: string | null;
          Password: string | null;
        };
        const user =
          UserName && Password !== null
            ? await auth.verifyUsernamePassword(UserName, Password, address)
            : null;
        return user ? authenticated(auth, out, user) : notAuthenticated(out);
      },
    },
    AuthenticateWithAccessToken: {
      response: "AuthenticateResponse",
      async run({ input, out }) {
        const { AccessToken } = readArgument(() => bindOrThrow(input, ACCESS_TOKEN_ARGS)) as {
          AccessToken: string | null;
        };
        const user = await auth.userOfBearer(AccessToken?.trim() ?? "");
        return user ? authenticated(auth, out, user) : notAuthenticated(out);
      },
    },
    AuthenticateImplicit: unsupported("AuthenticateImplicit", {
      en: "it signs in as the Windows identity of the connection, and this server has no Windows accounts",
      nb: "den logger inn som Windows-identiteten til forbindelsen, og denne serveren har ingen Windows-kontoer",
    }),
    AuthenticateGeneric: unsupported("AuthenticateGeneric", {
      en: "it hands its data to a SuperOffice authentication plug-in, and this server has none",
      nb: "den gir dataene sine til et SuperOffice-autentiseringstillegg, og denne serveren har ingen",
    }),
    GetSystemInfo: {
      response: "GetSystemInfoResponse",
      run: async ({ out }) => systemInfoXml(out, version),
    },
  };
}
