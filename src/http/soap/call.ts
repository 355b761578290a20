/** What a SOAP operation is given and returns; chat.ts, topics.ts, … implement these. */
import type { Actor } from "../../domain/presence.ts";
import type { XmlElement } from "../codecs/xml.ts";
import type { Vocabulary } from "./writer.ts";

export interface Call {
  /** The operation element from Body, with its arguments as children. */
  input: XmlElement;
  out: Vocabulary;
  /** The user of Credentials/Ticket; a missing or unknown ticket is a registry error. */
  actor(): Promise<Actor>;
  /** The client's address (failed sign-ins are throttled by it). */
  address: string;
}

export interface Operation {
  /** The response element's local name (AuthenticateUsernamePassword's is AuthenticateResponse). */
  response: string;
  /**
   * Returns the response element's content (bytes when cached). Arguments are read through
   * `readArgument`, so a malformed one is a Sender fault; a registry error thrown afterwards
   * becomes ExceptionInfo.
   */
  run(call: Call): Promise<string | Buffer>;
  /** The response element's content when the call is refused (ExceptionInfo); else empty. */
  refused?(out: Vocabulary): string;
}

export type Operations = Record<string, Operation>;
