/** Chat.svc: GetChatPresence, SaveChatPresence and IsWithinOpeningHours over the service layer. */
import type { ChatPresence } from "../../domain/presence.ts";
import { isTopicOpen } from "../../service/opening-hours.ts";
import type { Services } from "../../service/services.ts";
import { bindOrThrow } from "../codecs/body.ts";
import { type ObjectSchema, propertyOf } from "../codecs/schema.ts";
import { readPresenceUpdates } from "../presence-codec.ts";
import { readArgument } from "./fault.ts";
import type { Operations } from "./operation.ts";
import type { Vocabulary } from "./writer.ts";

const OPENING_HOURS_ARGS: ObjectSchema = {
  type: "object",
  properties: { ChatTopicId: { type: "integer", format: "int32" } },
};

function presenceXml(out: Vocabulary, p: ChatPresence): string {
  return out.element(
    "ChatPresence",
    `${out.prefix}:ChatPresence`,
    out.int("UserId", p.UserId) +
      out.string("DisplayName", p.DisplayName) +
      out.int("OngoingChats", p.OngoingChats) +
      out.bool("Present", p.Present) +
      out.array("ChatTopics", "int", p.ChatTopics),
  );
}

export function chatOperations({ presence, store }: Services): Operations {
  /** The rendered list per vocabulary, for the presence version it was rendered from. */
  const rendered = new Map<Vocabulary, { version: number; xml: string }>();

  return {
    GetChatPresence: {
      response: "GetChatPresenceResponse",
      async run({ out, actor }) {
        await actor();
        const snapshot = await presence.getAll();
        let cached = rendered.get(out);
        if (cached?.version !== snapshot.version) {
          const items = snapshot.presence.map((p) => presenceXml(out, p)).join("");
          cached = {
            version: snapshot.version,
            xml: out.element("Response", `${out.prefix}:ArrayOfChatPresence`, items),
          };
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
