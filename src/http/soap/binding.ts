/**
 * One shape for the Chat.svc entity operations: bind the arguments, authenticate, run the
 * same service method as the Agents route, and write the result as Response. Where Agents
 * answers null (the entity does not exist, or a racing caller took it first), SOAP answers
 * a nil Response with Succeeded true, as NetServer's agents return null to every protocol;
 * rights failures and refused input are ExceptionInfo.
 */
import { PresenceError, verbatim } from "../../domain/errors.ts";
import type { Actor } from "../../domain/presence.ts";
import { orNull } from "../agents/binding.ts";
import { bindOrThrow } from "../codecs/body.ts";
import { propertyOf, type Schema } from "../codecs/schema.ts";
import { isNil, isXmlElement, type XmlElement } from "../codecs/xml.ts";
import type { Operation } from "./call.ts";
import { readArgument } from "./fault.ts";

export const INT: Schema = { type: "integer", format: "int32" };
export const TEXT: Schema = { type: "string" };
export const BOOL: Schema = { type: "boolean" };

interface ChatOperationSpec<A> {
  /** The arguments as the WSDL declares them; a malformed one is a Sender fault. */
  args?: Record<string, Schema>;
  /** The result's schema; omitted for operations with an empty response. */
  response?: Schema;
  run(actor: Actor, args: A, input: XmlElement): Promise<unknown>;
}

export function chatOperation<A = Record<string, never>>(
  name: string,
  spec: ChatOperationSpec<A>,
): Operation {
  const schema = { type: "object" as const, properties: spec.args ?? {} };
  return {
    response: `${name}Response`,
    async run({ input, out, actor }) {
      const args = readArgument(() => bindOrThrow(input, schema)) as A;
      const result = await orNull(async () => spec.run(await actor(), args, input));
      if (!spec.response) return "";
      return result === null || result === undefined
        ? out.nil("Response")
        : out.carrier("Response", result, spec.response);
    },
  };
}

/** The argument `name`, which the operation cannot do without: absent or nil is a Sender fault. */
export function requiredArgument(input: XmlElement, name: string): XmlElement {
  const value = propertyOf(input, name);
  if (isXmlElement(value) && !isNil(value)) return value;
  return readArgument(() => {
    throw new PresenceError("PRES_ERR_BAD_BODY", { detail: verbatim(`${name}: required`) });
  });
}
