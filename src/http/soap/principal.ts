/**
 * SoPrincipal.svc: AuthenticateUsernamePassword issues the same `7T:` tickets as REST, so a
 * ticket from here works as `Authorization: SoTicket` and the other way round.
 */
import type { ChatUser } from "../../domain/model.ts";
import type { Services } from "../../service/services.ts";
import { bindOrThrow } from "../codecs/body.ts";
import type { ObjectSchema } from "../codecs/schema.ts";
import type { Operations } from "./call.ts";
import { readArgument } from "./fault.ts";
import type { Vocabulary } from "./writer.ts";

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

export function principalOperations({ auth }: Services): Operations {
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
        if (!user) {
          return (
            out.nil("Response") +
            out.nil("Credentials") +
            out.bool("AuthenticationSucceeded", false)
          );
        }
        const ticket = await auth.issue("ticket", user.id);
        return (
          principalXml(out, user) +
          out.element("Credentials", out.string("Ticket", ticket)) +
          out.bool("AuthenticationSucceeded", true)
        );
      },
    },
  };
}
