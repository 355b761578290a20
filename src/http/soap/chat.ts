/** Chat.svc: GetChatPresence, SaveChatPresence and IsWithinOpeningHours over the service layer. */
import type { ChatPresence } from "../../domain/presence.ts";
import { isTopicOpen } from "../../service/opening-hours.ts";
import type { Services } from "../../service/services.ts";
import { readPresenceUpdates } from "../carriers/presence.ts";
import { bindOrThrow } from "../codecs/body.ts";
import { type ObjectSchema, propertyOf } from "../codecs/schema.ts";
import { escapeXml } from "../codecs/xml.ts";
import type { Operations } from "./call.ts";
import { readArgument } from "./fault.ts";
import { ARRAYS_NS, type Vocabulary } from "./writer.ts";

const OPENING_HOURS_ARGS: ObjectSchema = {
  type: "object",
  properties: { ChatTopicId: { type: "integer", format: "int32" } },
};

/**
 * The presence list is the one large response, so its items are written unprefixed under a
 * default namespace declared on Response, with `a:` for the Arrays namespace, as .NET writes
 * them: the same namespaces and elements as the samples' `Chat:` and `NetServerServices882:`
 * prefixes, in 40% fewer bytes.
 */
function listXml(out: Vocabulary, list: readonly ChatPresence[]): string {
  const items = list.map((p) => {
    const name =
      p.DisplayName === null
        ? '<DisplayName xsi:nil="true"/>'
        : `<DisplayName>${escapeXml(p.DisplayName)}</DisplayName>`;
    const topics =
      p.ChatTopics === null
        ? '<ChatTopics xsi:nil="true"/>'
        : `<ChatTopics>${p.ChatTopics.map((t) => `<a:int>${t}</a:int>`).join("")}</ChatTopics>`;
    return `<ChatPresence><UserId>${p.UserId}</UserId>${name}<OngoingChats>${p.OngoingChats}</OngoingChats><Present>${p.Present}</Present>${topics}</ChatPresence>`;
  });
  return `<${out.prefix}:Response xmlns="${out.ns}" xmlns:a="${ARRAYS_NS}">${items.join("")}</${out.prefix}:Response>`;
}

export function chatOperations({ presence, store }: Services): Operations {
  /** The rendered list per vocabulary, for the presence version it was rendered from. */
  const rendered = new Map<Vocabulary, { version: number; xml: Buffer }>();

  return {
    GetChatPresence: {
      response: "GetChatPresenceResponse",
      async run({ out, actor }) {
        await actor();
        const snapshot = await presence.getAll();
        let cached = rendered.get(out);
        if (cached?.version !== snapshot.version) {
          cached = { version: snapshot.version, xml: Buffer.from(listXml(out, snapshot.presence)) };
          rendered.set(out, cached);
        }
        return cached.xml;
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
        return out.bool("Response", await isTopicOpen(store, ChatTopicId, new Date()));
      },
    },
  };
}
