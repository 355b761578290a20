/** Chat.svc: GetChatPresence, SaveChatPresence and IsWithinOpeningHours over the service layer. */
import type { Services } from "../../service/services.ts";
import {
  chatPresenceXml,
  type PresenceXmlStyle,
  readPresenceUpdates,
} from "../carriers/presence.ts";
import { type Layout, PresenceRenderer } from "../carriers/presence-renderer.ts";
import { bindOrThrow } from "../codecs/body.ts";
import { ARRAYS_NS } from "../codecs/namespaces.ts";
import { type ObjectSchema, propertyOf } from "../codecs/schema.ts";
import type { Operations } from "./call.ts";
import { readArgument } from "./fault.ts";
import type { Vocabulary } from "./writer.ts";

const OPENING_HOURS_ARGS: ObjectSchema = {
  type: "object",
  properties: { ChatTopicId: { type: "integer", format: "int32" } },
};

/** SOAP writes nil with the envelope's `xsi:`, and declares `a:` once on Response. */
const SOAP_XML: PresenceXmlStyle = { nil: "xsi", topicsXmlns: "" };

/**
 * The presence list is the one large response, so its items are written unprefixed under a
 * default namespace declared on Response, with `a:` for the Arrays namespace, as .NET writes
 * them: the same namespaces and elements as the samples' `Chat:` and `NetServerServices882:`
 * prefixes, in 40% fewer bytes.
 */
function listLayout(out: Vocabulary): Layout {
  return {
    prefix: `<${out.prefix}:Response xmlns="${out.ns}" xmlns:a="${ARRAYS_NS}">`,
    separator: "",
    suffix: `</${out.prefix}:Response>`,
    item: (p) => chatPresenceXml(p, SOAP_XML),
  };
}

export function presenceOperations({ presence, topics }: Services): Operations {
  /** The rendered list per vocabulary, for the presence version it was rendered from. */
  const renderer = new PresenceRenderer();

  return {
    GetChatPresence: {
      response: "GetChatPresenceResponse",
      async run({ out, actor }) {
        await actor();
        const snapshot = await presence.getAll();
        return renderer.bytes(snapshot, `${out.prefix} ${out.ns}`, () => listLayout(out));
      },
    },
    SaveChatPresence: {
      response: "SaveChatPresenceResponse",
      async run({ input, actor }) {
        const updates = readArgument(() =>
          readPresenceUpdates(propertyOf(input, "ChatPresence"), "ChatPresence"),
        );
        await presence.save(await actor(), updates, "soap");
        return "";
      },
    },
    IsWithinOpeningHours: {
      response: "IsWithinOpeningHoursResponse",
      async run({ input, out, actor }) {
        const { ChatTopicId } = readArgument(() => bindOrThrow(input, OPENING_HOURS_ARGS)) as {
          ChatTopicId: number;
        };
        await actor();
        return out.bool("Response", await topics.isOpen(ChatTopicId));
      },
    },
  };
}
